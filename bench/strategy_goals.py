"""The goals page with 200 goals over 100,000 people (issue 19: < 1 s).

A fresh database gets a workspace with ``--people`` people, ``--deals`` deals (won, lost and
open, spread over the last 200 days among ten reps) and ``--goals`` goals: per rep, quotas of
deals won and new revenue under two team goals; the rest on new people (some cut by a segment
of people), deals won by source, win rate and sales cycle as levels. Seeding is not timed. Then
the daily measurement of every goal (``measure_workspace``, what the job does) is timed once,
and the goals page (``/strategy/goals/``, a signed-in GET: the stored measurements, no KPI
measured) ``--repeat`` times. Writes ``bench/results/<date>-strategy_goals[-postgres].json``
and ``.md``.

``python -m bench.strategy_goals [--people 100000] [--deals 20000] [--goals 200] [--repeat 20]
[--database postgres]``
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
from pathlib import Path
from typing import Any

from bench.run import machine

RESULTS = Path(__file__).resolve().parent / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_goals"
TARGET_SECONDS = 1.0
REVIEW_TARGET_SECONDS = 10.0
BATCH = 10_000
PASSWORD = "bench-goals-password-1"  # noqa: S105
REPS = 10


def _setup(database: str) -> None:
    if database == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_goals")
            c.execute("CREATE DATABASE bench_goals")
    os.environ["VINCULO_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-goals-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed(people: int, deals: int, seed: int = 7) -> tuple[Any, list[Any]]:
    from django.utils import timezone

    from vinculo.contacts.models import Person
    from vinculo.core.actor import Source
    from vinculo.core.tenancy import Role
    from vinculo.sales.models import Deal, DealStatus, Pipeline, Stage, StageKind
    from vinculo.workspaces import services
    from vinculo.workspaces.selectors import actor_for

    new = services.create_workspace(
        name="Bench goals", owner_email="bench@goals-bench.com.br", owner_password=PASSWORD
    )
    actor = actor_for(new.owner, new.workspace, source=Source.IMPORT)
    ws = new.workspace
    reps = [new.owner] + [
        services.add_member(
            actor=actor, email=f"rep{i}@goals-bench.com.br", role=Role.SALES_REP
        ).membership.user
        for i in range(1, REPS)
    ]
    rng = random.Random(seed)
    now = timezone.now()
    cities = ["Recife", "Natal", "Salvador", "Fortaleza", "São Paulo"]
    made = Person.objects.bulk_create(
        [
            Person(
                workspace=ws,
                first_name=f"Pessoa {i}",
                city=rng.choice(cities),
                source=rng.choice(["site", "indicação", "evento", "google"]),
                owner=rng.choice(reps),
                created_at=now - timedelta(days=rng.uniform(0, 400)),
            )
            for i in range(people)
        ],
        batch_size=BATCH,
    )
    pipeline = Pipeline.objects.for_workspace(ws).get(is_default=True)
    stages = {
        k: Stage.objects.for_workspace(ws).filter(pipeline=pipeline, kind=k).first()
        for k in (StageKind.WON, StageKind.LOST, StageKind.OPEN)
    }
    rows = []
    for i in range(deals):
        status = rng.choices([DealStatus.WON, DealStatus.LOST, DealStatus.OPEN], [4, 3, 3])[0]
        created = now - timedelta(days=rng.uniform(1, 200))
        kind = {DealStatus.WON: StageKind.WON, DealStatus.LOST: StageKind.LOST}.get(
            status, StageKind.OPEN
        )
        rows.append(
            Deal(
                workspace=ws,
                title=f"Negócio {i}",
                pipeline=pipeline,
                stage=stages[kind],
                status=status,
                amount=rng.randint(500, 20_000),
                currency="BRL",
                owner=rng.choice(reps),
                person=made[rng.randrange(len(made))],
                source=rng.choice(["site", "indicação", "evento", "google"]),
                created_at=created,
                closed_at=(
                    None
                    if status == DealStatus.OPEN
                    else min(now, created + timedelta(days=rng.uniform(1, 40)))
                ),
            )
        )
    Deal.objects.bulk_create(rows, batch_size=BATCH)
    return actor, reps


def _goals(actor: Any, reps: list[Any], count: int) -> int:
    from vinculo.core.filters.context import workspace_today
    from vinculo.strategy.models import Goal

    today = workspace_today(actor)
    dates = {"starts_on": today - timedelta(days=60), "deadline": today + timedelta(days=30)}
    ws = actor.workspace
    made = 0

    def goal(**data: Any) -> Goal:
        nonlocal made
        made += 1
        return Goal.objects.create(workspace=ws, created_by=actor.user, **dates, **data)

    for key, target in (("deals_won", 900), ("new_revenue", 9_000_000)):
        team = goal(title=f"Equipe: {key}", kpi_key=key, target=target, owner=reps[0])
        for rep in reps:
            goal(title=f"Cota {key} {rep.email}", kpi_key=key, target=target / len(reps),
                 owner=rep, filter_owner=rep, parent=team)  # fmt: skip
    kinds = [
        {"kpi_key": "new_people", "target": 12_000},
        {
            "kpi_key": "new_people",
            "target": 3_000,
            "segment_object": "person",
            "segment": {"field": "city", "op": "eq", "value": "Recife"},
        },
        {"kpi_key": "deals_won", "target": 300, "filter_source": "site"},
        {"kpi_key": "win_rate", "target": "0.6", "measure": "level", "window_days": 90},
        {"kpi_key": "sales_cycle", "target": 15 * 86400, "measure": "level", "window_days": 90},
    ]
    i = 0
    while made < count:
        spec = kinds[i % len(kinds)]
        goal(title=f"Meta {i}: {spec['kpi_key']}", owner=reps[i % len(reps)], **spec)
        i += 1
    return made


def run(people: int, deals: int, goals: int, repeat: int, database: str) -> dict[str, Any]:
    _setup(database)
    from django.test import Client

    from vinculo.strategy.goals.measuring import measure_workspace
    from vinculo.strategy.plan.services import ensure_plan
    from vinculo.strategy.reviews import services as reviews

    started = time.perf_counter()
    actor, reps = _seed(people, deals)
    made = _goals(actor, reps, goals)
    seed_seconds = time.perf_counter() - started
    t0 = time.perf_counter()
    measured = measure_workspace(actor)
    measure_seconds = time.perf_counter() - t0
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.login(username=actor.user.email, password=PASSWORD)
    first = client.get("/strategy/goals/")
    assert first.status_code == 200 and first.content.count(b"data-goal=") == made
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get("/strategy/goals/")
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
    # A review's snapshot (issue 19: < 10 s): every goal, the KPIs they watch, every budget.
    review = reviews.create_review(actor, ensure_plan(actor), {"held_on": datetime.now(UTC).date()})
    freezes = []
    for _ in range(3):
        t0 = time.perf_counter()
        reviews.freeze(actor, review.pk)
        freezes.append(time.perf_counter() - t0)
    return {
        "review_freeze_seconds": [round(t, 2) for t in freezes],
        "review_freeze_max_seconds": round(max(freezes), 2),
        "review_target_seconds": REVIEW_TARGET_SECONDS,
        "review_met": max(freezes) < REVIEW_TARGET_SECONDS,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "people": people,
        "deals": deals,
        "goals": made,
        "seed_seconds": round(seed_seconds, 1),
        "measure_all_seconds": round(measure_seconds, 2),
        "goals_measured": measured,
        "page_seconds": [round(t, 3) for t in times],
        "page_median_seconds": round(statistics.median(times), 3),
        "page_p95_seconds": round(p95, 3),
        "target_seconds": TARGET_SECONDS,
        "met": p95 < TARGET_SECONDS,
        "load_average": os.getloadavg(),
        "machine": machine(),
    }


def write(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    day = result["when"][:10]
    size = f"-{result['people'] // 1000}k" if result["people"] != 100_000 else ""
    stem = f"{day}-strategy_goals{size}" + ("-postgres" if result["database"] == "postgres" else "")
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    lines = [
        f"# Goals bench ({result['database']}, {result['when']})",
        "",
        f"{result['people']:,} people, {result['deals']:,} deals, {result['goals']} goals "
        f"(seeded in {result['seed_seconds']} s, not timed).",
        "",
        "| step | median (s) | p95 (s) | target (s) | met |",
        "|---|---|---|---|---|",
        f"| goals page ({len(result['page_seconds'])} GETs) | {result['page_median_seconds']} | "
        f"{result['page_p95_seconds']} | < {TARGET_SECONDS:g} | "
        f"{'yes' if result['met'] else 'NO'} |",
        f"| review snapshot ({len(result['review_freeze_seconds'])} freezes; slowest) | "
        f"{result['review_freeze_max_seconds']} | | < {REVIEW_TARGET_SECONDS:g} | "
        f"{'yes' if result['review_met'] else 'NO'} |",
        f"| measure every goal once (the daily job, {result['goals_measured']} goals) | "
        f"{result['measure_all_seconds']} | | | |",
        "",
        f"Load average at the end: {', '.join(f'{x:.1f}' for x in result['load_average'])}.",
        "",
        f"Machine: {result['machine']}",
    ]
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    return RESULTS / f"{stem}.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--goals", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    result = run(args.people, args.deals, args.goals, args.repeat, args.database)
    path = write(result)
    print(path.read_text())


if __name__ == "__main__":
    main()
