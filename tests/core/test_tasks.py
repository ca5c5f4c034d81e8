"""Both task backends round-trip a task; the RQ one needs Redis (skipped when absent)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks import TaskResultStatus, task_backends

from tests.core import consumers_for_tests  # noqa: F401
from tests.core.test_outbox import _worker_burst
from vinculo.core import events
from vinculo.core.health import check_tasks
from vinculo.core.models import AuditEntry, DeliveryStatus, EventDelivery
from vinculo.core.tasks import ping_task
from vinculo.core.worker import run_burst


@pytest.mark.django_db(transaction=True)
def test_database_backend_runs_a_task():
    result = ping_task.enqueue("olá")
    assert result.status == TaskResultStatus.READY
    run_burst(mode="db")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "olá"


def test_health_reports_a_queue_nobody_drains(db, settings):
    settings.TASKS_MODE = "db"
    assert check_tasks().ok
    ping_task.enqueue("x")
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timezone.timedelta(hours=1))
    check = check_tasks()
    assert not check.ok
    assert "vinculo worker" in check.detail


@pytest.fixture
def rq_settings(redis_url, settings):
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    settings.REDIS_URL = redis_url
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()
    yield redis_url
    queue.empty()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_rq_backend_runs_a_task(rq_settings, settings):
    settings.TASKS_MODE = "rq"
    assert check_tasks().ok
    result = ping_task.using(backend="rq").enqueue("tchau")
    run_burst(mode="rq")
    result = task_backends["rq"].get_result(result.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "tchau"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_events_are_delivered_through_rq_by_a_separate_worker(rq_settings, ana, tmp_path):
    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=rq_tasks), transaction.atomic():
        event = events.emit("test.ping", actor=ana.actor)
    import django_rq

    assert django_rq.get_queue("default").count == 1  # enqueued on commit, in Redis
    done = _worker_burst(tmp_path, VINCULO_TASKS="rq", REDIS_URL=rq_settings)
    assert done.returncode == 0, done.stderr
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.DONE
    assert AuditEntry.objects.filter(action="test.consumed", object_id=str(event.pk)).count() == 1
