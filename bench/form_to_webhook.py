"""Time from a web-form submit to its webhook reaching the receiver (target p95 < 2 s).

A real ``vinculo serve`` process (web server + its embedded database task worker, SQLite, the
embedded default) serves a form; a receiver process listens on 127.0.0.1; a subscription to
``form.submitted`` points at it. ``--posts`` JSON posts go over HTTP to ``/f/<key>/submit``,
one every ``--interval`` seconds; for each, the time from starting the POST to the receiver
getting the webhook (matched by the submitted email) is measured.

``python -m bench.form_to_webhook [--posts 200] [--interval 0.1]``; writes
``bench/results/<date>-form_to_webhook.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.run import ROOT, machine, vinculo_bin
from bench.webhooks_delivery import _free_port, _percentile

RESULTS = ROOT / "bench" / "results"


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
            try:
                email = json.loads(body)["data"]["payload"]["fields"]["email"]
            except (ValueError, KeyError, TypeError):
                email = ""
            with lock:
                arrivals.append((now, email))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True

    def dump(*_args: object) -> None:
        with lock:
            Path(out).write_text(json.dumps(arrivals))
        os._exit(0)

    signal.signal(signal.SIGTERM, dump)
    server.serve_forever()


def _env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VINCULO_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(
        VINCULO_DATA_DIR=str(data_dir),
        VINCULO_TASKS="db",
        VINCULO_LOG_LEVEL="WARNING",
        VINCULO_OUTBOUND_ALLOWED_NETWORKS="127.0.0.1/32",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    for name in ("RATE_PER_IP", "RATE_PER_FORM", "RATE_COLLECT"):
        env[f"VINCULO_WEBFORMS_{name}"] = "100000000/60"
    return env


def _wait_port(port: int, timeout: float = 60) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing answers on port {port}")


def bench(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="vinculo-form-webhook-bench-") as tmp:
        work = Path(tmp)
        env = _env(work / "data")
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "vinculo.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from vinculo.core.actor import Source
        from vinculo.integrations import services as webhooks
        from vinculo.webforms import services as forms
        from vinculo.webforms.services import render_token
        from vinculo.workspaces import services as workspaces
        from vinculo.workspaces.selectors import actor_for

        new = workspaces.create_workspace(
            name="Bench form webhooks",
            owner_email="bench-form-webhooks@vinculo.test",
            owner_password="cafe-pao-queijo-77",  # noqa: S106
        )
        actor = actor_for(new.owner, new.workspace, source=Source.API)
        form = forms.create_form(
            actor=actor,
            data={
                "name": "Contato",
                "fields": [
                    {"key": "first_name", "required": True},
                    {"key": "email", "required": True},
                ],
                "min_seconds": 0,
            },
        )
        recv_port, web_port = _free_port(), _free_port()
        arrivals_file = work / "arrivals.json"
        webhooks.create_subscription(
            actor=actor,
            data={
                "name": "bench",
                "url": f"http://127.0.0.1:{recv_port}/hook",
                "event_types": ["form.submitted"],
            },
        )
        recv = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.form_to_webhook",
                "--receiver",
                str(recv_port),
                str(arrivals_file),
            ],
            env=env,
            cwd=ROOT,
        )
        serve = subprocess.Popen(
            [*vinculo_bin(), "serve", "--port", str(web_port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "serve.log", "ab"),  # noqa: SIM115
        )
        sent: dict[str, float] = {}
        try:
            _wait_port(recv_port)
            _wait_port(web_port)
            token = render_token(form)
            conn = http.client.HTTPConnection("127.0.0.1", web_port, timeout=30)
            url = f"/f/{form.public_key}/submit"
            time.sleep(1.0)  # let the embedded worker start
            for i in range(args.posts):
                email = f"lead{i}@bench-forms.com.br"
                body = json.dumps(
                    {"fields": {"first_name": f"Lead {i}", "email": email}, "token": token}
                )
                sent[email] = time.time()
                conn.request("POST", url, body=body, headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                if response.status != 201:
                    raise SystemExit(f"post {i}: {response.status} {data[:300]!r}")
                time.sleep(args.interval)
            deadline = time.monotonic() + 120
            from vinculo.integrations.models import DeliveryState, WebhookDelivery

            while time.monotonic() < deadline:
                done = WebhookDelivery.objects.filter(status=DeliveryState.SUCCEEDED).count()
                if done >= args.posts:
                    break
                time.sleep(0.2)
        finally:
            serve.send_signal(signal.SIGINT)
            try:
                serve.wait(timeout=20)
            except subprocess.TimeoutExpired:
                serve.kill()
            recv.send_signal(signal.SIGTERM)
            recv.wait(timeout=30)
        arrivals = json.loads(arrivals_file.read_text())
        latencies = [(t - sent[e]) * 1000 for t, e in arrivals if e in sent]
        return {
            "posts": args.posts,
            "interval_s": args.interval,
            "received": len(latencies),
            "latency_ms_p50": round(statistics.median(latencies)) if latencies else None,
            "latency_ms_p95": round(_percentile(latencies, 0.95)) if latencies else None,
            "latency_ms_max": round(max(latencies)) if latencies else None,
        }


def table(report: dict[str, Any]) -> str:
    m, r = report["machine"], report["result"]
    return (
        "\n".join(
            [
                f"# Form submit → webhook benchmark ({report['date']})",
                "",
                f"Machine: {m['cpu_model']}, {m['cpu_count']} CPUs, {m['ram_gb']} GB RAM, "
                f"Python {m['python']}; load at start {m['load_average_at_start']}. "
                "`vinculo serve` (SQLite, embedded database task worker) and a receiver process "
                "on 127.0.0.1. Target: p95 < 2 s.",
                "",
                "| posts | one every s | received | p50 ms | p95 ms | max ms |",
                "|---:|---:|---:|---:|---:|---:|",
                f"| {r['posts']} | {r['interval_s']} | {r['received']} | {r['latency_ms_p50']} "
                f"| {r['latency_ms_p95']} | {r['latency_ms_max']} |",
                "",
                "Measured from the start of the HTTP POST to /f/<key>/submit to the receiver "
                "reading the signed webhook: the submit, the outbox dispatch task, the webhook "
                "consumer, the drain task and the HTTP call.",
            ]
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--receiver", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.receiver:
        receiver(int(args.receiver[0]), args.receiver[1])
        return
    report = {
        "benchmark": "form_to_webhook",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "result": bench(args),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{report['date'][:10]}-form_to_webhook"
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{stem}.md").write_text(table(report))
    print(table(report))


if __name__ == "__main__":
    main()
