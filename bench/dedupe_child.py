"""One matcher on one data set, in its own process (``python -m bench.dedupe_child``).

The parent (:mod:`bench.quality_dedupe`) writes the records (a pickle of columns, no ground
truth) and starts this process once per matcher, so that each one's peak memory (``VmHWM`` of
this process, see :func:`peak_mib`: the records as loaded plus everything the matcher allocates)
and time are its own. The clock runs from the records in memory (Python lists, one per column)
to the pairs:

* ``vinculo``: the records as dicts (what the product's selectors stream) → ``build_table`` →
  ``engine.run`` → pairs at the engine's own review threshold;
* ``splink``: the records into an Arrow table → DuckDB → cleaning, training, prediction
  (:mod:`bench.dedupe_splink`) → pairs at ``match_probability >= 0.5``;
* ``vinculo-db``: the records loaded through the product's services into a fresh SQLite database
  (not timed), then the ``detect_duplicates`` service (timed); the pairs are every stored
  ``DuplicateCandidate`` of the workspace.

Writes ``<out>.npz`` (every scored pair kept by the matcher: ``left``, ``right``,
``probability``, and ``chosen``, the pairs it answers) and ``<out>.json`` (timings, memory,
what the matcher reported).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import pickle
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from vinculo.quality.matching import engine
from vinculo.quality.matching.blocking import company_rules, person_rules
from vinculo.quality.matching.schema import build_table, company_schema, person_schema

SPLINK_THRESHOLD = 0.5


def _status(field: str) -> float:
    """A memory figure of this process from ``/proc/self/status`` (Linux), MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


def rss_mib() -> float:
    return _status("VmRSS")


def peak_mib() -> float:
    """This process's peak resident set. ``VmHWM``, not ``ru_maxrss``: Linux carries the
    parent's peak into a child's ``ru_maxrss`` across fork and exec, so a child started by a
    parent holding a million generated records would report the parent's peak."""
    return _status("VmHWM") or round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cpu_seconds() -> float:
    """CPU time of this process so far, every thread (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rows_of(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The records as the product's selectors give them: dicts of raw columns, ``id`` first,
    custom identifier fields under ``custom_fields``."""
    columns = payload["columns"]
    custom = [key for key, _type in payload["custom"]]
    plain = [c for c in columns if c not in custom]
    n = len(columns[plain[0]])
    for i in range(n):
        row: dict[str, Any] = {"id": i}
        for c in plain:
            row[c] = columns[c][i]
        if custom:
            row["custom_fields"] = {key: columns[key][i] for key in custom}
        yield row


def run_vinculo(payload: dict[str, Any], seed: int) -> tuple[tuple, dict[str, Any]]:
    started, cpu = time.perf_counter(), cpu_seconds()
    custom = payload["custom"]
    keys = [f"custom:{key}" for key, _type in custom]
    if payload["kind"] == "person":
        schema, rules = person_schema(custom), person_rules(keys)
    else:
        schema, rules = company_schema(custom), company_rules(keys)
    table = build_table(schema, rows_of(payload))
    read = time.perf_counter() - started
    res = engine.run(table, rules, seed=seed)
    threshold = res.thresholds["review"]
    chosen = res.probability >= threshold
    seconds = time.perf_counter() - started
    info = {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds() - cpu, 2),
        "stages": {"build_table": round(read, 3), **res.seconds},
        "threshold": threshold,
        "thresholds": res.thresholds,
        "blocking_recall_estimate": res.recall.get("recall"),
        "expected_matches": res.recall.get("expected_matches"),
        "compared": res.compared,
        "rules_used": len(res.blocking.rules),
        "blocking": res.blocking.report,
    }
    return (res.left, res.right, res.probability, chosen), info


def run_splink(payload: dict[str, Any], seed: int) -> tuple[tuple, dict[str, Any]]:
    # Imported here so that the other matchers' processes never load splink and DuckDB.
    from bench import dedupe_splink

    started, cpu = time.perf_counter(), cpu_seconds()
    left, right, probability, info = dedupe_splink.run(payload, seed=seed)
    chosen = probability >= SPLINK_THRESHOLD
    info["seconds"] = round(time.perf_counter() - started, 2)
    info["cpu_seconds"] = round(cpu_seconds() - cpu, 2)
    info["threshold"] = SPLINK_THRESHOLD
    return (left, right, probability, chosen), info


def run_db(payload: dict[str, Any], seed: int) -> tuple[tuple, dict[str, Any]]:
    """The product end to end: people through ``bulk_create_people`` into a fresh SQLite
    database, then the ``detect_duplicates`` service (Django imported once set up)."""
    # Under the parent's work directory, which the parent removes.
    work = os.environ.get("DEDUPE_WORK_DIR")
    os.environ["VINCULO_DATA_DIR"] = tempfile.mkdtemp(prefix="vinculo-dedupe-db-", dir=work)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from vinculo.contacts.services import bulk_create_people
    from vinculo.core.actor import Actor, Source
    from vinculo.quality.models import DuplicateCandidate
    from vinculo.quality.services.duplicates import detect_duplicates
    from vinculo.workspaces import services as workspaces

    new = workspaces.create_workspace(
        name="Bench",
        owner_email="bench@example.com",
        owner_password="bench-password-123",  # noqa: S106
    )
    actor = Actor.system(new.workspace, source=Source.IMPORT)
    rows = []
    for row in rows_of(payload):
        row.pop("id")
        custom = row.pop("custom_fields", None)
        if custom:
            row["custom_fields"] = custom
        rows.append(row)
    started = time.perf_counter()
    index_of: dict[int, int] = {}
    refused = 0
    for start in range(0, len(rows), 5000):
        batch = rows[start : start + 5000]
        result = bulk_create_people(actor=actor, rows=batch, max_rows=None)
        bad = {e.index for e in result.errors}
        refused += len(bad)
        good = [start + i for i in range(len(batch)) if i not in bad]
        for index, person in zip(good, result.created, strict=True):
            index_of[person.pk] = index
    seed_seconds = time.perf_counter() - started
    del rows
    gc.collect()
    started, cpu = time.perf_counter(), cpu_seconds()
    run = detect_duplicates(actor=actor, object_type="person")
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu
    left, right, probability = [], [], []
    for a, b, p in (
        DuplicateCandidate.objects.filter(workspace=new.workspace)
        .values_list("left_id", "right_id", "probability")
        .iterator()
    ):
        i, j = index_of[a], index_of[b]
        left.append(min(i, j))
        right.append(max(i, j))
        probability.append(float(p))
    prob = np.asarray(probability, dtype=np.float64)
    info = {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "seed_seconds": round(seed_seconds, 2),
        "rows_refused_by_validation": refused,
        "clusters": run.clusters_found,
        "threshold": None,
    }
    everything = np.ones(len(prob), dtype=bool)
    return (np.asarray(left, np.int64), np.asarray(right, np.int64), prob, everything), info


RUNNERS = {"vinculo": run_vinculo, "splink": run_splink, "vinculo-db": run_db}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=sorted(RUNNERS), required=True)
    parser.add_argument("--data", required=True, help="the pickled records")
    parser.add_argument("--out", required=True, help="output stem (.npz and .json written)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with open(args.data, "rb") as handle:
        payload = pickle.load(handle)  # noqa: S301 (written by the parent process)
    gc.collect()
    loaded = rss_mib()
    load_before = os.getloadavg()[0]
    (left, right, probability, chosen), info = RUNNERS[args.engine](payload, args.seed)
    info.update(
        engine=args.engine,
        rss_with_records_mib=loaded,
        peak_rss_mib=peak_mib(),
        # The machine may be shared: the 1-minute load average before and after the run.
        load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)],
    )
    np.savez(
        args.out + ".npz",
        left=np.asarray(left, dtype=np.int64),
        right=np.asarray(right, dtype=np.int64),
        probability=np.asarray(probability, dtype=np.float64),
        chosen=np.asarray(chosen, dtype=bool),
    )
    Path(args.out + ".json").write_text(json.dumps(info, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
