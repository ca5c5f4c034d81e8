"""One queue mechanism (``vinculo.core.queue``) under both of its users: the outbox's event
deliveries and webhook deliveries are claimed, leased, retried, failed and retried on request
the same way, tuned by the same five settings."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from tests.core import consumers_for_tests  # noqa: F401  (registers the test consumers)
from tests.webhooks.helpers import drain, run_outbox, subscribe
from vinculo.contacts import services as contacts
from vinculo.core import events
from vinculo.core.models import DeliveryStatus, EventDelivery
from vinculo.core.queue import WorkQueue
from vinculo.integrations import delivery
from vinculo.integrations.models import DeliveryState, WebhookAttempt, WebhookDelivery

pytestmark = pytest.mark.django_db
API = "/api/v1"

# The same values for both queues: whatever differs below comes from the mechanism, not tuning.
SAME = {
    "LEASE_SECONDS": 45,
    "MAX_ATTEMPTS": 4,
    "BACKOFF_SECONDS": 30,
    "BACKOFF_CAP_SECONDS": 100,
    "BACKOFF_JITTER_PERCENT": 0,
}


@pytest.fixture
def one_policy(settings) -> None:
    for prefix in ("OUTBOX", "WEBHOOKS"):
        for name, value in SAME.items():
            setattr(settings, f"{prefix}_{name}", value)


def _consumer_row(ana, name: str) -> EventDelivery:
    """A pending outbox delivery of the test consumer of ``name`` (``test.fail`` always raises,
    ``test.ping`` records its event)."""
    with transaction.atomic():
        event = events.emit(name, actor=ana.actor, subject_type="thing", subject_id=1)
    return EventDelivery.objects.get(event=event)


def _webhook_row(ana, receiver) -> WebhookDelivery:
    """A pending webhook delivery of a new person to ``receiver``."""
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_outbox()
    return WebhookDelivery.objects.get(subscription=sub)


def test_both_queues_read_the_same_five_settings(one_policy):
    assert events.OUTBOX.policy() == delivery.WEBHOOKS.policy()
    assert events.OUTBOX.policy().lease_seconds == 45


def test_the_defaults_keep_each_queues_documented_schedule():
    outbox, webhooks = events.OUTBOX.policy(), delivery.WEBHOOKS.policy()
    assert (outbox.backoff_seconds, outbox.max_attempts, outbox.lease_seconds) == (10, 12, 300)
    assert [events.backoff_seconds(n) for n in (1, 2, 3)] == [10, 20, 40]
    assert (webhooks.backoff_seconds, webhooks.max_attempts, webhooks.lease_seconds) == (60, 14, 60)
    # 1 min doubling to 6 h with ±10 % jitter: 14 attempts spread over about 32 hours.
    total = sum((delivery.backoff(n) for n in range(1, 14)), timedelta())
    assert timedelta(hours=28) <= total <= timedelta(hours=36)
    assert outbox.backoff_cap_seconds == webhooks.backoff_cap_seconds == 6 * 3600


def test_a_failing_consumer_and_a_failing_webhook_retry_on_one_schedule(ana, receiver, one_policy):
    receiver.default = 500
    hook = _webhook_row(ana, receiver)
    consumer = _consumer_row(ana, "test.fail")
    outbox_waits: list[float] = []
    webhook_waits: list[float] = []
    now = timezone.now()
    for _ in range(SAME["MAX_ATTEMPTS"]):
        before = timezone.now()
        assert events.process_delivery(consumer.pk, now=now) is False
        assert drain(hook.subscription, now=now) == 1
        consumer.refresh_from_db()
        hook.refresh_from_db()
        if consumer.status == DeliveryStatus.PENDING:
            # The outbox backs off from the moment the consumer failed.
            outbox_waits.append((consumer.next_attempt_at - before).total_seconds())
        if hook.status == DeliveryState.PENDING:
            webhook_waits.append((hook.next_attempt_at - now).total_seconds())
        now = max(consumer.next_attempt_at, hook.next_attempt_at)

    # 30 s doubling, capped at 100 s; no jitter: the webhook's waits are exact.
    assert webhook_waits == [30, 60, 100]
    assert len(outbox_waits) == 3
    for got, expected in zip(outbox_waits, webhook_waits, strict=True):
        assert expected - 1 <= got <= expected + 2
    # Failed after the same number of attempts, with the error kept.
    assert (consumer.status, consumer.attempts) == (DeliveryStatus.FAILED, 4)
    assert (hook.status, hook.attempts) == (DeliveryState.FAILED, 4)
    assert "the mail server said no" in consumer.last_error
    assert hook.last_error == "HTTP 500" and hook.finished_at is not None
    assert list(
        WebhookAttempt.objects.filter(delivery=hook).order_by("pk").values_list("number", flat=True)
    ) == [1, 2, 3, 4]
    # Nothing runs them any more, however late.
    later = now + timedelta(days=2)
    assert events.dispatch_due(now=later) == 0
    assert drain(hook.subscription, now=later) == 0

    # Both failures are listed: the API of each, and `vinculo check` for the outbox.
    client = ana.client()
    outbox_failed = client.get(f"{API}/outbox/deliveries?status=failed").json()["items"]
    assert [d["id"] for d in outbox_failed] == [consumer.pk]
    hooks_failed = client.get(f"{API}/webhooks/deliveries?status=failed").json()["items"]
    assert [d["id"] for d in hooks_failed] == [hook.pk]
    out = StringIO()
    call_command("healthcheck", "--json", stdout=out)
    assert json.loads(out.getvalue())["outbox"]["detail"].startswith("1 failed deliveries")

    # Retried on request, each gets one more attempt, due at once.
    receiver.default = 200
    assert client.post(f"{API}/outbox/deliveries/{consumer.pk}/retry").status_code == 200
    assert client.post(f"{API}/webhooks/deliveries/{hook.pk}/redeliver").status_code == 202
    assert events.process_delivery(consumer.pk) is False  # the consumer still raises
    assert drain(hook.subscription) == 1  # the receiver is back
    consumer.refresh_from_db()
    hook.refresh_from_db()
    assert (consumer.status, consumer.attempts) == (DeliveryStatus.FAILED, 5)
    assert (hook.status, hook.attempts) == (DeliveryState.SUCCEEDED, 5)


def test_a_dead_workers_claim_is_taken_again_after_one_lease_in_both_queues(
    ana, receiver, one_policy
):
    hook = _webhook_row(ana, receiver)
    consumer = _consumer_row(ana, "test.ping")
    now = timezone.now()
    # A worker of each queue claims its row, then dies before doing anything.
    assert events.OUTBOX.claim([consumer.pk], now) is not None
    assert delivery.WEBHOOKS.claim([hook.pk], now) is not None
    lease = timedelta(seconds=SAME["LEASE_SECONDS"])
    for row in (consumer, hook):
        row.refresh_from_db()
        assert (row.next_attempt_at, row.attempts) == (now + lease, 1)

    # Within the lease nobody takes them …
    soon = now + lease - timedelta(seconds=1)
    assert events.dispatch_due(now=soon) == 0
    assert drain(hook.subscription, now=soon) == 0
    assert receiver.requests == []
    # … after it, the sweepers do, and the lost attempt counted.
    after = now + lease + timedelta(seconds=1)
    assert events.dispatch_due(now=after) == 1
    assert drain(hook.subscription, now=after) == 1
    consumer.refresh_from_db()
    hook.refresh_from_db()
    assert (consumer.status, consumer.attempts) == (DeliveryStatus.DONE, 2)
    assert (hook.status, hook.attempts) == (DeliveryState.SUCCEEDED, 2)
    assert len(receiver.requests) == 1


@pytest.fixture(params=["outbox", "webhooks"])
def queued(request, ana, receiver, one_policy) -> tuple[WorkQueue, int]:
    """One pending row of each queue in turn."""
    if request.param == "outbox":
        return events.OUTBOX, _consumer_row(ana, "test.ping").pk
    return delivery.WEBHOOKS, _webhook_row(ana, receiver).pk


def test_a_worker_whose_lease_was_taken_over_marks_nothing(queued):
    queue, pk = queued
    now = timezone.now()
    first = queue.claim([pk], now)
    assert first is not None
    # Nobody else can claim it during the lease.
    assert queue.claim([pk], now + timedelta(seconds=SAME["LEASE_SECONDS"] - 1)) is None
    # The first worker stalls past its lease; a second one claims the row.
    second = queue.claim([pk], now + timedelta(seconds=SAME["LEASE_SECONDS"] + 1))
    assert second is not None
    # The stalled worker can neither finish nor fail it …
    assert queue.finish(first, [pk]) == 0
    queue.fail(first, pk, attempts=1, error="stale", now=now)
    row = queue.rows.get(pk=pk)
    assert (row.status, row.attempts, row.last_error) == ("pending", 2, "")
    # … while the holder of the claim can.
    assert queue.finish(second, [pk]) == 1
    row = queue.rows.get(pk=pk)
    assert row.status == queue.done and row.finished_at is not None


def test_a_renewed_lease_is_not_taken_over(queued):
    queue, pk = queued
    now = timezone.now()
    claim = queue.claim([pk], now)
    assert claim is not None
    lease = SAME["LEASE_SECONDS"]
    assert queue.renew(claim, now + timedelta(seconds=lease - 5)) == 1
    # The first lease is over, the renewed one is not.
    assert queue.claim([pk], now + timedelta(seconds=lease + 1)) is None
    assert queue.finish(claim, [pk]) == 1
