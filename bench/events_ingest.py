"""Events ingested per second through the batch API (``POST /api/v1/events``, 1,000 per call).

A fresh database gets 100,000 people (the bulk path), then N events go through the real API
view — Django's test ``Client`` in this process, so URL routing, token authentication, JSON
parsing, the service and the response all run; no socket and no HTTP server (their cost does
not depend on us, and on this 2-core machine a server process would compete with the client for
the CPU). Each batch's JSON body is generated *before* its timer starts: only the server's
work is timed. The mix: purchases with items, page views, bookings, form posts, custom events;
~5% replays of keys already sent (answered as duplicates) and ~2% unknown people (created as
leads).

Reports events/s overall and for the last 100,000 (no slowdown as the table grows), peak RSS,
the machine and its load, and — SQLite only — the raw write floor measured in the same run: in
its own process and fresh database (same schema, same people), the same event stream written
with ``executemany`` (event, purchase, timeline entry, domain events, new leads), 1,000 events
per transaction, no validation, no look-ups, no JSON parsing, no ORM. The API cannot be faster
than that floor on the same machine at the same moment. Writes
``bench/results/<date>-events_ingest[-postgres].json`` and ``.md``.

``python -m bench.events_ingest --events 1000000 [--people 100000] [--database postgres]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
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


def _stream(events: int, people: int) -> Any:
    """The batches of the run, the same for the API and the floor (seeded)."""
    rng = random.Random(6)
    sent = next_key = 0
    while sent < events:
        size = min(BATCH, events - sent)
        rows = []
        for _ in range(size):
            if next_key > BATCH and rng.random() < 0.05:
                rows.append(_event(random.Random(k := rng.randrange(next_key)), k, people))
            else:
                rows.append(_event(rng, next_key, people))
                next_key += 1
        sent += size
        yield rows


def run(events: int, people: int, database: str) -> dict[str, Any]:
    _setup(database)
    from django.test import Client

    from bench.run import machine
    from vinculo.events.models import TrackedEvent

    at_start = machine()  # the load average before the run, not after it

    t0 = time.perf_counter()
    _actor, token = _workspace(people)
    seed_seconds = time.perf_counter() - t0
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
    totals = {"created": 0, "duplicate": 0, "error": 0}
    marks: list[tuple[int, float]] = []  # (events sent, server seconds so far)
    server = 0.0
    sent = 0
    analyze = _AutovacuumStandIn(database, people)
    for rows in _stream(events, people):
        body = json.dumps({"events": rows})  # client-side work: not timed
        t = time.perf_counter()
        response = client.post("/api/v1/events", data=body, content_type="application/json")
        server += time.perf_counter() - t
        assert response.status_code == 200, response.content[:500]
        for name, n in response.json()["counts"].items():
            totals[name] += n
        sent += len(rows)
        marks.append((sent, server))
        analyze(sent)
    elapsed = server
    start = 0.0
    last_start = next((t for n, t in reversed(marks) if n <= events - 100_000), start)
    floor = _floor(events, people) if database == "sqlite" else None
    last_n = min(100_000, events)
    last_seconds = marks[-1][1] - last_start
    return {
        "benchmark": "events_ingest",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "path": "POST /api/v1/events through Django's test Client in process (no socket); "
        "server time only (each body generated before its timer)",
        "people": people,
        "events_sent": events,
        "batch": BATCH,
        "answers": totals,
        "stored_events": TrackedEvent.objects.count(),
        "seconds": round(elapsed, 1),
        "events_per_second": round(events / elapsed),
        "last_100k_events_per_second": round(last_n / last_seconds) if last_seconds else None,
        "raw_write_floor": floor,
        "share_of_floor": round(events / elapsed / floor["events_per_second"], 2)
        if floor
        else None,
        "seed_people_seconds": round(seed_seconds, 1),
        "analyze_runs": analyze.runs,
        "analyze_seconds": round(analyze.seconds, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "target": "≥ 5,000 events/s on SQLite",
        "machine": at_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "floor_load_average_at_end": floor.get("load_average_at_end") if floor else None,
    }


class _AutovacuumStandIn:
    """On a PostgreSQL server whose autovacuum is off (this machine's test server), run what it
    would: ``ANALYZE`` once the rows written since the last one reach 10 % of the tables
    (autovacuum's default scale factor). Without statistics the planner takes a 100,000-row
    workspace for a few dozen rows and answers each batch's key and e-mail look-ups by walking the
    whole workspace: a bench of a server nobody would run. Not timed (autovacuum works in its own
    process); counted and reported. A no-op on SQLite and when autovacuum is on."""

    def __init__(self, database: str, people: int) -> None:
        self.runs, self.seconds, self.people, self.rows_at_last = 0, 0.0, people, 0
        self.active = False
        if database == "postgres":
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("SHOW autovacuum")
                self.active = cursor.fetchone()[0] == "off"
        self(0, force=True)

    def __call__(self, sent: int, *, force: bool = False) -> None:
        rows = self.people + sent  # the people, then about one row per table per event
        if not self.active or not (force or rows - self.rows_at_last >= self.rows_at_last // 10):
            return
        from django.db import connection

        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.seconds += time.perf_counter() - t
        self.runs += 1
        self.rows_at_last = rows


# --- the raw write floor (SQLite; in its own process and database) ------------------------------


def _floor(events: int, people: int) -> dict[str, Any]:
    """Run :func:`floor_worker` in a fresh process and data directory; its wall time is its own."""
    env = {**os.environ, "VINCULO_DATA_DIR": tempfile.mkdtemp(prefix="bench-events-floor-")}
    env.pop("DATABASE_URL", None)
    cmd = [sys.executable, "-m", "bench.events_ingest", "--floor-worker"]
    cmd += ["--events", str(events), "--people", str(people)]
    done = subprocess.run(cmd, env=env, cwd=RESULTS.parent.parent, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"floor worker failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def floor_worker(events: int, people: int) -> None:
    """The same event stream written with ``executemany`` on the app's own SQLite connection:
    per stored event its row, its purchase, its timeline entry and its ``event.received`` (and
    ``purchase.recorded``) domain events; a person row per new lead; replayed keys skipped.
    Person ids come from a dict built before the timer; rows are prepared before each batch's
    timer, which covers ``BEGIN`` … ``COMMIT`` only."""
    _setup("sqlite")
    from django.db import connection

    from vinculo.contacts.models import Person

    actor, _token = _workspace(people)
    ws, user = actor.workspace.pk, actor.user.pk
    by_email = dict(Person.objects.filter(workspace_id=ws).values_list("email", "id"))
    connection.ensure_connection()
    con = connection.connection
    con.isolation_level = None
    next_id = {"event": 1, "person": (max(by_email.values()) if by_email else 0) + 1}
    seen: set[str] = set()
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    server = 0.0
    stored = 0
    for rows in _stream(events, people):
        leads, evs, purchases, timeline, domain = [], [], [], [], []
        for row in rows:
            if row["key"] in seen:
                continue
            seen.add(row["key"])
            email = row["person"]["email"]
            pid = by_email.get(email)
            if pid is None:
                pid = by_email[email] = next_id["person"]
                next_id["person"] += 1
                leads.append((pid, now, now, "events", "Novo", email, ws))
            eid = next_id["event"]
            next_id["event"] += 1
            props = json.dumps(row.get("properties", {}))
            summary = f"Event {row['name']}"
            evs.append((eid, ws, row["name"], pid, now, now, props, row["key"], "api", summary))
            if row["name"] == "purchase":
                items = json.dumps(row["items"])
                purchases.append((ws, eid, pid, row["order_id"], "10.00", "BRL", items, now))
                payload = json.dumps({"event_id": eid, "person_id": pid, "amount": "10.00"})
                domain.append((ws, "purchase.recorded", str(eid), payload, user, now))
            data = json.dumps({"event_id": eid, "name": row["name"]})
            timeline.append((now, now, user, ws, f"event.{row['name']}", now, summary, data, pid))
            payload = json.dumps({"id": eid, "name": row["name"], "properties": props})
            domain.append((ws, "event.received", str(eid), payload, user, now))
        t = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.executemany(
            "INSERT INTO contacts_person (id, created_at, updated_at, street, number, complement, "
            "district, city, state, postal_code, country, source, custom_fields, first_name, "
            "last_name, email, phone, mobile_phone, cpf, job_title, gender, preferred_channel, "
            "interests, lifecycle_changed_at, workspace_id) VALUES (?, ?, ?, '', '', '', '', '', "
            "'', '', 'BR', ?, '{}', ?, '', ?, '', '', '', '', '', '', '[]', NULL, ?)",
            leads,
        )
        con.executemany(
            "INSERT INTO events_trackedevent (id, workspace_id, name, person_id, visitor_id, "
            "occurred_at, received_at, properties, key, source, summary) "
            "VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
            evs,
        )
        con.executemany(
            "INSERT INTO events_purchase (workspace_id, event_id, person_id, order_id, amount, "
            "currency, items, occurred_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            purchases,
        )
        con.executemany(
            "INSERT INTO activities_timelineentry (created_at, updated_at, created_by_id, "
            "workspace_id, kind, occurred_at, summary, data, person_id, actor_id, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'api')",
            timeline,
        )
        con.executemany(
            "INSERT INTO core_domainevent (workspace_id, name, subject_type, subject_id, "
            "payload, actor_id, source, occurred_at) VALUES (?, ?, 'tracked_event', ?, ?, ?, "
            "'api', ?)",
            domain,
        )
        con.execute("COMMIT")
        server += time.perf_counter() - t
        stored += len(evs)
    print(
        json.dumps(
            {
                "events_sent": events,
                "stored_events": stored,
                "seconds": round(server, 1),
                "events_per_second": round(events / server),
                "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


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
    ]
    floor = result.get("raw_write_floor")
    if floor:
        lines += [
            f"Raw SQLite write floor, same run (same stream, `executemany`, no validation): "
            f"{floor['events_per_second']:,} events/s; the API reached "
            f"{result['share_of_floor']} of it.",
            "",
        ]
    if result.get("analyze_runs"):
        lines += [
            "The server runs with autovacuum off: the bench ran `ANALYZE` "
            f"{result['analyze_runs']} times in its place, each time the tables had grown by 10 % "
            f"({result['analyze_seconds']} s, not timed).",
            "",
        ]
    lines += [
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
    parser.add_argument("--floor-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_worker:
        floor_worker(args.events, args.people)
        return
    result = run(args.events, args.people, args.database)
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))
    print(write(result))


if __name__ == "__main__":
    main()
