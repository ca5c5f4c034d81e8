"""Run inside the benchmark's environment (``VINCULO_DATA_DIR``/``DATABASE_URL`` set): pick the
records the scenarios use and measure the data set. Read-only; prints one JSON document.

``python -m bench.prepare [--busy-person ID] [--sample 500]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspace", default="demo")
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--busy-person", type=int, help="Default: the person with most entries.")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()
    print(json.dumps(prepare(args.workspace, args.sample, args.seed, args.busy_person)))


def prepare(slug: str, sample: int, seed: int, busy_person: int | None) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count

    from vinculo.activities.models import Activity, TimelineEntry
    from vinculo.contacts.models import Company, Person
    from vinculo.core.tenancy import Workspace
    from vinculo.sales.models import Deal, Stage, StageChange

    rng = random.Random(seed)
    ws = Workspace.objects.get(slug=slug)
    people_ids = list(Person.objects.for_workspace(ws).values_list("pk", flat=True))
    open_stages: dict[int, list[int]] = {}
    for stage in Stage.objects.for_workspace(ws).filter(kind="open").order_by("position"):
        open_stages.setdefault(stage.pipeline_id, []).append(stage.pk)
    open_deals = list(
        Deal.objects.for_workspace(ws)
        .filter(status="open", deleted_at__isnull=True)
        .values_list("pk", "pipeline_id", "stage_id")
    )
    rng.shuffle(open_deals)
    deals = [
        {"id": pk, "stage_id": stage_id, "open_stages": open_stages[pipeline_id]}
        for pk, pipeline_id, stage_id in open_deals
        if len(open_stages.get(pipeline_id, [])) > 1
    ][:sample]
    board = (
        Deal.objects.for_workspace(ws)
        .filter(status="open", deleted_at__isnull=True)
        .values("pipeline_id")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    entries = TimelineEntry.objects.for_workspace(ws)
    if busy_person is not None:
        busiest = {"person_id": busy_person, "n": entries.filter(person_id=busy_person).count()}
    else:
        busiest = (
            entries.filter(person__isnull=False)
            .values("person_id")
            .order_by()
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
    if connection.vendor == "sqlite":
        db_bytes = Path(settings.DATABASES["default"]["NAME"]).stat().st_size
        db_version = f"SQLite {connection.Database.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database()), version()")
            db_bytes, version = cursor.fetchone()
        db_version = version.split(" on ")[0]
    return {
        "people_sample": rng.sample(people_ids, min(sample, len(people_ids))),
        "deals_sample": deals,
        "busy_person_id": busiest["person_id"] if busiest else None,
        "board_pipeline": {"id": board["pipeline_id"], "open_deals": board["n"]} if board else None,
        "busy_person_entries": busiest["n"] if busiest else 0,
        "sizes": {
            "people": len(people_ids),
            "companies": Company.objects.for_workspace(ws).count(),
            "deals": Deal.objects.for_workspace(ws).count(),
            "stage_changes": StageChange.objects.for_workspace(ws).count(),
            "activities": Activity.objects.for_workspace(ws).count(),
            "timeline_entries": TimelineEntry.objects.for_workspace(ws).count(),
            "database_bytes": db_bytes,
        },
        "database_version": db_version,
    }


if __name__ == "__main__":
    main()
