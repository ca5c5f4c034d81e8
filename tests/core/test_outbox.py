"""The domain-event outbox: rollback never dispatches, commit dispatches exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Count, F
from django.test import override_settings
from django.utils import timezone

from tests.core import consumers_for_tests  # registers the test consumers
from vinculo.core import events, outbox
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


def _worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VINCULO_DATA_DIR": str(tmp_path / "data"),
        "VINCULO_EVENT_CONSUMER_MODULES": "tests.core.consumers_for_tests",
        "VINCULO_OUTBOX_LEASE_SECONDS": "1",
        # This checkout's code, not whichever one the virtualenv has installed.
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        **extra,
    }
    env.pop("VINCULO_TEST_DATABASE_URL", None)
    return env


def _worker_popen(tmp_path: Path, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "vinculo", "worker", "--burst"],
        env=_worker_env(tmp_path, **extra),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _worker_burst(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = _worker_env(tmp_path, **extra)
    return subprocess.run(
        [sys.executable, "-m", "vinculo", "worker", "--burst"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,  # a guard against a hung worker, not a speed check (slow CI machines)
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


# --- batch consumers -----------------------------------------------------------------------------


def _batched(event_id: int) -> int:
    return AuditEntry.objects.filter(action="test.batched", object_id=str(event_id)).count()


def _emit_batch(actor, count: int, poison: frozenset[int] = frozenset()) -> list[int]:
    with transaction.atomic():
        events.emit_many(
            "test.batch",
            actor=actor,
            subjects=[("thing", i, {"n": i, "poison": i in poison}) for i in range(count)],
        )
    return list(
        DomainEvent.objects.filter(name="test.batch").order_by("pk").values_list("pk", flat=True)
    )


@pytest.fixture
def batch_calls():
    consumers_for_tests.BATCH_CALLS.clear()
    consumers_for_tests.BEFORE_NEXT_BATCH.clear()
    yield consumers_for_tests.BATCH_CALLS
    consumers_for_tests.BATCH_CALLS.clear()
    consumers_for_tests.BEFORE_NEXT_BATCH.clear()


def test_a_batch_consumer_gets_its_due_deliveries_at_once_in_event_order(ana, batch_calls):
    ids = _emit_batch(ana.actor, 7)
    assert events.dispatch_due() == 7
    assert batch_calls == [ids]  # one call, the events in id order
    deliveries = EventDelivery.objects.filter(consumer="test.batcher")
    assert {(d.status, d.attempts) for d in deliveries} == {(DeliveryStatus.DONE, 1)}
    assert all(d.finished_at is not None for d in deliveries)
    assert [_batched(pk) for pk in ids] == [1] * 7
    # Run again, by the sweeper or by each event's dispatch task: nothing happens twice.
    assert events.dispatch_due() == 0
    assert sum(events.dispatch_event(pk) for pk in ids) == 0
    assert batch_calls == [ids]
    assert [_batched(pk) for pk in ids] == [1] * 7


def test_batches_are_capped_and_the_sweep_takes_them_in_order(ana, batch_calls, monkeypatch):
    monkeypatch.setattr(outbox, "BATCH_SIZE", 3)
    ids = _emit_batch(ana.actor, 7)
    assert events.dispatch_due(limit=100) == 7
    assert batch_calls == [ids[0:3], ids[3:6], ids[6:7]]


def test_the_dispatch_task_of_one_event_drains_its_batch_consumer(ana, batch_calls):
    ids = _emit_batch(ana.actor, 4)
    # The task of the last event comes first: it takes the whole backlog, its own event too.
    assert events.dispatch_event(ids[-1]) == 4
    assert batch_calls == [ids]
    assert [events.dispatch_event(pk) for pk in ids] == [0, 0, 0, 0]
    assert [_batched(pk) for pk in ids] == [1] * 4


def test_a_claimed_batch_is_not_claimed_again_before_its_lease_ends(ana, batch_calls):
    ids = _emit_batch(ana.actor, 3)
    pks = list(
        EventDelivery.objects.filter(consumer="test.batcher")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    now = timezone.now()
    # A worker claims the batch and dies before running it (the consumer never finishes).
    claimed = EventDelivery.objects.filter(pk__in=pks).update(
        attempts=1, next_attempt_at=now + timedelta(seconds=300)
    )
    assert claimed == 3
    assert events.process_batch("test.batcher", pks, now=now) == 0
    assert batch_calls == []
    # After the lease, the sweeper runs it (attempt 2), exactly once.
    assert events.dispatch_due(now=now + timedelta(seconds=301)) == 3
    assert batch_calls == [ids]
    assert set(EventDelivery.objects.filter(pk__in=pks).values_list("attempts", flat=True)) == {2}


def test_a_lost_lease_undoes_the_whole_batch(ana, batch_calls):
    ids = _emit_batch(ana.actor, 4)
    pks = list(
        EventDelivery.objects.filter(consumer="test.batcher")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    later = timezone.now() + timedelta(hours=1)

    def another_worker_claims_one(_events):
        # Our lease "ran out" while the consumer ran, and another worker claimed delivery 3.
        EventDelivery.objects.filter(pk=pks[2]).update(
            attempts=F("attempts") + 1, next_attempt_at=later
        )

    consumers_for_tests.BEFORE_NEXT_BATCH.append(another_worker_claims_one)
    assert events.dispatch_due() == 0
    assert batch_calls == [ids]
    # Nothing of the batch survived: no effect, no delivery marked done.
    assert [_batched(pk) for pk in ids] == [0] * 4
    assert set(EventDelivery.objects.filter(pk__in=pks).values_list("status", flat=True)) == {
        DeliveryStatus.PENDING
    }
    # When the lease is over, the events are delivered, each exactly once.
    events.dispatch_due(now=later + timedelta(seconds=django_settings.OUTBOX_LEASE_SECONDS + 1))
    assert [_batched(pk) for pk in ids] == [1] * 4
    assert set(EventDelivery.objects.filter(pk__in=pks).values_list("status", flat=True)) == {
        DeliveryStatus.DONE
    }


def test_a_poisoned_event_fails_alone_while_the_rest_of_its_batch_completes(
    ana, batch_calls, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    ids = _emit_batch(ana.actor, 5, poison=frozenset({2}))
    poisoned = EventDelivery.objects.get(event_id=ids[2], consumer="test.batcher")

    assert events.dispatch_due() == 4
    # The batch raised and was undone, then each event ran alone under the same claim.
    assert batch_calls == [ids, *[[pk] for pk in ids]]
    assert [_batched(pk) for pk in ids] == [1, 1, 0, 1, 1]
    others = EventDelivery.objects.filter(consumer="test.batcher").exclude(pk=poisoned.pk)
    assert {(d.status, d.attempts) for d in others} == {(DeliveryStatus.DONE, 1)}
    poisoned.refresh_from_db()
    assert poisoned.status == DeliveryStatus.PENDING
    assert poisoned.attempts == 1
    assert "poisoned event" in poisoned.last_error
    assert poisoned.next_attempt_at > timezone.now()  # backing off

    # Retried alone (not with the others), then failed after the maximum attempts.
    batch_calls.clear()
    assert events.dispatch_due(now=timezone.now() + timedelta(hours=1)) == 0
    assert batch_calls == [[ids[2]], [ids[2]]]
    poisoned.refresh_from_db()
    assert (poisoned.status, poisoned.attempts) == (DeliveryStatus.FAILED, 2)
    assert [_batched(pk) for pk in ids] == [1, 1, 0, 1, 1]


def test_per_event_consumers_still_run_one_at_a_time_beside_batch_ones(ana, batch_calls):
    batch_ids = _emit_batch(ana.actor, 3)
    with transaction.atomic():
        events.emit_many(
            "test.ping", actor=ana.actor, subjects=[("thing", i, {}) for i in range(3)]
        )
    assert events.dispatch_due() == 6
    assert batch_calls == [batch_ids]
    assert AuditEntry.objects.filter(action="test.consumed").count() == 3


@pytest.mark.django_db(transaction=True)
def test_two_workers_dispatching_at_once_deliver_each_batched_event_exactly_once(ana, tmp_path):
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ):
        ids = _emit_batch(ana.actor, 1200)
    env_extra = {"VINCULO_OUTBOX_LEASE_SECONDS": "300"}
    workers = [_worker_popen(tmp_path, **env_extra) for _ in range(2)]
    for w in workers:
        _out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    assert EventDelivery.objects.filter(
        consumer="test.batcher", status=DeliveryStatus.DONE, attempts=1
    ).count() == len(ids)
    counts = dict(
        AuditEntry.objects.filter(action="test.batched")
        .values_list("object_id")
        .annotate(n=Count("pk"))
        .values_list("object_id", "n")
    )
    assert len(counts) == len(ids)
    assert set(counts.values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_one_transaction_enqueues_one_dispatch_however_many_events_it_emits(ana):
    from django_tasks import default_task_backend

    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        default_task_backend.clear()
        with transaction.atomic():
            for _ in range(3):
                events.emit("test.ping", actor=ana.actor)
            events.emit_many("test.ping", actor=ana.actor, subjects=[("thing", 1, {})])
        assert [r.task.name for r in default_task_backend.results] == ["dispatch_due_task"]
        default_task_backend.clear()
        one = _emit(ana.actor)  # alone in its transaction: its own task
        assert [(r.task.name, r.args) for r in default_task_backend.results] == [
            ("dispatch_event_task", [one.pk])
        ]
        default_task_backend.clear()
        # A rolled-back transaction leaves nothing behind for the next one.
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            events.emit("test.ping", actor=ana.actor)
            1 / 0  # noqa: B018
        two = _emit(ana.actor)
        assert [(r.task.name, r.args) for r in default_task_backend.results] == [
            ("dispatch_event_task", [two.pk])
        ]
    assert events.dispatch_due() == 6
    assert AuditEntry.objects.filter(action="test.consumed").count() == 6
