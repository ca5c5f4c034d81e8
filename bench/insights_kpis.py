"""Every registered KPI over one year at weekly grain, on a seeded workspace (issue 18).

A fresh database gets a workspace seeded by the demo generator (``--people`` people, ``--deals``
deals with their stage history, activities) and ``--purchases`` purchases spread over two
years (a ``purchase`` tracked event and its purchase row each, written in bulk, not timed).
Then each KPI of the registry is measured ``--repeat`` times through
``vinculo.core.kpis.measure`` (the code the API, the command line and the screens call) for the
last 364 days at weekly grain, with the previous period; and once more cut by owner where the
KPI allows it. Reports p50, p95 and the slowest time per KPI against the target (p95 < 300 ms),
the data sizes and the machine. Then each default dashboard is served through its page (a
logged-in Django test client's GET of ``/insights/dashboards/<id>/``: every widget measured,
the page rendered), ``--repeat`` times after a warm-up, against the target for the default
dashboard of 8 widgets (Sales): under 1 s. Writes
``bench/results/<date>-insights_kpis[-postgres].json`` and ``.md``.

``python -m bench.insights_kpis [--people 100000 --deals 20000 --purchases 1000000]
[--repeat 10] [--database postgres] [--dashboards-only]`` (``--dashboards-only``: the default
dashboards alone, no KPI table; written as ``…-insights_dashboards[-postgres]``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.run import machine, percentile, timed

RESULTS = Path(__file__).resolve().parent / "results"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DB = os.environ.get("BENCH_KPIS_DB", "bench_kpis")  # another name: two runs side by side
PG_URL = f"{PG_SERVER}/{PG_DB}"
TARGET_P95_MS = 300.0
TARGET_DASHBOARD_MS = 1000.0
BATCH = 20_000


def _setup(database: str, data_dir: str | None = None) -> None:
    if database == "postgres" and not data_dir:
        os.environ["DATABASE_URL"] = PG_URL
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            c.execute(f"CREATE DATABASE {PG_DB}")
    if database == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
    os.environ["VINCULO_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="bench-kpis-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed(people: int, deals: int) -> Any:
    from vinculo.core.actor import Source
    from vinculo.demo.generator import seed_workspace
    from vinculo.workspaces import services
    from vinculo.workspaces.selectors import actor_for

    new = services.create_workspace(
        name="Bench KPIs",
        owner_email="bench@kpis-bench.com.br",
        owner_password="bench-kpis-password-1",  # noqa: S106
    )
    actor = actor_for(new.owner, new.workspace, source=Source.IMPORT)
    seed_workspace(actor=actor, people=people, deals=deals)
    return actor


def _seeded() -> Any:
    """The bench workspace's owner as an actor, when a kept database has it (else None)."""
    from vinculo.core.actor import Source
    from vinculo.core.tenancy import Membership
    from vinculo.workspaces.selectors import actor_for

    owner = (
        Membership.objects.filter(
            workspace__name="Bench KPIs", user__email="bench@kpis-bench.com.br"
        )
        .select_related("user", "workspace")
        .order_by("pk")
        .first()
    )
    return actor_for(owner.user, owner.workspace, source=Source.IMPORT) if owner else None


def _purchases(actor: Any, count: int, seed: int = 7) -> None:
    """``count`` purchases of random people over the last two years, in bulk."""
    from vinculo.contacts.models import Person
    from vinculo.events.models import Purchase, TrackedEvent
    from vinculo.events.services.rollup import rebuild

    rng = random.Random(seed)
    ws = actor.workspace
    people = list(Person.objects.for_workspace(ws).values_list("pk", flat=True))
    now = datetime.now(UTC)
    made = 0
    while made < count:
        n = min(BATCH, count - made)
        moments = [now - timedelta(seconds=rng.randrange(730 * 86400)) for _ in range(n)]
        buyers = [rng.choice(people) for _ in range(n)]
        events = TrackedEvent.objects.bulk_create(
            TrackedEvent(workspace=ws, name="purchase", person_id=p, occurred_at=t, received_at=t)
            for p, t in zip(buyers, moments, strict=True)
        )
        Purchase.objects.bulk_create(
            Purchase(
                workspace=ws,
                event=e,
                person_id=e.person_id,
                amount=Decimal(rng.randrange(1000, 90000)) / 100,
                currency="BRL",
                occurred_at=e.occurred_at,
            )
            for e in events
        )
        made += n
    # Written in bulk, around the services: the hourly roll-up the purchase KPIs read is
    # rebuilt from them, as after any bulk load (``vinculo rollup``).
    rebuild(ws.pk)


def _dashboards(actor: Any, repeat: int) -> list[dict[str, Any]]:
    """Each default dashboard's page served to its owner, ``repeat`` times after a warm-up."""
    from django.test import Client

    from vinculo.insights.models import Dashboard

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(actor.user)
    rows = []
    found = Dashboard.objects.for_workspace(actor.workspace).filter(is_default=True)
    for dashboard in found.order_by("position"):
        path = f"/insights/dashboards/{dashboard.pk}/"

        def once(path: str = path) -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        once()  # warm-up
        times = timed(once, repeat)
        p95 = percentile(sorted(times), 95)  # nearest rank: never above the slowest
        rows.append(
            {
                "dashboard": dashboard.kind,
                "widgets": dashboard.widgets.count(),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(times), 1),
                "met": p95 < TARGET_DASHBOARD_MS,
            }
        )
        print(rows[-1], flush=True)
    return rows


def run(
    people: int,
    deals: int,
    purchases: int,
    repeat: int,
    database: str,
    *,
    kpis: bool = True,
    data_dir: str | None = None,
) -> dict[str, Any]:
    about = machine()
    _setup(database, data_dir)
    from django.db import connection
    from django.utils import timezone

    from vinculo.core.actor import Actor
    from vinculo.core.kpis import Grain, Scope, all_kpis, measure

    started = time.perf_counter()
    actor = _seeded() if data_dir else None
    reused = actor is not None
    if actor is None:
        actor = _seed(people, deals)
        _purchases(actor, purchases)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    seeding = time.perf_counter() - started
    scope = Scope(actor=Actor.system(actor.workspace))
    end = timezone.localdate()
    start = end - timedelta(days=363)
    rows = []
    for kpi in all_kpis() if kpis else []:

        def once(kpi: Any = kpi, group_by: str | None = None) -> Any:
            return measure(
                kpi.key, scope, start=start, end=end, grain=Grain.WEEK, group_by=group_by
            )

        once()  # warm-up
        times = timed(once, repeat)
        grouped = None
        if "owner" in kpi.dimensions:
            grouped = round(timed(lambda kpi=kpi: once(kpi, "owner"), 1)[0], 1)
        p95 = percentile(sorted(times), 95)  # nearest rank: never above the slowest
        rows.append(
            {
                "kpi": kpi.key,
                "value": str(once().value),
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(times), 1),
                "by_owner_ms": grouped,
                "met": p95 < TARGET_P95_MS,
            }
        )
        print(rows[-1], flush=True)
    dashboards = _dashboards(actor, repeat)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "people": people,
        "deals": deals,
        "purchases": purchases,
        "repeat": repeat,
        "period": f"{start}..{end}, weekly",
        "seeding_seconds": round(seeding, 1),
        "reused_data": reused,
        "target_p95_ms": TARGET_P95_MS,
        "kpis": rows,
        "target_dashboard_ms": TARGET_DASHBOARD_MS,
        "dashboards": dashboards,
        "machine": about,
        "load_average_at_end": list(os.getloadavg()),
    }


def write(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    suffix = "-postgres" if result["database"] == "postgres" else ""
    name = "insights_kpis" if result["kpis"] else "insights_dashboards"
    stem = f"{result['date'][:10]}-{name}{result.get('suffix', '')}{suffix}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    m = result["machine"]
    met = sum(1 for r in result["kpis"] if r["met"])
    lines = [
        f"# KPIs over one year at weekly grain ({result['database']})",
        "",
        f"{result['people']:,} people, {result['deals']:,} deals, {result['purchases']:,} "
        f"purchases; period {result['period']}, with the previous period; "
        f"{result['repeat']} runs per KPI after a warm-up. "
        + (
            f"Data seeded earlier by this bench and kept ({result['database']} in --data-dir)."
            if result.get("reused_data")
            else f"Seeding (not timed): {result['seeding_seconds']} s."
        ),
        "",
        f"p95 under {result['target_p95_ms']:.0f} ms: {met} of {len(result['kpis'])} KPIs.",
        "",
        "| KPI | value | p50 ms | p95 ms | slowest ms | by owner ms | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["kpis"]:
        owner = "" if r["by_owner_ms"] is None else r["by_owner_ms"]
        lines.append(
            f"| `{r['kpi']}` | {r['value']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} | "
            f"{owner} | {'met' if r['met'] else '**missed**'} |"
        )
    lines += _dashboard_lines(result)
    lines += [
        "",
        f"Machine: {m.get('cpu_model')} x {m.get('cpu_count')} cores, {m.get('ram_gb')} GB RAM, "
        f"load average at start {m.get('load_average_at_start')}, at end "
        f"{result.get('load_average_at_end')} (the machine is shared: other jobs ran).",
    ]
    path = RESULTS / f"{stem}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def _dashboard_lines(result: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Default dashboards served through their page",
        "",
        f"GET `/insights/dashboards/<id>/` logged in (every widget measured, the page rendered), "
        f"{result['repeat']} runs after a warm-up; target: the default dashboard of 8 widgets "
        f"under {result['target_dashboard_ms']:.0f} ms.",
        "",
        "| dashboard | widgets | p50 ms | p95 ms | slowest ms | under 1 s |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for r in result.get("dashboards", []):
        lines.append(
            f"| {r['dashboard']} | {r['widgets']} | {r['p50_ms']} | {r['p95_ms']} | "
            f"{r['max_ms']} | {'met' if r['met'] else '**missed**'} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--purchases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--dashboards-only", action="store_true")
    parser.add_argument(
        "--data-dir",
        help="keep the data here (SQLite) and reuse the workspace a previous run seeded there",
    )
    parser.add_argument("--suffix", default="", help="added to the results' file names")
    args = parser.parse_args()
    result = run(args.people, args.deals, args.purchases, args.repeat, args.database,
                 kpis=not args.dashboards_only, data_dir=args.data_dir)  # fmt: skip
    result["suffix"] = args.suffix
    print(write(result))


if __name__ == "__main__":
    main()
