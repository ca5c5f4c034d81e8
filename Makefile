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
	@echo "            make run PORT=8080 HOST=0.0.0.0 serves on another port/interface"
	@echo "make test   ruff + migrations check + the whole test suite"
	@echo "make bench  benchmarks (results in bench/results/): web screens, import, duplicates (against splink), exports, rules"

# Each step says what it is doing: a first `make run` installs for a minute or two, and pip prints a
# line per package it collects/installs (no --quiet) so the terminal is never silent.
PIP_INSTALL := $(BIN)/python -m pip install --progress-bar off --disable-pip-version-check

$(BIN)/python:
	@echo "==> [1/4] Creating the virtualenv in $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> [2/4] Upgrading pip"
	$(PIP_INSTALL) --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "==> [3/4] Installing Vínculo and its dependencies (a minute or two the first time)"
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	@echo "==> [3/4] Installing Vínculo with the dev extras (tests, ruff, mypy, Playwright)"
	$(PIP_INSTALL) -e ".[dev]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	@echo "==> [3/4] Installing Vínculo with the dev and bench extras (splink, recordlinkage, lifetimes)"
	$(PIP_INSTALL) -e ".[dev,bench]"
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

run: $(VENV)/.installed
	@echo "==> [4/4] Migrating the database and serving on http://$(HOST):$(PORT) (demo workspace; Ctrl+C stops)"
	$(BIN)/vinculo serve --demo --host $(HOST) --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	VINCULO_DATA_DIR=$(CURDIR)/var/check $(BIN)/mypy
	$(BIN)/lint-imports
	PYTHONPATH=src $(BIN)/python tools/cycles.py

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

bench: $(VENV)/.installed-bench
	$(BIN)/python -m bench
	$(BIN)/python -m bench.quality_import --rows 100000 1000000
	$(BIN)/python -m bench.quality_dedupe --datasets febrl3 crm people companies --sizes 10000 100000
	$(BIN)/python -m bench.quality_dedupe --mode db --datasets crm --sizes 10000 100000
	$(BIN)/python -m bench.quality_dedupe --datasets people --sizes 1000000
	$(BIN)/python -m bench.quality_exports
	$(BIN)/python -m bench.quality_rules
	$(BIN)/python -m bench.events_ingest --events 1000000
	$(BIN)/python -m bench.webforms_submit --submits 2000 --views 5000
	$(BIN)/python -m bench.webhooks_delivery --backend rq --events 20000
	$(BIN)/python -m bench.form_to_webhook --posts 200
	$(BIN)/python -m bench.insights_kpis --people 100000 --deals 20000 --purchases 1000000
	$(BIN)/python -m bench.customer_value --people 100000 --purchases 1000000
	$(BIN)/python -m bench.lead_scoring --deals 20000
	$(BIN)/python -m bench.strategy_goals --people 100000 --deals 20000 --goals 200

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
