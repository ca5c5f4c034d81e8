"""What entry rules cost on a bulk import: ``bulk_create_people`` of N rows with no rules and with
three active rules (email unique, state a UF, job title required), on a fresh database.

``python -m bench.quality_rules [--rows 20000] [--repeat 2]``; uses ``VINCULO_DATA_DIR`` (or a
temporary directory) and ``DATABASE_URL`` when set. Writes
``bench/results/<date>-quality-rules-<db>.json`` and ``.md`` with the machine, the data size and
the overhead ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
UFS = ["SP", "RJ", "MG", "PE", "BA", "RS", "PR", "SC", "CE", "GO"]
FIRST = ["Ana", "Bruno", "Carla", "Davi", "Elisa", "Fábio", "Gabi", "Hugo", "Iara", "João"]
LAST = ["Silva", "Souza", "Oliveira", "Santos", "Lima", "Pereira", "Costa", "Rocha"]
TITLES = ["Gerente", "Analista", "Diretora", "Comprador", "Sócia", "Vendedor"]


def rows_for(n: int, tag: str, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` valid people with distinct e-mails (so every row passes the rules)."""
    rng = random.Random(seed)
    return [
        {
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "email": f"p{i}.{tag}@empresa{i % 97}.com.br",
            "state": rng.choice(UFS),
            "city": "Recife",
            "job_title": rng.choice(TITLES),
        }
        for i in range(n)
    ]


def _setup() -> None:
    if not os.environ.get("VINCULO_DATA_DIR"):
        os.environ["VINCULO_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-rules-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _workspace(name: str, with_rules: bool) -> Any:
    from vinculo.core.actor import Source
    from vinculo.quality.services.rules import create_entry_rule
    from vinculo.workspaces import services
    from vinculo.workspaces.selectors import actor_for

    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    new = services.create_workspace(
        name=f"{name} {stamp}",
        owner_email=f"bench-{stamp}@rules.test",
        owner_password="bench-rules-password-1",  # noqa: S106
    )
    actor = actor_for(new.owner, new.workspace, source=Source.IMPORT)
    if with_rules:
        for data in (
            {"field": "email", "kind": "unique"},
            {"field": "state", "kind": "format", "format": "br_state"},
            {"field": "job_title", "kind": "required"},
        ):
            create_entry_rule(actor=actor, data={"object_type": "person", **data})
    return actor


def _timed(actor: Any, rows: list[dict[str, Any]]) -> tuple[float, float]:
    """Wall-clock and this process's CPU seconds (the CPU figure is steadier on a shared
    machine; it leaves out the database server's share on PostgreSQL)."""
    from vinculo.contacts.services import bulk_create_people

    start, cpu = time.perf_counter(), time.process_time()
    result = bulk_create_people(actor=actor, rows=rows, max_rows=None)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    if result.errors or len(result.created) != len(rows):
        raise RuntimeError(f"{len(result.errors)} rows refused: {result.errors[:3]}")
    return seconds, cpu_seconds


def _rules_only(actor: Any, rows: list[dict[str, Any]]) -> float:
    """CPU seconds of the rules' own work for ``rows`` (the last workspace's three rules): the
    per-row checks and the batch's unique check against the database, nothing written. Steadier
    than the difference of two imports on a busy machine (on PostgreSQL it leaves out the
    server's share of the few ``IN`` queries)."""
    from vinculo.quality.services.rules import checker

    rules = checker(actor, "person")
    start = time.process_time()
    good = []
    for index, row in enumerate(rows):
        errors: list[Any] = []
        rules.check(row, data=row, creating=True, errors=errors)
        if not errors:
            good.append((index, row))
    kept = rules.keep_unique(good, [], lambda row: row)
    seconds = time.process_time() - start
    if len(kept) != len(rows):
        raise RuntimeError("the benchmark rows should all pass the rules")
    return seconds


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=2, help="Runs of each case; best kept.")
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection

    from bench.run import machine

    times: dict[str, list[float]] = {"no_rules": [], "three_rules": []}
    cpu: dict[str, list[float]] = {"no_rules": [], "three_rules": []}
    for run in range(args.repeat):
        # Alternate the cases so a warming cache or a busy neighbour does not favour one.
        for case in ("no_rules", "three_rules"):
            actor = _workspace(case, with_rules=case == "three_rules")
            wall, spent = _timed(actor, rows_for(args.rows, f"{case}{run}"))
            times[case].append(wall)
            cpu[case].append(spent)
    rules_only = [_rules_only(actor, rows_for(args.rows, f"alone{run}")) for run in range(3)]
    best = {case: min(values) for case, values in times.items()}
    best_cpu = {case: min(values) for case, values in cpu.items()}
    report = {
        "benchmark": "quality-rules",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "rows": args.rows,
        "repeat": args.repeat,
        "seconds": times,
        "best_seconds": best,
        "rows_per_second": {case: round(args.rows / s) for case, s in best.items()},
        "overhead_ratio": round(best["three_rules"] / best["no_rules"], 3),
        "cpu_seconds": cpu,
        "best_cpu_seconds": best_cpu,
        "cpu_overhead_ratio": round(best_cpu["three_rules"] / best_cpu["no_rules"], 3),
        "rules_only_seconds": rules_only,
        "rules_share_of_no_rules_time": round(min(rules_only) / best_cpu["no_rules"], 3),
        "rules": ["email unique", "state br_state", "job_title required"],
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    base = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-quality-rules-{connection.vendor}"
    base.with_suffix(".json").write_text(json.dumps(report, indent=2))
    base.with_suffix(".md").write_text(
        "# Entry rules overhead on bulk_create_people\n\n"
        f"{report['date']}, {report['database']}, {args.rows} rows, best of {args.repeat}; "
        f"machine: {report['machine'].get('cpu_model')} x {report['machine'].get('cpu_count')}\n\n"
        "| case | best s | rows/s |\n|---|---|---|\n"
        + "".join(
            f"| {case} | {best[case]:.2f} | {report['rows_per_second'][case]} |\n" for case in best
        )
        + f"\noverhead ratio (3 rules / none), wall clock: **{report['overhead_ratio']}**, "
        f"CPU of this process: **{report['cpu_overhead_ratio']}**\n"
        f"\nthe rules' own work alone (checks + batch unique query): "
        f"{min(rules_only):.3f} CPU s = **{report['rules_share_of_no_rules_time']:.1%}** of the "
        "CPU time of the import without rules\n"
    )
    keys = (
        "rows", "best_seconds", "overhead_ratio", "cpu_overhead_ratio", "rules_only_seconds",
        "rules_share_of_no_rules_time",
    )  # fmt: skip
    print(json.dumps({k: report[k] for k in keys}))
    return report


if __name__ == "__main__":
    main()
