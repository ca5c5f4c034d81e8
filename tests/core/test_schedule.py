"""Recurring tasks are enqueued once per interval, however many sweepers look."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vinculo.core import schedule
from vinculo.core.models import ScheduledRun
from vinculo.core.tasks import ping_task


@pytest.fixture
def hourly_ping():
    saved = dict(schedule._REGISTRY)
    schedule._REGISTRY.clear()
    schedule.register("test.ping", interval=timedelta(hours=1), task=ping_task)
    yield
    schedule._REGISTRY.clear()
    schedule._REGISTRY.update(saved)


def _queued() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="ping_task").count()


def test_a_new_schedule_is_due_at_once_then_waits_its_interval(db, hourly_ping):
    start = timezone.now()
    assert schedule.enqueue_due(start) == ["test.ping"]
    assert _queued() == 1
    # A second sweeper (or the next sweep) a minute later finds nothing due.
    assert schedule.enqueue_due(start + timedelta(minutes=1)) == []
    assert _queued() == 1
    assert schedule.enqueue_due(start + timedelta(hours=1)) == ["test.ping"]
    assert _queued() == 2
    assert ScheduledRun.objects.get(name="test.ping").last_enqueued_at == start + timedelta(hours=1)


def test_an_interval_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        schedule.register("test.never", interval=timedelta(0), task=ping_task)


def test_a_daily_job_over_every_workspace_goes_on_past_a_failing_one(ana, carla, caplog):
    seen = []

    def work(actor):
        seen.append(actor.workspace.pk)
        if actor.workspace == ana.workspace:
            raise RuntimeError("broken data")
        return 2

    assert schedule.each_workspace(work, "Counting") == 2  # Carla's only
    assert sorted(seen) == sorted([ana.workspace.pk, carla.workspace.pk])
    assert f"Counting of workspace {ana.workspace.pk} failed" in caplog.text
