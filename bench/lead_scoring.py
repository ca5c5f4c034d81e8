"""Training the predictive lead score on 20,000 won/lost deals (issue 18: < 30 s).

A fresh database gets a workspace with ``--deals`` closed deals (half won, half lost), each with
its own person, and about ``--events`` tracked events (pricing page views, form submissions,
email opens) before the deals' creation, some more likely before a won deal (a real signal);
written in bulk, not timed. Then :func:`vinculo.scoring.services.training.train` (read the
outcomes and features, stratified holdout, logistic regression, AUC and calibration) and
:func:`vinculo.scoring.services.recompute.recompute_scores` (rule points and probabilities of
every person) are each timed ``--repeat`` times. Writes
``bench/results/<date>-lead_scoring[-postgres].json`` and ``.md``.

``python -m bench.lead_scoring [--deals 20000] [--events 200000] [--repeat 3]
[--database postgres]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.run import machine

RESULTS = Path(__file__).resolve().parent / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_scoring"
TARGET_SECONDS = 30.0
BATCH = 20_000
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
# event name → (mean count before a won deal, before a lost one)
EVENTS = {"page_viewed": (6.0, 3.0), "form_submitted": (0.8, 0.3), "email_opened": (3.0, 3.0)}


def _setup(database: str) -> None:
    if database == "postgres":
        os.environ["DATABASE_URL"] = PG_URL
        import psycopg

        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS bench_scoring")
            c.execute("CREATE DATABASE bench_scoring")
    os.environ["VINCULO_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-scoring-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _seed(deals: int, events: int, seed: int = 7) -> Any:
    import numpy as np

    from vinculo.contacts.models import Person
    from vinculo.core.actor import Source
    from vinculo.events.models import TrackedEvent
    from vinculo.sales.models import Deal, DealStatus, Pipeline, Stage, StageKind
    from vinculo.scoring.services.rules import create_rule
    from vinculo.workspaces import services
    from vinculo.workspaces.selectors import actor_for

    new = services.create_workspace(
        name="Bench scoring",
        owner_email="bench@scoring-bench.com.br",
        owner_password="bench-scoring-password-1",  # noqa: S106
    )
    actor = actor_for(new.owner, new.workspace, source=Source.IMPORT)
    ws = new.workspace
    rng = random.Random(seed)
    draws = np.random.default_rng(seed)
    scale = events / (deals * sum(w + lo for w, lo in EVENTS.values()) / 2)
    people = Person.objects.bulk_create(
        [
            Person(
                workspace=ws,
                first_name=f"Lead {i}",
                email=f"lead{i}@ex.com.br" if rng.random() < 0.6 else "",
                source=rng.choice(["site", "indicação", "evento", "google", ""]),
                created_at=NOW - timedelta(days=400),
            )
            for i in range(deals)
        ],
        batch_size=BATCH,
    )
    pipeline = Pipeline.objects.for_workspace(ws).get(is_default=True)
    stage = {
        k: Stage.objects.for_workspace(ws).get(pipeline=pipeline, kind=k)
        for k in (StageKind.WON, StageKind.LOST)
    }
    rows, tracked = [], []
    for i, person in enumerate(people):
        won = i % 2 == 0
        created = NOW - timedelta(days=rng.randint(1, 300))
        rows.append(
            Deal(
                workspace=ws,
                title=f"Negócio {i}",
                pipeline=pipeline,
                stage=stage[StageKind.WON if won else StageKind.LOST],
                status=DealStatus.WON if won else DealStatus.LOST,
                person=person,
                created_at=created,
                closed_at=created + timedelta(days=15),
            )
        )
        for name, (if_won, if_lost) in EVENTS.items():
            for _ in range(int(draws.poisson((if_won if won else if_lost) * scale))):
                tracked.append(
                    TrackedEvent(
                        workspace=ws,
                        name=name,
                        person=person,
                        occurred_at=created - timedelta(days=rng.uniform(0.5, 80)),
                        properties={"url": "https://loja.exemplo/precos"},
                    )
                )
    Deal.objects.bulk_create(rows, batch_size=BATCH)
    TrackedEvent.objects.bulk_create(tracked, batch_size=BATCH)
    create_rule(
        actor=actor,
        data={"name": "Preços", "kind": "behaviour", "points": 5, "event_name": "page_viewed",
              "property_key": "url", "property_contains": "precos", "window_days": 30,
              "half_life_days": 7, "cap": 40},
    )  # fmt: skip
    return actor, len(tracked)


def run(deals: int, events: int, repeat: int, database: str) -> dict[str, Any]:
    _setup(database)
    from vinculo.scoring.services.recompute import recompute_scores
    from vinculo.scoring.services.training import train

    started = time.perf_counter()
    actor, written = _seed(deals, events)
    seed_seconds = time.perf_counter() - started
    train_times, recompute_times, model = [], [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = train(actor)
        train_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        scored = recompute_scores(actor)
        recompute_times.append(time.perf_counter() - t0)
    assert model is not None
    return {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "deals": deals,
        "events": written,
        "seed_seconds": round(seed_seconds, 1),
        "train_seconds": [round(t, 2) for t in train_times],
        "train_worst_seconds": round(max(train_times), 2),
        "recompute_seconds": [round(t, 2) for t in recompute_times],
        "people_scored": scored,
        "target_seconds": TARGET_SECONDS,
        "met": max(train_times) < TARGET_SECONDS,
        "model": {
            "status": model.status,
            "auc": model.auc,
            "auc_low": model.auc_low,
            "holdout": model.holdout_size,
            "won": model.won,
            "lost": model.lost,
        },
        "machine": machine(),
    }


def write(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    day = result["when"][:10]
    stem = f"{day}-lead_scoring" + ("-postgres" if result["database"] == "postgres" else "")
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    m = result["model"]
    lines = [
        f"# Lead scoring bench ({result['database']}, {result['when']})",
        "",
        f"{result['deals']:,} closed deals, {result['events']:,} tracked events "
        f"(seeded in {result['seed_seconds']} s, not timed).",
        "",
        "| step | runs (s) | worst (s) | target (s) | met |",
        "|---|---|---|---|---|",
        f"| train | {', '.join(map(str, result['train_seconds']))} | "
        f"{result['train_worst_seconds']} | < {TARGET_SECONDS:g} | "
        f"{'yes' if result['met'] else 'NO'} |",
        f"| recompute ({result['people_scored']:,} people) | "
        f"{', '.join(map(str, result['recompute_seconds']))} | "
        f"{max(result['recompute_seconds'])} | | |",
        "",
        f"Model: {m['status']}, holdout AUC {m['auc']} (95% lower bound {m['auc_low']}, "
        f"{m['holdout']} deals), {m['won']:,} won / {m['lost']:,} lost.",
        "",
        f"Machine: {result['machine']}",
    ]
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    return RESULTS / f"{stem}.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    result = run(args.deals, args.events, args.repeat, args.database)
    path = write(result)
    print(path.read_text())


if __name__ == "__main__":
    main()
