"""Events ingested per second through the batch API (``POST /api/v1/events``, 1,000 per call).

A fresh database gets 100,000 people (the bulk path), then N events go through the real API
view — Django's test ``Client`` in this process, so URL routing, token authentication, JSON
parsing, the service and the response all run; no socket. The mix: purchases with items, page
views, bookings, form posts, custom events; ~5% replays of keys already sent (answered as
duplicates) and ~2% unknown people (created as leads). Reports events/s overall and for the
last 100,000 (no slowdown as the table grows), peak RSS and the machine; writes
``bench/results/<date>-events_ingest[-postgres].json`` and ``.md``.

``python -m bench.events_ingest --events 1000000 [--people 100000] [--database postgres]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_events"
BATCH = 1000


def _setup(database: str) -> None:
    if database == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_events")
            c.execute("CREATE DATABASE bench_events")
    os.environ["VINCULO_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-events-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _workspace(people: int) -> tuple[Any, str]:
    from vinculo.contacts.services import bulk_create_people
    from vinculo.core.actor import Source
    from vinculo.workspaces import services
    from vinculo.workspaces.selectors import actor_for

    new = services.create_workspace(
        name="Bench events",
        owner_email="bench@events-bench.com.br",
        owner_password="bench-events-password-1",  # noqa: S106
    )
    actor = actor_for(new.owner, new.workspace, source=Source.IMPORT)
    for start in range(0, people, 10_000):
        bulk_create_people(
            actor=actor,
            rows=[
                {"first_name": f"Pessoa {i}", "email": f"p{i}@cliente{i % 97}.com.br"}
                for i in range(start, min(people, start + 10_000))
            ],
            max_rows=None,
        )
    token = services.create_api_token(actor=actor, name="bench").plaintext
    return actor, token


def _event(rng: random.Random, i: int, people: int) -> dict[str, Any]:
    kind = rng.random()
    if rng.random() < 0.02:
        person = {"email": f"novo{i}@lead.com.br", "first_name": "Novo"}
    else:
        p = rng.randrange(people)
        person = {"email": f"p{p}@cliente{p % 97}.com.br"}
    row: dict[str, Any] = {"key": f"ev-{i}", "person": person}
    if kind < 0.2:
        row.update(
            name="purchase",
            order_id=str(i),
            items=[
                {
                    "sku": f"SKU{rng.randrange(50)}",
                    "quantity": 1 + rng.randrange(3),
                    "unit_price": f"{rng.randrange(500, 20000) / 100:.2f}",
                }
            ],
        )
    elif kind < 0.7:
        row.update(name="page_viewed", properties={"path": f"/p/{rng.randrange(200)}"})
    elif kind < 0.8:
        row.update(name="appointment_booked", properties={"starts_at": "2026-12-01T10:00:00Z"})
    elif kind < 0.9:
        row.update(name="form_submitted", properties={"form": "contato"})
    else:
        row.update(name="app.login", properties={"plan": "pro"})
    return row


def run(events: int, people: int, database: str) -> dict[str, Any]:
    _setup(database)
    from django.test import Client

    from bench.run import machine
    from vinculo.events.models import TrackedEvent

    t0 = time.perf_counter()
    _actor, token = _workspace(people)
    seed_seconds = time.perf_counter() - t0
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    rng = random.Random(6)
    sent = 0
    next_key = 0
    totals = {"created": 0, "duplicate": 0, "error": 0}
    marks: list[tuple[int, float]] = []
    start = time.perf_counter()
    while sent < events:
        size = min(BATCH, events - sent)
        rows = []
        for _ in range(size):
            if next_key > BATCH and rng.random() < 0.05:
                rows.append(_event(random.Random(k := rng.randrange(next_key)), k, people))
            else:
                rows.append(_event(rng, next_key, people))
                next_key += 1
        response = client.post(
            "/api/v1/events", data=json.dumps({"events": rows}), content_type="application/json"
        )
        assert response.status_code == 200, response.content[:500]
        for name, n in response.json()["counts"].items():
            totals[name] += n
        sent += size
        marks.append((sent, time.perf_counter()))
    elapsed = time.perf_counter() - start
    last_start = next((t for n, t in reversed(marks) if n <= events - 100_000), start)
    last_n = min(100_000, events)
    last_seconds = marks[-1][1] - last_start
    return {
        "benchmark": "events_ingest",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "path": "POST /api/v1/events through Django's test Client in process (no socket)",
        "people": people,
        "events_sent": events,
        "batch": BATCH,
        "answers": totals,
        "stored_events": TrackedEvent.objects.count(),
        "seconds": round(elapsed, 1),
        "events_per_second": round(events / elapsed),
        "last_100k_events_per_second": round(last_n / last_seconds) if last_seconds else None,
        "seed_people_seconds": round(seed_seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target": "≥ 5,000 events/s on SQLite",
        "machine": machine(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def write(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    suffix = "-postgres" if result["database"] == "postgres" else ""
    stem = f"{result['date'][:10]}-events_ingest{suffix}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    m = result["machine"]
    lines = [
        f"# Events ingest ({result['database']})",
        "",
        f"{result['path']}; {result['people']:,} existing people; batches of {result['batch']}.",
        "",
        "| events sent | created | duplicates | errors | seconds | events/s | last 100k events/s "
        "| peak RSS |",
        "|---|---|---|---|---|---|---|---|",
        f"| {result['events_sent']:,} | {result['answers']['created']:,} | "
        f"{result['answers']['duplicate']:,} | {result['answers']['error']:,} | "
        f"{result['seconds']} | {result['events_per_second']:,} | "
        f"{result['last_100k_events_per_second']:,} | {result['peak_rss_mb']} MB |",
        "",
        f"Target: {result['target']}. Machine: {m.get('cpu_model')} x {m.get('cpu_count')} cores, "
        f"{m.get('ram_gb')} GB RAM, load average at start {m.get('load_average_at_start')}, "
        f"at end {result.get('load_average_at_end')} (the machine is shared: other jobs ran).",
    ]
    path = RESULTS / f"{stem}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    result = run(args.events, args.people, args.database)
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    print(write(result))


if __name__ == "__main__":
    main()
