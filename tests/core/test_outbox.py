"""The domain-event outbox: rollback never dispatches, commit dispatches exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from tests.core import consumers_for_tests  # noqa: F401  (registers the test consumers)
from vinculo.core import events
from vinculo.core.models import AuditEntry, DeliveryStatus, DomainEvent, EventDelivery
from vinculo.core.worker import run_burst

ROOT = Path(__file__).resolve().parents[2]


def _consumed(event: DomainEvent) -> int:
    return AuditEntry.objects.filter(action="test.consumed", object_id=str(event.pk)).count()


def _emit(actor, name: str = "test.ping") -> DomainEvent:
    with transaction.atomic():
        return events.emit(name, actor=actor, subject_type="thing", subject_id=1)


@pytest.mark.django_db(transaction=True)
def test_emit_outside_a_transaction_is_refused(ana):
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        events.emit("test.ping", actor=ana.actor)


def test_unknown_event_names_are_refused(ana):
    with transaction.atomic(), pytest.raises(ValueError, match="unknown domain event"):
        events.emit("test.nobody_declared_this", actor=ana.actor)


@pytest.mark.django_db(transaction=True)
def test_rolled_back_event_is_never_dispatched(ana):
    before = DomainEvent.objects.count()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        events.emit("test.ping", actor=ana.actor)
        1 / 0  # noqa: B018
    run_burst(mode="db")
    assert DomainEvent.objects.count() == before
    assert not EventDelivery.objects.filter(consumer="test.recorder").exists()
    assert not AuditEntry.objects.filter(action="test.consumed").exists()


@pytest.mark.django_db(transaction=True)
def test_committed_event_is_dispatched_once_even_when_dispatch_runs_again(ana):
    event = _emit(ana.actor)
    run_burst(mode="db")  # runs the dispatch task enqueued on commit
    delivery = EventDelivery.objects.get(event=event, consumer="test.recorder")
    assert delivery.status == DeliveryStatus.DONE
    assert delivery.attempts == 1
    # The task runs again (a duplicate enqueue, a retry): nothing happens twice.
    assert events.dispatch_event(event.pk) == 0
    assert events.dispatch_due() == 0
    assert _consumed(event) == 1


def test_a_failing_consumer_backs_off_then_fails_visibly_and_can_be_retried(ana, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    event = _emit(ana.actor, "test.fail")
    delivery = EventDelivery.objects.get(event=event)
    start = timezone.now()

    assert events.process_delivery(delivery.pk, now=start) is False
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert "the mail server said no" in delivery.last_error
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 8 <= wait <= 10  # first backoff: 10 s

    # Not due yet: the sweeper leaves it alone.
    assert events.dispatch_due(now=timezone.now()) == 0
    assert EventDelivery.objects.get(pk=delivery.pk).attempts == 1

    later = timezone.now() + timedelta(hours=1)
    events.dispatch_due(now=later)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    second_wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 18 <= second_wait <= 20  # doubled
    events.dispatch_due(now=later + timedelta(hours=1))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3

    # Visible to an owner through the API, with the error …
    client = ana.client()
    body = client.get("/api/v1/outbox/deliveries?status=failed").json()
    assert [d["id"] for d in body["items"]] == [delivery.pk]
    assert "mail server" in body["items"][0]["last_error"]
    # … and retried on request.
    response = client.post(f"/api/v1/outbox/deliveries/{delivery.pk}/retry")
    assert response.status_code == 200, response.content
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert AuditEntry.objects.filter(action="event_delivery.retried").exists()


def test_backoff_grows_and_is_capped():
    assert [events.backoff_seconds(n) for n in (1, 2, 3)] == [10, 20, 40]
    assert events.backoff_seconds(40) == events.MAX_BACKOFF_SECONDS


def test_deliveries_of_other_workspaces_are_invisible(ana, carla):
    event = _emit(carla.actor, "test.fail")
    delivery = EventDelivery.objects.get(event=event)
    body = ana.client().get("/api/v1/outbox/deliveries").json()
    assert delivery.pk not in [d["id"] for d in body["items"]]
    response = ana.client().post(f"/api/v1/outbox/deliveries/{delivery.pk}/retry")
    assert response.status_code == 404


def test_only_managers_of_the_outbox_see_it(bruno):
    response = bruno.client().get("/api/v1/outbox/deliveries")
    assert response.status_code == 403
    assert "cannot inspect and retry event deliveries" in response.json()["detail"]


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def _worker_burst(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VINCULO_DATA_DIR": str(tmp_path / "data"),
        "VINCULO_EVENT_CONSUMER_MODULES": "tests.core.consumers_for_tests",
        "VINCULO_OUTBOX_LEASE_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    env.pop("VINCULO_TEST_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "vinculo", "worker", "--burst"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_dying_mid_delivery_leaves_exactly_one_effect(ana, tmp_path):
    # Emitted in this process; no task runner here, so only the subprocess workers deliver.
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        event = _emit(ana.actor, "test.crash")
    marker = tmp_path / "crashed"

    first = _worker_burst(tmp_path, VINCULO_TEST_CRASH_MARKER=str(marker))
    assert first.returncode == 1, first.stderr
    assert marker.exists()  # it died inside the consumer, after writing its effect
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert _consumed(event) == 0  # the half-done work was rolled back with the process

    # The lease (1 s) runs out; the task runs again in a fresh worker.
    import time

    time.sleep(1.2)
    second = _worker_burst(tmp_path, VINCULO_TEST_CRASH_MARKER=str(marker))
    assert second.returncode == 0, second.stderr
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DONE
    assert delivery.attempts == 2
    assert _consumed(event) == 1

    third = _worker_burst(tmp_path)
    assert third.returncode == 0, third.stderr
    assert _consumed(event) == 1


@pytest.mark.django_db(transaction=True)
def test_bulk_events_are_delivered_like_single_ones(ana):
    with transaction.atomic():
        written = events.emit_many(
            "test.ping", actor=ana.actor, subjects=[("thing", i, {"n": i}) for i in range(5)]
        )
    assert written == 5
    ids = list(DomainEvent.objects.filter(name="test.ping").values_list("pk", flat=True))
    assert len(ids) == 5
    assert EventDelivery.objects.filter(event_id__in=ids, consumer="test.recorder").count() == 5
    run_burst(mode="db")
    assert AuditEntry.objects.filter(action="test.consumed").count() == 5
    assert set(EventDelivery.objects.filter(event_id__in=ids).values_list("status", flat=True)) == {
        DeliveryStatus.DONE
    }
