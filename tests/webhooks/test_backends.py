"""Both task backends deliver: the database one in-process, RQ through a real worker process
on Redis db 3. The sweeper picks up retries and drains nobody queued."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from tests.core.test_outbox import _worker_burst
from tests.webhooks.helpers import run_outbox, subscribe
from vinculo.contacts import services as contacts
from vinculo.core.worker import run_burst
from vinculo.integrations import delivery
from vinculo.integrations.models import DeliveryState, WebhookDelivery

REDIS_DB = "redis://127.0.0.1:6379/3"


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_delivers(ana, receiver):
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    person = contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_burst(mode="db")
    [request] = receiver.requests
    assert request.json["data"]["subject_id"] == str(person.pk)
    item = WebhookDelivery.objects.get(subscription=sub)
    assert item.status == DeliveryState.SUCCEEDED
    sub.refresh_from_db()
    assert sub.drain_pending is False


@pytest.fixture
def rq_db3(redis_url, settings):
    settings.RQ_QUEUES = {"default": {"URL": REDIS_DB, "DEFAULT_TIMEOUT": 60}}
    settings.REDIS_URL = REDIS_DB
    import django_rq

    queue = django_rq.get_queue("default")
    queue.connection.flushdb()  # db 3 is this suite's own
    yield REDIS_DB
    queue.connection.flushdb()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_rq_backend_delivers_through_a_worker_process(ana, receiver, rq_db3, tmp_path):
    sub = subscribe(ana, receiver.url, ["person.*"]).subscription
    rq_tasks = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=rq_tasks), transaction.atomic():
        joana = contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
        contacts.update_person(actor=ana.actor, person_id=joana.pk, data={"last_name": "Silva"})
    import django_rq

    assert django_rq.get_queue("default").count >= 1  # the outbox dispatch, in Redis
    done = _worker_burst(
        tmp_path,
        VINCULO_TASKS="rq",
        REDIS_URL=rq_db3,
        VINCULO_OUTBOUND_ALLOWED_NETWORKS="127.0.0.1/32",
    )
    assert done.returncode == 0, done.stderr
    states = list(WebhookDelivery.objects.values_list("status", "last_error"))
    assert [r.json["type"] for r in receiver.requests] == [
        "person.created",
        "person.updated",
    ], (states, done.stderr[-2000:])
    assert set(
        WebhookDelivery.objects.filter(subscription=sub).values_list("status", flat=True)
    ) == {DeliveryState.SUCCEEDED}


@pytest.mark.django_db(transaction=True)
def test_the_sweeper_sends_retries_when_they_are_due(ana, receiver):
    receiver.script = [503]
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_burst(mode="db")
    item = WebhookDelivery.objects.get(subscription=sub)
    assert item.status == DeliveryState.PENDING and item.attempts == 1
    assert delivery.sweep() == 0  # not due yet
    WebhookDelivery.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    assert delivery.sweep() == 1
    run_burst(mode="db")
    item.refresh_from_db()
    assert item.status == DeliveryState.SUCCEEDED
    assert len(receiver.requests) == 2


@pytest.mark.django_db
def test_a_retried_consumer_never_queues_an_event_twice(ana, receiver):
    from vinculo.core.models import DomainEvent

    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_outbox()
    event = DomainEvent.objects.get(name="person.created")
    # The outbox marks its delivery done in the consumer's transaction, so a second run of the
    # outbox does nothing more:
    run_outbox()
    assert WebhookDelivery.objects.filter(subscription=sub, event=event).count() == 1
