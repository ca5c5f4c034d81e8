"""Deliveries to a real receiver on 127.0.0.1: signature, retries, order, disable, redeliver."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.webhooks.helpers import drain, run_outbox, subscribe, verify
from vinculo.contacts import services as contacts
from vinculo.core.models import AuditEntry, DomainEvent
from vinculo.integrations import services
from vinculo.integrations.models import (
    DeliveryState,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
)

pytestmark = pytest.mark.django_db


def _person(ana, **data):
    return contacts.create_person(actor=ana.actor, data={"first_name": "Joana", **data})


def test_the_receiver_gets_a_signed_documented_body(ana, receiver):
    created = subscribe(ana, receiver.url, ["person.created"])
    person = _person(ana, email="joana@padaria.com.br")
    run_outbox()
    assert drain(created.subscription) == 1

    [request] = receiver.requests
    assert request.path == "/hooks/vinculo"
    h = request.headers
    assert h["Content-Type"] == "application/json"
    assert h["User-Agent"] == "Vinculo-Webhooks/1"
    assert h["Vinculo-Event"] == "person.created"
    item = WebhookDelivery.objects.get(subscription=created.subscription)
    assert h["Vinculo-Delivery"] == item.uid
    now = int(timezone.now().timestamp())
    assert verify(created.secret, h["Vinculo-Signature"], request.body, now)
    assert h["Vinculo-Signature"].startswith(f"t={h['Vinculo-Timestamp']},v1=")
    # A tampered body or another secret does not verify; neither does an old timestamp.
    assert not verify(created.secret, h["Vinculo-Signature"], request.body + b" ", now)
    assert not verify("whsec_other", h["Vinculo-Signature"], request.body, now)
    assert not verify(created.secret, h["Vinculo-Signature"], request.body, now + 3600)

    body = request.json
    event = DomainEvent.objects.get(name="person.created", subject_id=str(person.pk))
    assert body["id"] == f"evt_{event.pk}"
    assert body["type"] == "person.created"
    assert body["workspace"] == {"id": ana.workspace.pk, "slug": ana.workspace.slug}
    assert body["data"]["subject_type"] == "person"
    assert body["data"]["subject_id"] == str(person.pk)
    assert body["data"]["payload"]["email"] == "joana@padaria.com.br"
    item.refresh_from_db()
    assert item.status == DeliveryState.SUCCEEDED
    assert item.attempts == 1
    attempt = WebhookAttempt.objects.get(delivery=item)
    assert attempt.response_status == 200
    assert attempt.request_headers["Vinculo-Delivery"] == item.uid
    assert json.loads(attempt.response_body) == {"ok": True}


def test_only_subscribed_event_types_are_queued(ana, receiver):
    sub = subscribe(ana, receiver.url, ["deal.*"]).subscription
    _person(ana)
    run_outbox()
    assert drain(sub) == 0
    assert receiver.requests == []


def test_five_failures_then_success_delivers_exactly_once_more(ana, receiver):
    receiver.script = [500, 503, 502, 500, 504]
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    _person(ana)
    run_outbox()
    item = WebhookDelivery.objects.get(subscription=sub)
    waits = []
    now = timezone.now()
    for _ in range(6):
        drain(sub, now=now)
        item.refresh_from_db()
        if item.status != DeliveryState.PENDING:
            break
        waits.append(item.next_attempt_at - now)
        # Not due yet: a drain before the backoff sends nothing.
        assert drain(sub, now=now + timedelta(seconds=1)) == 0
        now = item.next_attempt_at
    assert item.status == DeliveryState.SUCCEEDED
    assert item.attempts == 6
    statuses = list(
        WebhookAttempt.objects.filter(delivery=item).values_list("response_status", flat=True)
    )
    assert statuses == [500, 503, 502, 500, 504, 200]
    # Exponential backoff: about 1, 2, 4, 8, 16 minutes (±10 % jitter).
    minutes = [w.total_seconds() / 60 for w in waits]
    for got, expected in zip(minutes, [1, 2, 4, 8, 16], strict=True):
        assert expected * 0.89 <= got <= expected * 1.11
    # Every attempt carried the same delivery id and body; the success came exactly once.
    assert len(receiver.requests) == 6
    assert {r.headers["Vinculo-Delivery"] for r in receiver.requests} == {item.uid}
    assert len({r.body for r in receiver.requests}) == 1
    assert drain(sub, now=now + timedelta(days=2)) == 0
    assert len(receiver.requests) == 6
    sub.refresh_from_db()
    assert sub.is_active and sub.consecutive_failures == 0 and sub.failing_since is None


def test_order_within_a_subject_is_kept(ana, receiver):
    # The first event about Joana fails twice; the later one about her waits behind it,
    # while an event about another person is not held up.
    receiver.script = [500]
    sub = subscribe(ana, receiver.url, ["person.*"]).subscription
    joana = _person(ana, email="joana@padaria.com.br")
    contacts.update_person(actor=ana.actor, person_id=joana.pk, data={"phone": "+5511987654321"})
    other = _person(ana, email="pedro@padaria.com.br", first_name="Pedro")
    run_outbox()
    now = timezone.now()
    drain(sub, now=now)
    sent = [(r.json["type"], r.json["data"]["subject_id"]) for r in receiver.requests]
    assert sent == [("person.created", str(joana.pk)), ("person.created", str(other.pk))]
    receiver.script = [500]
    first = WebhookDelivery.objects.get(
        subscription=sub, event_type="person.created", subject_key=f"person:{joana.pk}"
    )
    drain(sub, now=first.next_attempt_at)  # fails again; the update still waits
    assert [r.json["type"] for r in receiver.requests].count("person.updated") == 0
    first.refresh_from_db()
    drain(sub, now=first.next_attempt_at)  # succeeds, then the update follows in order
    about_joana = [
        (r.json["type"], r.headers["Vinculo-Delivery"])
        for r in receiver.requests
        if r.json["data"]["subject_id"] == str(joana.pk)
    ]
    assert [t for t, _ in about_joana] == [
        "person.created",
        "person.created",
        "person.created",
        "person.updated",
    ]
    assert WebhookDelivery.objects.filter(subscription=sub, status="succeeded").count() == 3


def test_a_dead_delivery_no_longer_blocks_its_subject(ana, receiver, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 2
    receiver.script = [500, 500]
    sub = subscribe(ana, receiver.url, ["person.*"]).subscription
    joana = _person(ana)
    contacts.update_person(actor=ana.actor, person_id=joana.pk, data={"last_name": "Silva"})
    run_outbox()
    drain(sub)
    first = WebhookDelivery.objects.get(subscription=sub, event_type="person.created")
    drain(sub, now=first.next_attempt_at)
    first.refresh_from_db()
    assert first.status == DeliveryState.FAILED
    assert [r.json["type"] for r in receiver.requests] == [
        "person.created",
        "person.created",
        "person.updated",
    ]


def test_repeated_failure_for_a_day_disables_the_subscription(ana, receiver):
    receiver.default = 500
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    _person(ana)
    run_outbox()
    start = timezone.now()
    now = start
    for _ in range(30):
        drain(sub, now=now)
        sub.refresh_from_db()
        if not sub.is_active:
            break
        item = WebhookDelivery.objects.get(subscription=sub)
        assert item.status == DeliveryState.PENDING
        now = item.next_attempt_at
    assert not sub.is_active
    assert sub.disabled_reason == DisabledReason.FAILING
    assert "HTTP 500" in sub.disabled_detail
    assert now - start >= timedelta(hours=24)
    assert AuditEntry.objects.filter(action="webhook.disabled", object_id=str(sub.pk)).exists()
    assert DomainEvent.objects.filter(name="webhook.disabled", subject_id=str(sub.pk)).exists()
    # Disabled: no new deliveries, nothing sent.
    count = len(receiver.requests)
    _person(ana, first_name="Pedro")
    run_outbox()
    assert drain(sub, now=now + timedelta(days=1)) == 0
    assert len(receiver.requests) == count
    assert WebhookDelivery.objects.filter(subscription=sub).count() == 1

    # Enabling it resumes the pending delivery at once.
    receiver.default = 200
    services.update_subscription(actor=ana.actor, subscription_id=sub.pk, data={"is_active": True})
    assert drain(sub) == 1
    assert WebhookDelivery.objects.get(subscription=sub).status == DeliveryState.SUCCEEDED


def test_410_gone_disables_at_once(ana, receiver):
    receiver.script = [410]
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    _person(ana)
    run_outbox()
    drain(sub)
    sub.refresh_from_db()
    assert not sub.is_active
    assert sub.disabled_reason == DisabledReason.GONE
    assert WebhookDelivery.objects.get(subscription=sub).status == DeliveryState.FAILED
    _person(ana, first_name="Pedro")
    run_outbox()
    assert drain(sub) == 0
    assert len(receiver.requests) == 1


def test_redeliver_sends_the_same_delivery_again(ana, receiver):
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    _person(ana)
    run_outbox()
    drain(sub)
    item = WebhookDelivery.objects.get(subscription=sub)
    services.redeliver(actor=ana.actor, delivery_id=item.pk)
    drain(sub)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body
    assert {r.headers["Vinculo-Delivery"] for r in receiver.requests} == {item.uid}
    attempts = list(WebhookAttempt.objects.filter(delivery=item).order_by("number"))
    assert [(a.number, a.manual) for a in attempts] == [(1, False), (2, True)]
    item.refresh_from_db()
    assert item.status == DeliveryState.SUCCEEDED and item.attempts == 2


def test_a_failed_redelivery_is_not_retried_automatically(ana, receiver):
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    _person(ana)
    run_outbox()
    drain(sub)
    item = WebhookDelivery.objects.get(subscription=sub)
    receiver.script = [500]
    services.redeliver(actor=ana.actor, delivery_id=item.pk)
    drain(sub)
    item.refresh_from_db()
    assert item.status == DeliveryState.FAILED
    assert drain(sub, now=timezone.now() + timedelta(days=1)) == 0


def test_the_condition_filters_on_the_subject_record(ana, receiver):
    condition = {"field": "tags", "op": "has_any", "value": ["vip"]}
    sub = subscribe(ana, receiver.url, ["person.created"], condition=condition).subscription
    vip = _person(ana, email="vip@padaria.com.br", tags=["vip"])
    _person(ana, email="comum@padaria.com.br", first_name="Pedro")
    run_outbox()
    drain(sub)
    assert [r.json["data"]["subject_id"] for r in receiver.requests] == [str(vip.pk)]


def test_ping_sends_one_test_event(ana, receiver):
    created = subscribe(ana, receiver.url, ["person.created"])
    item = services.send_ping(actor=ana.actor, subscription_id=created.subscription.pk)
    drain(created.subscription)
    [request] = receiver.requests
    assert request.headers["Vinculo-Event"] == "webhook.ping"
    assert request.headers["Vinculo-Delivery"] == item.uid
    assert verify(
        created.secret,
        request.headers["Vinculo-Signature"],
        request.body,
        int(timezone.now().timestamp()),
    )


def test_after_rotation_both_secrets_sign_for_a_while(ana, receiver):
    created = subscribe(ana, receiver.url, ["person.created"])
    rotated = services.rotate_secret(actor=ana.actor, subscription_id=created.subscription.pk)
    assert rotated.secret != created.secret
    _person(ana)
    run_outbox()
    drain(created.subscription)
    [request] = receiver.requests
    now = int(timezone.now().timestamp())
    header = request.headers["Vinculo-Signature"]
    assert verify(rotated.secret, header, request.body, now)
    assert verify(created.secret, header, request.body, now)


def test_a_connection_error_is_retried(ana, receiver):
    sub = subscribe(ana, "http://127.0.0.1:9/nothing-listens", ["person.created"]).subscription
    _person(ana)
    run_outbox()
    drain(sub)
    item = WebhookDelivery.objects.get(subscription=sub)
    assert item.status == DeliveryState.PENDING
    assert item.attempts == 1
    assert item.last_error
    attempt = WebhookAttempt.objects.get(delivery=item)
    assert attempt.response_status is None and attempt.error
