"""Domain events through a transactional outbox.

A service calls :func:`emit` inside its ``transaction.atomic()`` block: the event row and one
delivery row per interested consumer are written in that transaction, and a dispatch task is
enqueued only once it commits. A rolled-back change therefore never produces an event.

Deliveries are a work queue (:data:`OUTBOX`, :mod:`vinculo.core.queue`, the mechanism webhook
deliveries use too). Each is processed in two steps:

1. *claim*: a conditional ``UPDATE`` bumps ``attempts`` and leases the row to this worker
   (``next_attempt_at = now + lease``), so two workers never run it at once;
2. *run*: the consumer runs inside a transaction that also marks the delivery done. If the
   worker dies half-way, nothing of the consumer's database work survives, the lease expires,
   and the sweeper (:func:`dispatch_due`) runs it again. Database effects thus happen exactly
   once; effects outside the database (HTTP calls) must carry the idempotency key
   ``delivery_key(event, consumer)``.

A consumer that raises is retried with exponential backoff and marked ``failed`` after
``OUTBOX_MAX_ATTEMPTS`` (the ``OUTBOX_*`` settings of the queue); failures are listed in the API
and in ``vinculo check``.

*Batch consumers* (``@consumer(..., batch=True)``) take a list of events, in event-id order.
Their deliveries are claimed up to ``BATCH_SIZE`` at a time by one conditional ``UPDATE`` that
gives them all one lease timestamp (which identifies the claim: a row can only be re-claimed
once its lease has passed, so a later claim always carries a later timestamp). The consumer runs
once for the batch, in one transaction with the done-marks, which are conditional on that lease:
if any row of the batch was re-claimed meanwhile, the whole batch is undone. If the batch
raises, its events are run again one at a time (same attempt, same lease), so a poisoned event
is retried and failed alone while the others complete. The same guarantees hold: exactly-once
database effects, crash safety through the lease, backoff, ``failed`` after the maximum.
The dispatch task of an event drains the due deliveries of its batch consumers (up to
``DRAIN_LIMIT``); the sweeper does the rest.

This module is the writing side (:func:`emit`, :func:`emit_many`, the enqueueing of dispatch
tasks); the consumer registry and the dispatch live in :mod:`vinculo.core.outbox` (which the
tasks of :mod:`vinculo.core.tasks` run) and are re-exported here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from vinculo.core.actor import Actor
from vinculo.core.event_types import EVENT_TYPES
from vinculo.core.fastinsert import JsonText, insert_rows
from vinculo.core.models import DeliveryStatus, DomainEvent, EventDelivery
from vinculo.core.outbox import (
    BATCH_SIZE,
    DRAIN_LIMIT,
    MAX_BACKOFF_SECONDS,
    OUTBOX,
    BatchConsumer,
    Consumer,
    ConsumerSpec,
    autodiscover_consumers,
    backoff_seconds,
    consumer,
    consumers_for,
    delivery_key,
    dispatch_due,
    dispatch_event,
    drain_consumer,
    process_batch,
    process_delivery,
    unregister_consumer,
)
from vinculo.core.tasks import dispatch_due_task, dispatch_event_task

# The consumer side lives in vinculo.core.outbox (the dispatch tasks need it without this
# module); callers keep using vinculo.core.events for both.
__all__ = [
    "BATCH_SIZE",
    "DRAIN_LIMIT",
    "MAX_BACKOFF_SECONDS",
    "OUTBOX",
    "BatchConsumer",
    "Consumer",
    "ConsumerSpec",
    "autodiscover_consumers",
    "backoff_seconds",
    "consumer",
    "consumers_for",
    "delivery_key",
    "dispatch_due",
    "dispatch_event",
    "drain_consumer",
    "emit",
    "emit_many",
    "process_batch",
    "process_delivery",
    "retry_delivery",
    "unregister_consumer",
]

logger = logging.getLogger(__name__)


def _check_declared(name: str, payloads: Iterable[Mapping[str, Any] | str | None]) -> None:
    """Refuse an undeclared event type and, in debug and under tests, payloads that do not match
    the type's schema (production skips that check: it costs a JSON round trip per event)."""
    event_type = EVENT_TYPES.get(name)
    if event_type is None:
        raise ValueError(f"unknown domain event {name!r}; declare it with register_event_types()")
    if settings.EVENTS_CHECK_PAYLOADS:
        for payload in payloads:
            event_type.check(payload)


def emit(
    name: str,
    *,
    actor: Actor,
    subject: models.Model | None = None,
    subject_type: str = "",
    subject_id: str | int = "",
    payload: dict[str, Any] | None = None,
) -> DomainEvent:
    """Write the event ``name`` into the outbox of ``actor.workspace``.

    Must be called inside ``transaction.atomic()``: the event shares the fate of the change.
    Refuses event names that were not declared with :func:`register_event_types` and, when
    ``settings.EVENTS_CHECK_PAYLOADS`` is on, a payload that does not match its schema.
    """
    _check_declared(name, [payload])
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit() must be called inside transaction.atomic()")
    if subject is not None:
        subject_type = subject_type or subject._meta.model_name or ""
        subject_id = subject.pk
    event = DomainEvent.objects.create(
        workspace=actor.workspace,
        name=name,
        subject_type=subject_type,
        subject_id=str(subject_id),
        payload=payload or {},
        actor=actor.user,
        source=actor.source,
    )
    specs = consumers_for(name, actor.workspace.pk)
    if specs:
        EventDelivery.objects.bulk_create(
            [
                EventDelivery(workspace=actor.workspace, event=event, consumer=spec.name)
                for spec in specs
            ]
        )
        _dispatch_on_commit(event.pk)
    return event


def emit_many(
    name: str,
    *,
    actor: Actor,
    subjects: list[tuple[str, str | int, dict[str, Any] | JsonText]],
    batch_size: int = 1000,
) -> int:
    """Write one ``name`` event per ``(subject_type, subject_id, payload)`` in bulk (imports,
    seeding, events ingestion; a payload may come as ``JsonText``, already encoded). Same
    guarantees and checks as :func:`emit`; returns the number of events written."""
    _check_declared(name, (payload for _type, _id, payload in subjects))
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit_many() must be called inside transaction.atomic()")
    if not subjects:
        return 0
    now = timezone.now()
    user_id = actor.user.pk if actor.user else None
    columns = [
        "workspace_id",
        "name",
        "subject_type",
        "subject_id",
        "payload",
        "actor_id",
        "source",
        "occurred_at",
    ]
    rows = [
        (
            actor.workspace.pk,
            name,
            subject_type,
            str(subject_id),
            payload,
            user_id,
            actor.source,
            now,
        )
        for subject_type, subject_id, payload in subjects
    ]
    specs = consumers_for(name, actor.workspace.pk)
    ids = insert_rows(DomainEvent, columns, rows, returning=bool(specs))
    if specs:
        insert_rows(
            EventDelivery,
            [
                "workspace_id",
                "event_id",
                "consumer",
                "status",
                "attempts",
                "next_attempt_at",
                "last_error",
            ],
            [
                (actor.workspace.pk, event_id, spec.name, DeliveryStatus.PENDING, 0, now, "")
                for event_id in ids
                for spec in specs
            ],
        )
        # One sweep task rather than one task per event: a 100,000-row import stays one job.
        _dispatch_on_commit(None)
    return len(rows)


class _PendingDispatch:
    """The dispatch to enqueue when the current transaction commits: one task for however many
    events it emitted (the event's own task for one, a sweep for several)."""

    def __init__(self) -> None:
        self.event_ids: list[int | None] = []
        self.fired = False

    def __call__(self) -> None:
        self.fired = True
        if len(self.event_ids) == 1 and self.event_ids[0] is not None:
            _enqueue_dispatch(self.event_ids[0])
        else:
            _enqueue_sweep()


def _dispatch_on_commit(event_id: int | None) -> None:
    """Enqueue a dispatch on commit, once per transaction however many events it emits
    (``None``: a bulk of them)."""
    conn = transaction.get_connection()
    pending = getattr(conn, "_vinculo_outbox_dispatch", None)
    # Still waiting for this transaction's commit? (A rollback discards on_commit callbacks.)
    if pending is None or pending.fired or not any(f is pending for _, f, *_ in conn.run_on_commit):
        pending = _PendingDispatch()
        conn._vinculo_outbox_dispatch = pending
        transaction.on_commit(pending)
    pending.event_ids.append(event_id)


def _enqueue_sweep() -> None:
    try:
        dispatch_due_task.enqueue()
    except Exception:
        logger.exception("could not enqueue an outbox sweep; the worker's sweeper will run it")


def _enqueue_dispatch(event_id: int) -> None:
    try:
        dispatch_event_task.enqueue(event_id)
    except Exception:
        # The event is safe in the outbox; the sweeper in every worker picks it up.
        logger.exception("could not enqueue dispatch of event %s; the sweeper will", event_id)


def retry_delivery(delivery: EventDelivery) -> None:
    """Put a failed delivery back in the queue (the caller checks permissions and audits)."""
    OUTBOX.retry(EventDelivery.objects.filter(pk=delivery.pk))
    transaction.on_commit(partial(_enqueue_dispatch, delivery.event_id))
