"""Webhook deliveries per second to a local receiver, RQ backend (and the database one).

A fast receiver runs in its own process (``ThreadingHTTPServer``, HTTP/1.1 keep-alive, answers
200 and records when each delivery arrived). In a fresh database (SQLite by default), one
workspace with one subscription to ``person.created``:

1. **delivery only**: ``--events`` events are emitted in bulk and queued as deliveries while no
   worker runs; then ``--workers`` ``vinculo worker`` processes start and the clock runs until
   every delivery succeeded: deliveries/s of the sending path alone;
2. **end to end**: ``--e2e-events`` events emitted in bulk with the workers running: outbox
   dispatch → queueing → sending; deliveries/s and latency event → receiver (p50/p95; in a
   bulk burst the latency is mostly queueing time);
3. **steady rate**: ``--rate`` events/s for ``--seconds`` seconds in small batches; latency
   event → receiver (p50/p95) when the system keeps up.

Results go to ``bench/results/<date>-webhooks_delivery-<backend>.json`` and ``.md``.

``python -m bench.webhooks_delivery [--backend rq|db] [--events 20000] [--workers 2]``
(Redis db: ``VINCULO_BENCH_REDIS_URL``, default ``redis://127.0.0.1:6379/3``; it is flushed.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.run import ROOT, machine, vinculo_bin

RESULTS = ROOT / "bench" / "results"
# Flushed at the start: give each concurrent user of this bench its own Redis db.
REDIS_URL = os.environ.get("VINCULO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_webhooks"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


# --- the receiver (its own process) -------------------------------------------------------------


def receiver(port: int, out: str) -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    arrivals: list[tuple[float, str]] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            now = time.time()
            # created_at is near the start of the body; no need to parse the whole JSON.
            head = body[:200].decode("utf-8", "replace")
            start = head.find('"created_at":"') + 14
            created = head[start : head.find('"', start)]
            with lock:
                arrivals.append((now, created))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128

    def dump(*_args: object) -> None:
        with lock:
            Path(out).write_text(json.dumps(arrivals))
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)
    server.serve_forever()


# --- the driver ---------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(data_dir: Path, backend: str, database: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VINCULO_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"))
    }
    env.update(
        VINCULO_DATA_DIR=str(data_dir),
        VINCULO_TASKS=backend,
        REDIS_URL=REDIS_URL,
        VINCULO_LOG_LEVEL="WARNING",
        VINCULO_OUTBOUND_ALLOWED_NETWORKS="127.0.0.1/32",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    if database == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def _setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "vinculo.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Run:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args = args
        self.work = work
        self.env = _env(work / "data", args.backend, args.database)
        self.workers: list[subprocess.Popen[bytes]] = []

    def start_workers(self) -> None:
        for _ in range(self.args.workers):
            self.workers.append(
                subprocess.Popen(
                    [*vinculo_bin(), "worker"],
                    env=self.env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=open(self.work / "worker.log", "ab"),  # noqa: SIM115
                )
            )

    def stop_workers(self) -> None:
        for p in self.workers:
            p.terminate()
        for p in self.workers:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        self.workers = []


def _emit(actor: Any, start: int, count: int) -> None:
    from django.db import transaction

    from vinculo.core import events

    with transaction.atomic():
        events.emit_many(
            "person.created",
            actor=actor,
            subjects=[
                ("person", i, {"name": f"Pessoa {i}", "email": f"p{i}@bench.test"})
                for i in range(start, start + count)
            ],
        )


def _wait_delivered(total: int, timeout: float) -> float:
    from vinculo.integrations.models import DeliveryState, WebhookDelivery

    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        done = WebhookDelivery.objects.filter(status=DeliveryState.SUCCEEDED).count()
        if done >= total:
            return time.perf_counter() - start
        time.sleep(0.1)
    raise SystemExit(f"only part of {total} deliveries succeeded within {timeout} s")


def _latencies(arrivals: list[tuple[float, str]]) -> list[float]:
    out = []
    for arrived, created in arrivals:
        created_at = dt.datetime.fromisoformat(created).timestamp()
        out.append((arrived - created_at) * 1000)
    return out


def bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vinculo-webhooks-bench-") as tmp:
        work = Path(tmp)
        run = Run(args, work)
        if args.database == "postgres":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute('DROP DATABASE IF EXISTS "bench_webhooks" WITH (FORCE)')
                conn.execute('CREATE DATABASE "bench_webhooks"')
        _setup_django(run.env)
        import django_rq

        django_rq.get_queue("default").connection.flushdb()  # this bench's own db

        from django.db import connection

        from vinculo.core import events
        from vinculo.integrations import services
        from vinculo.integrations.models import WebhookAttempt, WebhookDelivery
        from vinculo.workspaces import services as ws_services
        from vinculo.workspaces.selectors import actor_for

        port = _free_port()
        arrivals_file = work / "arrivals.json"
        recv = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.webhooks_delivery",
                "--receiver",
                str(port),
                str(arrivals_file),
            ],
            env=run.env,
            cwd=ROOT,
        )
        time.sleep(1.0)
        new = ws_services.create_workspace(
            name="Bench Webhooks",
            owner_email="bench-webhooks@vinculo.test",
            owner_password="bench-webhooks-senha-1",  # noqa: S106
        )
        actor = actor_for(new.owner, new.workspace)
        services.create_subscription(
            actor=actor,
            data={
                "name": "bench",
                "url": f"http://127.0.0.1:{port}/hook",
                "event_types": ["person.created"],
            },
        )
        n = args.events
        result: dict[str, Any] = {"events": n, "backend": args.backend, "workers": args.workers}
        try:
            # 1. delivery only: queue everything first (outbox run here, no worker).
            _emit(actor, 0, n)
            while events.dispatch_due(limit=2000):
                pass
            queued = WebhookDelivery.objects.count()
            run.start_workers()
            seconds = _wait_delivered(queued, timeout=1800)
            result["delivery_only"] = {
                "deliveries": queued,
                "seconds": round(seconds, 2),
                "deliveries_per_s": round(queued / seconds),
            }
            print("delivery only", result["delivery_only"], flush=True)

            # 2. end to end, bulk.
            before = WebhookDelivery.objects.count()
            t0 = time.time()
            e2e = args.e2e_events
            _emit(actor, n, e2e)
            seconds = _wait_delivered(before + e2e, timeout=1800)
            result["end_to_end_bulk"] = {
                "deliveries": e2e,
                "seconds": round(seconds, 2),
                "deliveries_per_s": round(e2e / seconds),
                "emitted_at": t0,
            }
            print("end to end", result["end_to_end_bulk"], flush=True)

            # 3. steady rate.
            before = WebhookDelivery.objects.count()
            batch = max(1, args.rate // 10)
            total = 0
            t_start = time.time()
            t3 = time.perf_counter()
            while time.perf_counter() - t3 < args.seconds:
                _emit(actor, n + e2e + total, batch)
                total += batch
                time.sleep(max(0.0, t3 + total / args.rate - time.perf_counter()))
            _wait_delivered(before + total, timeout=600)
            result["steady"] = {"rate_per_s": args.rate, "events": total, "started_at": t_start}
        finally:
            run.stop_workers()
            recv.send_signal(signal.SIGTERM)
            recv.wait(timeout=30)
        arrivals = json.loads(arrivals_file.read_text())
        bulk = [a for a in arrivals if a[0] >= result["end_to_end_bulk"]["emitted_at"]]
        bulk_lat = _latencies([a for a in bulk if a[0] < result["steady"]["started_at"]])
        steady_lat = _latencies([a for a in arrivals if a[0] >= result["steady"]["started_at"]])
        for key, lat in (("end_to_end_bulk", bulk_lat), ("steady", steady_lat)):
            result[key]["latency_ms_p50"] = round(statistics.median(lat)) if lat else None
            result[key]["latency_ms_p95"] = round(_percentile(lat, 0.95)) if lat else None
        result["received"] = len(arrivals)
        result["attempts_recorded"] = WebhookAttempt.objects.count()
        result["database"] = connection.vendor
        return result


NOTE = (
    "The outbox hands events to the webhook consumer in batches of up to 500 (one claim, one "
    "transaction, bulk insert of the deliveries). Each delivery is a signed POST with its own "
    "attempt row (request headers, response status, headers, first KB of "
    "body, duration). One drain task per subscription claims batches of "
    "200 with a lease and sends them over 8 keep-alive connections. In the bulk phase latency "
    "is mostly time spent queued behind earlier events."
)


def table(report: dict[str, Any]) -> str:
    m = report["machine"]
    r = report["result"]
    d, e, s = r["delivery_only"], r["end_to_end_bulk"], r["steady"]
    return (
        "\n".join(
            [
                f"# Webhook delivery benchmark ({report['date']}, {r['backend']} backend, "
                f"{r['database']})",
                "",
                f"Machine: {m['cpu_model']}, {m['cpu_count']} CPUs, {m['ram_gb']} GB RAM, "
                f"Python {m['python']}; load at start {m['load_average_at_start']}. "
                f"{r['workers']} `vinculo worker` processes; receiver: a threaded Python HTTP/1.1 "
                "server in its own process on 127.0.0.1. Target: ≥ 500 deliveries/s with RQ.",
                "",
                "| phase | deliveries | seconds | deliveries/s | latency p50 ms | latency p95 ms |",
                "|---|---:|---:|---:|---:|---:|",
                f"| delivery only (queued, then workers start) | {d['deliveries']:,} "
                f"| {d['seconds']} | {d['deliveries_per_s']:,} | — | — |",
                f"| end to end, bulk emit (outbox → queue → send) | {e['deliveries']:,} "
                f"| {e['seconds']} | {e['deliveries_per_s']:,} | {e['latency_ms_p50']} "
                f"| {e['latency_ms_p95']} |",
                f"| steady {s['rate_per_s']} events/s | {s['events']:,} | — | — "
                f"| {s['latency_ms_p50']} | {s['latency_ms_p95']} |",
                "",
                NOTE,
            ]
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["rq", "db"], default="rq")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--e2e-events", type=int, default=5_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--receiver", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.receiver:
        receiver(int(args.receiver[0]), args.receiver[1])
        return
    report = {
        "benchmark": "webhooks_delivery",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "result": bench(args),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{report['date'][:10]}-webhooks_delivery-{args.backend}"
    if args.database == "postgres":
        stem += "-postgres"
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{stem}.md").write_text(table(report))
    print(table(report))


if __name__ == "__main__":
    main()
