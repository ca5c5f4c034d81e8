"""Recurring tasks: apps register them, the worker's outbox sweeper enqueues each one when due.

``register("quality.audit", interval=timedelta(days=1), task=audit_all_workspaces)`` at import
of the app's tasks module (imported from its ``AppConfig.ready``). The sweeper runs in every
worker (``vinculo worker``) and in the embedded one (``vinculo serve``); a compare-and-set on
:class:`~vinculo.core.models.ScheduledRun` makes sure that however many sweepers run, a due
schedule is enqueued once. A schedule never seen before is due at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from vinculo.core.actor import Actor
from vinculo.core.models import ScheduledRun
from vinculo.core.tenancy import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    name: str
    interval: timedelta
    task: Any  # a django-tasks Task


_REGISTRY: dict[str, Schedule] = {}


def each_workspace(work: Callable[[Actor], int], what: str) -> int:
    """``work`` done for every workspace as its system actor, in id order; the sum of what
    each returned. One workspace's failure is logged (``what`` names the work) and never skips
    the others: what a daily schedule over all workspaces runs."""
    done = 0
    for workspace in Workspace.objects.order_by("pk").iterator():
        try:
            done += work(Actor.system(workspace))
        except Exception:
            logger.exception("%s of workspace %s failed", what, workspace.pk)
    return done


def register(name: str, *, interval: timedelta, task: Any) -> Schedule:
    """Run ``task`` (no arguments) every ``interval``; registering a name twice replaces it."""
    if interval <= timedelta(0):
        raise ValueError(f"schedule {name!r}: the interval must be positive")
    schedule = Schedule(name, interval, task)
    _REGISTRY[name] = schedule
    return schedule


def registered() -> list[Schedule]:
    return sorted(_REGISTRY.values(), key=lambda s: s.name)


def _claim(schedule: Schedule, now: datetime) -> bool:
    """True for the one caller that moves this schedule's last run to ``now``."""
    try:
        with transaction.atomic():
            row, _created = ScheduledRun.objects.get_or_create(name=schedule.name)
    except IntegrityError:  # another sweeper created it first
        row = ScheduledRun.objects.get(name=schedule.name)
    last = row.last_enqueued_at
    if last is not None and now - last < schedule.interval:
        return False
    # Compare-and-set: only the sweeper that still sees the old value wins.
    return bool(
        ScheduledRun.objects.filter(pk=row.pk, last_enqueued_at=last).update(last_enqueued_at=now)
    )


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every registered schedule that is due; returns the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for schedule in registered():
        if _claim(schedule, now):
            try:
                schedule.task.enqueue()
            except Exception:
                # Claimed but not enqueued: give the slot back so the next sweep tries again.
                ScheduledRun.objects.filter(name=schedule.name).update(last_enqueued_at=None)
                logger.exception("could not enqueue scheduled task %s", schedule.name)
                continue
            enqueued.append(schedule.name)
    return enqueued
