"""Exports and the data audit at size: N people (two custom fields, tags, owner) exported to CSV
and XLSX through the one export path (``write_export``, what the background job runs), and one
audit run of the workspace.

``python -m bench.quality_exports [--rows 100000] [--formats csv,xlsx] [--no-audit]``; uses
``VINCULO_DATA_DIR`` (or a temporary directory) and ``DATABASE_URL`` when set. Reports rows/s and
the peak of Python allocations during each export (``tracemalloc``, in a second pass so it does
not slow the timed one), to show that memory does not grow with the number of rows. Writes
``bench/results/<date>-quality-exports.json`` and ``.md`` with the machine and the data size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
FIRST = ["Ana", "Bruno", "Conceição", "Davi", "Élida", "Fábio", "Gabi", "Hugo", "Iara", "João"]
LAST = ["Silva", "Souza", "Oliveira", "Santos", "Lima", "Pereira", "Costa", "Rocha", "Araújo"]
SEGMENTS = ["varejo", "atacado", "b2b"]
BATCH = 5_000


def _setup() -> None:
    if not os.environ.get("VINCULO_DATA_DIR"):
        os.environ["VINCULO_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-exports-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def seed(rows: int, seed: int = 11) -> tuple[Any, float]:
    """A fresh workspace with ``rows`` people; returns its owner's actor and the seeding time."""
    from vinculo.contacts.services import bulk_create_people, create_custom_field
    from vinculo.core.actor import Source
    from vinculo.workspaces import services
    from vinculo.workspaces.selectors import actor_for

    stamp = datetime.now(UTC).strftime("%H%M%S%f")
    new = services.create_workspace(
        name=f"Exports {stamp}",
        owner_email=f"bench-{stamp}@exports.test",
        owner_password="bench-exports-password-1",  # noqa: S106
    )
    actor = actor_for(new.owner, new.workspace, source=Source.IMPORT)
    choices = [{"value": s, "label": s.title()} for s in SEGMENTS]
    create_custom_field(
        actor=actor,
        data={
            "object_type": "person",
            "key": "segmento",
            "label": "Segmento",
            "field_type": "choice",
            "choices": choices,
        },
    )
    create_custom_field(
        actor=actor,
        data={"object_type": "person", "key": "limite", "label": "Limite", "field_type": "money"},
    )
    rng = random.Random(seed)
    start = time.perf_counter()
    for offset in range(0, rows, BATCH):
        batch = [
            {
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "email": f"p{i}@empresa{i % 97}.com.br",
                "city": "São Paulo",
                "tags": ["feira"] if i % 3 == 0 else [],
                "custom_fields": {
                    "segmento": rng.choice(SEGMENTS),
                    "limite": f"{rng.randint(100, 99999)}.50",
                },
            }
            for i in range(offset, min(rows, offset + BATCH))
        ]
        result = bulk_create_people(actor=actor, rows=batch, max_rows=None)
        if result.errors:
            raise RuntimeError(f"seeding refused rows: {result.errors[:3]}")
    return actor, time.perf_counter() - start


def export_once(actor: Any, fmt: str, *, trace: bool) -> dict[str, Any]:
    from vinculo.quality.services.exports import ExportSpec, check_spec, write_export

    spec = check_spec(actor, ExportSpec(object_type="person"), fmt)
    with tempfile.TemporaryFile() as out:
        if trace:
            tracemalloc.start()
        start = time.perf_counter()
        count = write_export(actor, spec, fmt, out)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if trace else None
        if trace:
            tracemalloc.stop()
        size = out.tell()
    return {"rows": count, "seconds": seconds, "bytes": size, "peak_python_bytes": peak}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--no-audit", action="store_true", help="Skip the audit run.")
    args = parser.parse_args(argv)
    _setup()
    from django.db import connection

    from bench.run import machine

    actor, seed_seconds = seed(args.rows)
    exports: dict[str, Any] = {}
    for fmt in [f.strip() for f in args.formats.split(",") if f.strip()]:
        timed = export_once(actor, fmt, trace=False)
        traced = export_once(actor, fmt, trace=True)
        exports[fmt] = {
            "rows": timed["rows"],
            "seconds": round(timed["seconds"], 2),
            "rows_per_second": round(timed["rows"] / timed["seconds"]),
            "file_mib": round(timed["bytes"] / 2**20, 1),
            "peak_python_mib": round(traced["peak_python_bytes"] / 2**20, 1),
        }
    audit: dict[str, Any] | None = None
    if not args.no_audit:
        from vinculo.quality.services.audit import run_audit

        start = time.perf_counter()
        run = run_audit(actor=actor)
        audit = {"seconds": round(time.perf_counter() - start, 2), "score": run.score}
    report = {
        "benchmark": "quality-exports",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "rows": args.rows,
        "seed_seconds": round(seed_seconds, 1),
        "exports": exports,
        "audit": audit,
        "machine": machine(),
    }
    RESULTS.mkdir(exist_ok=True)
    base = RESULTS / f"{datetime.now(UTC):%Y-%m-%d}-quality-exports-{connection.vendor}"
    base.with_suffix(".json").write_text(json.dumps(report, indent=2))
    lines = [
        "# Exports and audit at size\n\n",
        f"{report['date']}, {report['database']}, {args.rows} people (2 custom fields, tags); "
        f"machine: {report['machine'].get('cpu_model')} x {report['machine'].get('cpu_count')}\n\n",
        "| format | rows | s | rows/s | file MiB | peak Python MiB |\n|---|---|---|---|---|---|\n",
        *(
            f"| {fmt} | {e['rows']} | {e['seconds']} | {e['rows_per_second']} | "
            f"{e['file_mib']} | {e['peak_python_mib']} |\n"
            for fmt, e in exports.items()
        ),
    ]
    if audit:
        lines.append(f"\nAudit of the workspace: {audit['seconds']} s (score {audit['score']}).\n")
    base.with_suffix(".md").write_text("".join(lines))
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
