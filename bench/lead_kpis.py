"""The lead response and lifecycle KPIs before and after issue 18's rework, in one run on one
kept database (seeded by ``bench.insights_kpis --data-dir``, then migrated to today's schema).

"Before" is the code these KPIs had until the rework, kept here as other keys of the registry
(``before:<key>``): the first touch looked up per person among their activities, an ``EXISTS``
per person for the shares, and the lifecycle KPIs' former queries. Each KPI is measured both
ways ``--repeat`` times after a warm-up for the last 364 days at weekly grain, with the previous
period (and once cut by owner); the two answers must be the same (value, previous value,
series, groups), else the run stops.

``python -m bench.lead_kpis --data-dir DIR [--repeat 5] [--database postgres]``
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bench.run import percentile, timed

TARGET_P95_MS = 300.0
KEYS = (
    "lead_response_time",
    "lead_response_5m",
    "lead_response_1h",
    "lead_response_1d",
    "referrals",
    "customers_churned",
    "lead_to_customer",
    "sales_cycle",  # a median as well: read the same way since
)


def _setup(data_dir: str, database: str) -> None:
    if database == "postgres":
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/bench_kpis"
    os.environ["VINCULO_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django

    django.setup()


def _before_rows() -> dict[str, Callable[..., Any]]:
    """The rows of each KPI as they were read before the rework."""
    from django.db.models import (
        DurationField,
        Exists,
        ExpressionWrapper,
        F,
        OuterRef,
        Subquery,
    )

    from vinculo.activities.kpis import Later
    from vinculo.activities.models import TOUCHES, Activity
    from vinculo.contacts.acquisition import referral_sources
    from vinculo.contacts.cohorts import customer_stage
    from vinculo.contacts.models import LifecycleChange, Person
    from vinculo.sales.models import Deal, DealStatus

    def people(scope: Any) -> Any:
        return Person.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)

    def response_times(scope: Any) -> Any:
        first = (
            Activity.objects.filter(
                person_id=OuterRef("pk"),
                kind__in=TOUCHES,
                deleted_at__isnull=True,
                occurred_at__gte=OuterRef("created_at"),
            )
            .order_by("occurred_at")
            .values("occurred_at")[:1]
        )
        return (
            people(scope)
            .annotate(kpi_first_touch=Subquery(first))
            .annotate(
                kpi_response=ExpressionWrapper(
                    F("kpi_first_touch") - F("created_at"), output_field=DurationField()
                )
            )
        )

    def within(seconds: int) -> Callable[[Any], Any]:
        def rows(scope: Any) -> Any:
            in_time = Activity.objects.filter(
                person_id=OuterRef("pk"),
                kind__in=TOUCHES,
                deleted_at__isnull=True,
                occurred_at__gte=OuterRef("created_at"),
                occurred_at__lte=OuterRef("kpi_deadline"),
            )
            return (
                people(scope)
                .annotate(kpi_deadline=Later("created_at", seconds))
                .annotate(kpi_in_time=Exists(in_time))
            )

        return rows

    def entered(scope: Any, stage_key: str) -> Any:
        return LifecycleChange.objects.for_workspace(scope.workspace).filter(
            to_stage__key=stage_key, person__isnull=False, person__deleted_at__isnull=True
        )

    def leads_converted(scope: Any) -> Any:
        became_customer = LifecycleChange.objects.filter(
            person_id=OuterRef("person_id"),
            to_stage__key="customer",
            changed_at__gte=OuterRef("changed_at"),
        )
        return entered(scope, "lead").annotate(kpi_converted=Exists(became_customer))

    def referred(scope: Any) -> Any:
        return people(scope).filter(source__in=referral_sources(scope.workspace))

    def churned(scope: Any) -> Any:
        return (
            LifecycleChange.objects.for_workspace(scope.workspace)
            .filter(person__isnull=False, person__deleted_at__isnull=True)
            .filter(customer_stage("from_stage"))
            .exclude(customer_stage("to_stage"))
        )

    def cycles(scope: Any) -> Any:
        won = Deal.objects.for_workspace(scope.workspace).filter(
            deleted_at__isnull=True, status=DealStatus.WON, closed_at__isnull=False
        )
        return won.annotate(
            kpi_cycle=ExpressionWrapper(
                F("closed_at") - F("created_at"), output_field=DurationField()
            )
        )

    return {
        "lead_response_time": response_times,
        "lead_response_5m": within(5 * 60),
        "lead_response_1h": within(3600),
        "lead_response_1d": within(86400),
        "referrals": referred,
        "customers_churned": churned,
        "lead_to_customer": leads_converted,
        "sales_cycle": cycles,
    }


def _answer(m: Any) -> tuple[Any, ...]:
    return (m.value, m.previous, [(p.start, p.value) for p in m.series], m.groups)


def run(data_dir: str, repeat: int, database: str) -> list[dict[str, Any]]:
    _setup(data_dir, database)
    from django.utils import timezone

    from bench.insights_kpis import _seeded
    from vinculo.core.actor import Actor
    from vinculo.core.kpis import Grain, Scope, get, measure, register

    actor = _seeded()
    assert actor is not None, "no Bench KPIs workspace in this data dir"
    scope = Scope(actor=Actor.system(actor.workspace))
    end = timezone.localdate()
    start = end - timedelta(days=363)
    before = _before_rows()
    out = []
    for key in KEYS:
        now = get(key)
        assert now is not None
        old = register(replace(now, key=f"before:{key}", rows=before[key]))
        row: dict[str, Any] = {"kpi": key}
        answers = []
        for label, kpi in (("before", old), ("after", now)):

            def once(kpi: Any = kpi, group_by: str | None = None) -> Any:
                return measure(
                    kpi.key, scope, start=start, end=end, grain=Grain.WEEK, group_by=group_by
                )

            once()  # warm-up
            times = timed(once, repeat)
            by_owner = timed(lambda once=once: once(group_by="owner"), 1)[0]
            answers.append((_answer(once()), _answer(once(group_by="owner"))))
            row[label] = {
                "p50_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(sorted(times), 95), 1),  # nearest rank
                "by_owner_ms": round(by_owner, 1),
            }
        row["value"] = str(answers[1][0][0])
        row["identical"] = answers[0] == answers[1]
        row["met"] = row["after"]["p95_ms"] < TARGET_P95_MS
        print(row, flush=True)
        out.append(row)
    print("load average", os.getloadavg())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    rows = run(args.data_dir, args.repeat, args.database)
    if not all(r["identical"] for r in rows):
        raise SystemExit("some KPI answers differ before and after")


if __name__ == "__main__":
    main()
