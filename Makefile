# Vínculo — the two commands: `make run` (serve the product with a demo workspace) and
# `make test` (lint + the whole suite). Both build the virtualenv from pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench messages screenshots clean help

help:
	@echo "make run    serve Vínculo on http://$(HOST):$(PORT) (SQLite under ./var, demo workspace)"
	@echo "make test   ruff + migrations check + the whole test suite"
	@echo "make bench  benchmarks (results in bench/results/): web screens, import, duplicates, exports, rules"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/vinculo serve --demo --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	VINCULO_DATA_DIR=$(CURDIR)/var/check $(BIN)/mypy

test: lint
	VINCULO_DATA_DIR=$(CURDIR)/var/check $(BIN)/vinculo manage makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.installed-dev
	cd src/vinculo && ../../$(BIN)/vinculo manage makemessages -l pt_BR --no-obsolete
	cd src/vinculo && ../../$(BIN)/vinculo manage compilemessages -l pt_BR

screenshots: $(VENV)/.installed-dev
	VINCULO_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -q

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench
	$(BIN)/python -m bench.quality_import --rows 100000 1000000
	$(BIN)/python -m bench.quality_dedupe --sizes 10000 100000
	$(BIN)/python -m bench.quality_dedupe --mode memory --sizes 1000000
	$(BIN)/python -m bench.quality_exports
	$(BIN)/python -m bench.quality_rules
	$(BIN)/python -m bench.events_ingest --events 1000000
	$(BIN)/python -m bench.webforms_submit --submits 2000 --views 5000
	$(BIN)/python -m bench.webhooks_delivery --backend rq --events 20000
	$(BIN)/python -m bench.form_to_webhook --posts 200

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
