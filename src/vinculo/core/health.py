"""Health of the parts the product needs: database, task queue, migrations, outbox."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import django_rq
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vinculo.core.models import DeliveryStatus, EventDelivery


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)


def check_database() -> Check:
    started = time.perf_counter()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", False, f"unreachable: {exc}")
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    ms = (time.perf_counter() - started) * 1000
    return Check("database", True, f"{vendor} answered in {ms:.1f} ms", {"vendor": vendor})


def check_migrations() -> Check:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return Check("migrations", False, f"cannot read migrations: {exc}")
    if plan:
        return Check(
            "migrations",
            False,
            f"{len(plan)} unapplied; run `vinculo migrate`",
            {"pending": len(plan)},
        )
    return Check("migrations", True, "all applied", {"pending": 0})


def check_tasks() -> Check:
    mode = settings.TASKS_MODE
    if mode == "rq":
        try:
            connection = django_rq.get_connection("default")
            connection.ping()
            queued = django_rq.get_queue("default").count
        except Exception as exc:
            return Check("tasks", False, f"rq: Redis unreachable at {settings.REDIS_URL}: {exc}")
        return Check("tasks", True, f"rq: Redis answered, {queued} queued", {"queued": queued})
    try:
        ready = DBTaskResult.objects.ready()
        count = ready.count()
        oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception as exc:
        return Check("tasks", False, f"db: task table unreadable: {exc}")
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    # A queue whose oldest task waits for minutes has no worker draining it.
    ok = age < 600
    detail = f"db: {count} waiting, oldest {age:.0f} s"
    if not ok:
        detail += "; is a worker running? (`vinculo worker`)"
    return Check("tasks", ok, detail, {"waiting": count, "oldest_seconds": round(age)})


def check_outbox() -> Check:
    try:
        failed = EventDelivery.objects.filter(status=DeliveryStatus.FAILED).count()
        overdue = EventDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lt=timezone.now() - timedelta(minutes=10),
        ).count()
    except Exception as exc:
        return Check("outbox", False, f"unreadable: {exc}")
    detail = f"{failed} failed deliveries, {overdue} overdue"
    # Failed deliveries are visible but do not make the instance unhealthy; overdue ones do.
    return Check("outbox", overdue == 0, detail, {"failed": failed, "overdue": overdue})


def run_checks(*, include_migrations: bool = True) -> list[Check]:
    checks = [check_database()]
    if checks[0].ok:
        if include_migrations:
            checks.append(check_migrations())
        checks.append(check_tasks())
        checks.append(check_outbox())
    return checks
