"""The benchmark harness behind ``make bench`` (``python -m bench``).

For each database asked for it:

1. creates a fresh database (a SQLite file in a temporary data dir; for PostgreSQL it drops and
   creates ``vinculo_bench``) and migrates it;
2. seeds it with ``vinculo demo --people N --deals M --busy 1000`` (the demo generator through the
   bulk services) and records the seeding time per phase;
3. creates an API token with ``vinculo token create``;
4. starts a real server (``vinculo serve --no-worker``) on a free port of 127.0.0.1;
5. runs each scenario with concurrent keep-alive HTTP clients (threads + ``http.client``): a
   warm-up, then the measured requests; reports p50/p95/p99 latency and requests per second;
6. stops the server and writes ``bench/results/<date>-<db>.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "vinculo_bench"
PG_BENCH_URL = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"

TARGETS = {"read_p95_ms": 50.0, "write_p95_ms": 100.0, "seed_seconds": 60.0}
DEMO_PASSWORD = "cafe-com-leite-42"  # noqa: S105  (the printed demo login)
# Server time of the web screens (issue 4): people list, a person page whose timeline has
# 1,000 entries, the board of the busiest pipeline.
UI_TARGETS = {"ui_people_list": 150.0, "ui_person_page": 150.0, "ui_board": 300.0}
FILTER_STAGES = ["customer", "lead", "mql", "sql", "opportunity", "subscriber", "advocate"]


class BenchError(RuntimeError):
    """A step of the harness failed; the message says which and why."""


# --- machine -----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": model or platform.machine(),
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


# --- processes ---------------------------------------------------------------------------------


def vinculo_bin() -> list[str]:
    exe = Path(sys.executable).with_name("vinculo")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vinculo"]


def bench_env(data_dir: Path, database: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VINCULO_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(
        VINCULO_DATA_DIR=str(data_dir),
        VINCULO_TASKS="db",
        VINCULO_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), str(ROOT)])),
    )
    if database == "postgres":
        env["DATABASE_URL"] = PG_BENCH_URL
    return env


def run(cmd: list[str], env: dict[str, str], what: str, timeout: float = 3600) -> str:
    try:
        done = subprocess.run(
            cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: no answer after {timeout:.0f} s ({' '.join(cmd)})") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-15:]
        raise BenchError(f"{what} failed (exit {done.returncode}):\n  " + "\n  ".join(tail))
    return done.stdout


def reset_postgres(*, create: bool = True) -> str:
    """Drop the benchmark database and (unless ``create`` is false) create it empty."""
    try:
        import psycopg
    except ImportError:  # pragma: no cover
        raise BenchError("psycopg is not installed: cannot reach PostgreSQL") from None
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
            if create:
                conn.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')
            return str(conn.execute("SHOW server_version").fetchone()[0])
    except psycopg.OperationalError as exc:
        raise BenchError(f"PostgreSQL at {PG_ADMIN_URL} does not answer: {exc}") from None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``vinculo serve`` in a child process; :meth:`stop` always kills it."""

    def __init__(self, env: dict[str, str], threads: int, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log = log_path.open("w")
        cmd = [
            *vinculo_bin(),
            "serve",
            "--no-worker",
            "--no-migrate",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--threads",
            str(threads),
        ]
        self.process = subprocess.Popen(
            cmd, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(
                    f"the server exited with code {self.process.returncode}:\n" + self._tail()
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.25)
        raise BenchError(
            f"the server did not answer /healthz within {timeout:.0f} s:\n" + self._tail()
        )

    def _tail(self) -> str:
        self._log.flush()
        lines = self.log_path.read_text(errors="replace").strip().splitlines()[-20:]
        return "  " + "\n  ".join(lines)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


# --- load generation ---------------------------------------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    body: dict[str, Any] | None = None


@dataclass
class Scenario:
    name: str
    kind: str  # read | write
    description: str
    # (thread index, thread count, how many) → that thread's requests, in order
    plan: Callable[[int, int, int], list[Request]]
    expect: tuple[int, ...] = (200,)
    auth: str = "token"  # token (API) | session (the web screens, signed in)
    target_ms: float | None = None  # overrides the read/write target (web screens)


@dataclass
class Outcome:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _headers(auth: dict[str, str], scenario: Scenario) -> dict[str, str]:
    if scenario.auth == "session":
        return {"Cookie": auth["cookie"], "Accept": "text/html", "Accept-Language": "pt-br"}
    return {
        "Authorization": f"Bearer {auth['token']}",
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Accept-Language": "en",
    }


def session_cookie(port: int, email: str, password: str) -> str:
    """Sign in through the login page (CSRF included) and return the Cookie header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/login/")
        response = conn.getresponse()
        page = response.read().decode()
        cookies = _cookies(response)
        marker = 'name="csrfmiddlewaretoken" value="'
        form_token = page.split(marker, 1)[1].split('"', 1)[0]
        body = urllib.parse.urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": form_token}
        )
        conn.request(
            "POST",
            "/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            },
        )
        response = conn.getresponse()
        response.read()
        cookies.update(_cookies(response))
        if response.status != 302 or "sessionid" not in cookies:
            raise BenchError(f"could not sign in as {email} (HTTP {response.status})")
        return "; ".join(f"{k}={v}" for k, v in cookies.items())
    finally:
        conn.close()


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    found = {}
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def _worker(
    port: int,
    headers: dict[str, str],
    requests: list[Request],
    expect: tuple[int, ...],
    out: Outcome,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for req in requests:
            body = json.dumps(req.body) if req.body is not None else None
            started = time.perf_counter()
            try:
                conn.request(req.method, req.path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                out.errors.append(f"{req.method} {req.path}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.status in expect:
                out.latencies_ms.append(elapsed)
            else:
                out.errors.append(f"{req.method} {req.path} → {response.status}: {payload[:300]!r}")
    finally:
        conn.close()


def drive(
    port: int,
    auth: dict[str, str],
    scenario: Scenario,
    count: int,
    concurrency: int,
    offset: int = 0,
) -> tuple[Outcome, float]:
    """Send ``count`` requests of ``scenario`` over ``concurrency`` connections."""
    per_thread = [
        count // concurrency + (1 if t < count % concurrency else 0) for t in range(concurrency)
    ]
    outcomes = [Outcome() for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=_worker,
            args=(
                port,
                _headers(auth, scenario),
                scenario.plan(t + offset, concurrency, n),
                scenario.expect,
                outcomes[t],
            ),
            daemon=True,
        )
        for t, n in enumerate(per_thread)
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    merged = Outcome()
    for o in outcomes:
        merged.latencies_ms.extend(o.latencies_ms)
        merged.errors.extend(o.errors)
    return merged, wall


def timed(call: Callable[[], Any], repeat: int) -> list[float]:
    """Milliseconds of ``repeat`` calls of ``call``, one after the other."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


# --- scenarios ---------------------------------------------------------------------------------


def scenarios(prepared: dict[str, Any], run_tag: str) -> list[Scenario]:
    people = prepared["people_sample"]
    busy = prepared["busy_person_id"]
    deals = prepared["deals_sample"]
    deal_stage = {d["id"]: d["stage_id"] for d in deals}  # where each deal is now

    def list_people(t: int, n_threads: int, count: int) -> list[Request]:
        out = []
        for i in range(count):
            stage = FILTER_STAGES[(t + i * n_threads) % len(FILTER_STAGES)]
            tree = {"and": [{"field": "lifecycle_stage", "op": "eq", "value": stage}]}
            query = urllib.parse.urlencode({"filter": json.dumps(tree), "limit": 50})
            out.append(Request("GET", f"/api/v1/people?{query}"))
        return out

    def read_person(t: int, n_threads: int, count: int) -> list[Request]:
        return [
            Request("GET", f"/api/v1/people/{people[(t + i * n_threads) % len(people)]}")
            for i in range(count)
        ]

    def timeline(t: int, n_threads: int, count: int) -> list[Request]:
        return [Request("GET", f"/api/v1/people/{busy}/timeline?limit=50")] * count

    serials = itertools.count(1)  # plans are built one at a time, before threads start

    def create_person(t: int, n_threads: int, count: int) -> list[Request]:
        from vinculo.demo.documents import cpf_from_base

        out = []
        for i in range(count):
            serial = next(serials) % 1_000_000
            # CPF bases below 1,000,000: a range the generator never draws from
            cpf = cpf_from_base(serial)
            out.append(
                Request(
                    "POST",
                    "/api/v1/people",
                    {
                        "first_name": "Bench",
                        "last_name": f"Pessoa {t}-{i}",
                        "email": f"bench.{run_tag}.{serial}@example.com.br",
                        "mobile_phone": f"+5511998{serial:06d}",
                        "cpf": cpf,
                        "lifecycle_stage": "lead",
                        "source": "benchmark",
                        "tags": ["benchmark"],
                        "city": "São Paulo",
                        "state": "SP",
                        "country": "BR",
                    },
                )
            )
        return out

    def move_deal(t: int, n_threads: int, count: int) -> list[Request]:
        # each thread owns its deals, so two clients never move the same deal at once
        mine = deals[t % n_threads :: n_threads] or deals[:1]
        current = deal_stage
        out = []
        for i in range(count):
            deal = mine[i % len(mine)]
            stages = deal["open_stages"]
            here = stages.index(current[deal["id"]]) if current[deal["id"]] in stages else 0
            target = stages[(here + 1) % len(stages)]
            current[deal["id"]] = target
            out.append(Request("POST", f"/api/v1/deals/{deal['id']}/move", {"stage_id": target}))
        return out

    found = [
        Scenario(
            "list_people_filtered",
            "read",
            "GET /api/v1/people?filter={lifecycle_stage eq …}&limit=50",
            list_people,
        ),
        Scenario("read_person", "read", "GET /api/v1/people/{id}", read_person),
    ]
    if busy:
        found.append(
            Scenario(
                "person_timeline",
                "read",
                f"GET /api/v1/people/{{id}}/timeline?limit=50 "
                f"(a person with {prepared['busy_person_entries']:,} entries)",
                timeline,
            )
        )
    found.append(
        Scenario("create_person", "write", "POST /api/v1/people", create_person, (200, 201))
    )
    found.append(
        Scenario(
            "ui_people_list",
            "read",
            "GET /people/ (the web screen, 50 rows, signed in)",
            lambda t, n, count: [Request("GET", "/people/")] * count,
            auth="session",
            target_ms=UI_TARGETS["ui_people_list"],
        )
    )
    if busy:
        found.append(
            Scenario(
                "ui_person_page",
                "read",
                f"GET /people/{{id}}/ (360° page, timeline of "
                f"{prepared['busy_person_entries']:,} entries)",
                lambda t, n, count: [Request("GET", f"/people/{busy}/")] * count,
                auth="session",
                target_ms=UI_TARGETS["ui_person_page"],
            )
        )
    board = prepared.get("board_pipeline")
    if board:
        found.append(
            Scenario(
                "ui_board",
                "read",
                f"GET /deals/?pipeline={{id}} (kanban, {board['open_deals']:,} open deals)",
                lambda t, n, count: [Request("GET", f"/deals/?pipeline={board['id']}")] * count,
                auth="session",
                target_ms=UI_TARGETS["ui_board"],
            )
        )
    if deals:
        found.append(
            Scenario(
                "move_deal",
                "write",
                "POST /api/v1/deals/{id}/move {stage_id} (open stages, round robin)",
                move_deal,
            )
        )
    return found


# --- one database ------------------------------------------------------------------------------


def bench_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"vinculo-bench-{database}-"))
    env = bench_env(data_dir, database)
    report: dict[str, Any] = {
        "database": database,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {
            "people": args.people,
            "deals": args.deals,
            "activities": args.activities or args.people,
            "busy_person_activities": args.busy,
            "requests_per_scenario": args.requests,
            "warmup_per_scenario": args.warmup,
            "concurrency": args.concurrency,
            "server_threads": args.server_threads,
            "seed": args.seed,
        },
        "targets": TARGETS,
    }
    server = None
    try:
        say(f"[{database}] fresh database in {data_dir}")
        if database == "postgres":
            reset_postgres()
        started = time.perf_counter()
        run([*vinculo_bin(), "migrate"], env, "migrate")
        report["migrate_seconds"] = round(time.perf_counter() - started, 2)
        say(f"[{database}] seeding {args.people:,} people, {args.deals:,} deals…")
        cmd = [
            *vinculo_bin(),
            "demo",
            "--people",
            str(args.people),
            "--deals",
            str(args.deals),
            "--busy",
            str(args.busy),
            "--seed",
            str(args.seed),
            "--json",
        ]
        if args.activities:
            cmd += ["--activities", str(args.activities)]
        started = time.perf_counter()
        out = run(cmd, env, "seeding (vinculo demo)")
        wall = time.perf_counter() - started
        summary = json.loads(out.strip().splitlines()[-1])
        if summary.get("row_errors"):
            raise BenchError(f"seeding refused rows: {summary.get('first_errors')}")
        report["seeding"] = {
            "seconds": summary["seconds"],
            "command_wall_seconds": round(wall, 2),
            "phases": summary["phases"],
            "created": {
                k: summary[k]
                for k in ("companies", "people", "deals", "activities", "tasks", "pipelines")
            },
        }
        say(f"[{database}] seeded in {summary['seconds']:.1f} s {summary['phases']}")
        token = run(
            [*vinculo_bin(), "token", "create", "--workspace", "demo", "--user",
             "demo@vinculo.local", "--name", "benchmark"],
            env,
            "token create",
        ).strip().splitlines()[-1]  # fmt: skip
        prep_cmd = [sys.executable, "-m", "bench.prepare", "--sample", "500"]
        if summary.get("busy_person_id"):
            prep_cmd += ["--busy-person", str(summary["busy_person_id"])]
        prepared = json.loads(run(prep_cmd, env, "sampling records").strip().splitlines()[-1])
        report["data"] = prepared["sizes"]
        report["database_version"] = prepared["database_version"]
        server = Server(env, args.server_threads, data_dir / "server.log")
        server.wait_ready()
        say(f"[{database}] server up on port {server.port}; measuring…")
        auth = {
            "token": token,
            "cookie": session_cookie(server.port, "demo@vinculo.local", DEMO_PASSWORD),
        }
        report["runs"] = []
        run_tag = str(int(time.time()) % 1_000_000)
        for scenario in scenarios(prepared, run_tag):
            if args.only and scenario.name not in args.only:
                continue
            for concurrency in args.concurrency:
                result = measure(server.port, auth, scenario, concurrency, args)
                report["runs"].append(result)
                say(
                    f"[{database}] {scenario.name:<21} c={concurrency:<2} "
                    f"p50 {result['p50_ms']:>7} ms  p95 {result['p95_ms']:>7} ms  "
                    f"p99 {result['p99_ms']:>7} ms  {result['requests_per_second']:>6} req/s  "
                    f"errors {result['errors']}"
                )
        report["seeding"]["meets_target"] = report["seeding"]["seconds"] < TARGETS["seed_seconds"]
    finally:
        if server is not None:
            server.stop()
        if database == "postgres" and not args.keep:
            with contextlib.suppress(BenchError):
                reset_postgres(create=False)
        if args.keep:
            say(f"[{database}] data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return report


def measure(
    port: int,
    auth: dict[str, str],
    scenario: Scenario,
    concurrency: int,
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Warm up, then time ``args.requests`` requests at ``concurrency``."""
    warm, _ = drive(port, auth, scenario, args.warmup, concurrency)
    outcome, wall = drive(port, auth, scenario, args.requests, concurrency, offset=concurrency)
    lat = sorted(outcome.latencies_ms)
    target = (
        scenario.target_ms or TARGETS["read_p95_ms" if scenario.kind == "read" else "write_p95_ms"]
    )
    p95 = round(percentile(lat, 95), 1)
    return {
        "scenario": scenario.name,
        "kind": scenario.kind,
        "request": scenario.description,
        "concurrency": concurrency,
        "requests": args.requests,
        "ok": len(lat),
        "errors": len(outcome.errors),
        "first_errors": (warm.errors + outcome.errors)[:3],
        "p50_ms": round(percentile(lat, 50), 1),
        "p95_ms": p95,
        "p99_ms": round(percentile(lat, 99), 1),
        "max_ms": round(lat[-1], 1) if lat else None,
        "requests_per_second": round(len(lat) / wall, 1) if wall else None,
        "target_p95_ms": target,
        "meets_target": bool(lat) and not outcome.errors and p95 < target,
    }


# --- reporting ---------------------------------------------------------------------------------


def table(report: dict[str, Any]) -> str:
    m = report["machine"]
    s = report["seeding"]
    data = report["data"]
    lines = [
        f"## {report['database_version']} — {report['started_at']}",
        "",
        f"Machine: {m['cpu_count']} CPUs ({m['cpu_model']}), {m['ram_gb']} GB RAM, "
        f"Python {m['python']}; load average at start {m['load_average_at_start']}.",
        f"Data: {data['people']:,} people, {data['companies']:,} companies, "
        f"{data['deals']:,} deals ({data['stage_changes']:,} stage changes), "
        f"{data['activities']:,} activities, {data['timeline_entries']:,} timeline entries; "
        f"database {data['database_bytes'] / 1e6:,.0f} MB.",
        "",
        f"Seeding: **{s['seconds']:.1f} s** (target < {TARGETS['seed_seconds']:.0f} s"
        f"{', met' if s.get('meets_target') else ', missed'}); phases: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in s["phases"].items())
        + ".",
        "",
        f"Requests: {report['parameters']['requests_per_scenario']} per scenario after "
        f"{report['parameters']['warmup_per_scenario']} warm-up, "
        "keep-alive clients (c = how many at once); server threads "
        f"{report['parameters']['server_threads']}.",
        "",
        "| scenario | c | p50 ms | p95 ms | p99 ms | req/s | errors | p95 target |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report.get("runs", []):
        verdict = "met" if r["meets_target"] else "**missed**"
        target = f"< {r['target_p95_ms']:.0f} ms {verdict}"
        lines.append(
            f"| {r['scenario']} | {r['concurrency']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['p99_ms']} | {r['requests_per_second']} | {r['errors']} | {target} |"
        )
    return "\n".join(lines) + "\n"


def write_results(report: dict[str, Any]) -> tuple[Path, Path]:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{report['started_at'][:10]}-{report['database']}"
    json_path = RESULTS / f"{stem}.json"
    md_path = RESULTS / f"{stem}.md"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    md_path.write_text("# Vínculo benchmark\n\n" + table(report))
    return json_path, md_path


def say(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--activities", type=int, default=0, help="Default: one per person.")
    parser.add_argument(
        "--busy", type=int, default=1000, help="Timeline entries of the timeline scenario's person."
    )
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=500, help="Measured requests per scenario.")
    parser.add_argument("--warmup", type=int, default=50, help="Warm-up requests per scenario.")
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 4],
        help="Concurrent HTTP clients; each scenario runs once per value (default: 1 4).",
    )
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--only", nargs="*", help="Run only these scenarios.")
    parser.add_argument("--keep", action="store_true", help="Keep the data dir and database.")
    args = parser.parse_args(argv)
    if min(args.concurrency) < 1 or args.requests < 1:
        parser.error("--concurrency and --requests must be at least 1")
    sys.path.insert(0, str(ROOT / "src"))
    databases = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    failed = False
    for database in databases:
        try:
            report = bench_database(database, args)
        except BenchError as exc:
            print(f"[{database}] benchmark failed: {exc}", file=sys.stderr)
            failed = True
            continue
        json_path, md_path = write_results(report)
        print()
        print(table(report))
        print(f"written: {json_path.relative_to(ROOT)}, {md_path.relative_to(ROOT)}")
    if failed:
        raise SystemExit(1)
