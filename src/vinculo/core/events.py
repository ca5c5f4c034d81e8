"""Domain events through a transactional outbox.

A service calls :func:`emit` inside its ``transaction.atomic()`` block: the event row and one
delivery row per interested consumer are written in that transaction, and a dispatch task is
enqueued only once it commits. A rolled-back change therefore never produces an event.

Each delivery is processed in two steps:

1. *claim*: a conditional ``UPDATE`` bumps ``attempts`` and leases the row to this worker
   (``next_attempt_at = now + lease``), so two workers never run it at once;
2. *run*: the consumer runs inside a transaction that also marks the delivery done. If the
   worker dies half-way, nothing of the consumer's database work survives, the lease expires,
   and the sweeper (:func:`dispatch_due`) runs it again. Database effects thus happen exactly
   once; effects outside the database (HTTP calls) must carry the idempotency key
   ``delivery_key(event, consumer)``.

A consumer that raises is retried with exponential backoff and marked ``failed`` after
``OUTBOX_MAX_ATTEMPTS``; failures are listed in the API and in ``vinculo check``.
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from vinculo.core.actor import Actor
from vinculo.core.models import DeliveryStatus, DomainEvent, EventDelivery

logger = logging.getLogger(__name__)

Consumer = Callable[[DomainEvent], None]


@dataclass(frozen=True)
class EventType:
    name: str
    description: str


@dataclass(frozen=True)
class ConsumerSpec:
    name: str
    patterns: tuple[str, ...]
    func: Consumer
    # Optional (workspace_id, event_name) -> bool checked at emit time, so a consumer that only
    # some workspaces need (webhooks) adds no outbox row where nobody listens.
    wants: Callable[[int, str], bool] | None = None


EVENT_TYPES: dict[str, EventType] = {}
CONSUMERS: dict[str, ConsumerSpec] = {}

MAX_BACKOFF_SECONDS = 6 * 3600


def register_event_type(name: str, description: str) -> EventType:
    """Declare an event name; :func:`emit` refuses names nobody declared."""
    event_type = EventType(name, description)
    EVENT_TYPES[name] = event_type
    return event_type


def consumer(
    name: str,
    *,
    events: Iterable[str],
    wants: Callable[[int, str], bool] | None = None,
) -> Callable[[Consumer], Consumer]:
    """Register ``func`` as the consumer ``name`` of events matching the glob ``events``.

    The name is stored on each delivery, so it must stay stable across releases. ``wants``,
    when given, is asked at emit time whether a workspace needs this event at all.
    """

    def decorator(func: Consumer) -> Consumer:
        existing = CONSUMERS.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"event consumer {name!r} is registered twice")
        CONSUMERS[name] = ConsumerSpec(name, tuple(events), func, wants)
        return func

    return decorator


def unregister_consumer(name: str) -> None:
    CONSUMERS.pop(name, None)


def consumers_for(event_name: str, workspace_id: int | None = None) -> list[ConsumerSpec]:
    return [
        spec
        for spec in CONSUMERS.values()
        if any(fnmatch.fnmatchcase(event_name, p) for p in spec.patterns)
        and (workspace_id is None or spec.wants is None or spec.wants(workspace_id, event_name))
    ]


def autodiscover_consumers() -> None:
    """Import ``<app>.consumers`` of every Vínculo app and the modules configured as plug-ins."""
    for config in apps.get_app_configs():
        if not config.name.startswith("vinculo."):
            continue
        try:
            importlib.import_module(f"{config.name}.consumers")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.consumers":
                raise
    for module in settings.EVENT_CONSUMER_MODULES:
        importlib.import_module(module)


def delivery_key(event: DomainEvent, consumer_name: str) -> str:
    """A stable idempotency key for one consumer's handling of one event."""
    return f"{event.pk}:{consumer_name}"


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
    Refuses event names that were not declared with :func:`register_event_type`.
    """
    if name not in EVENT_TYPES:
        raise ValueError(f"unknown domain event {name!r}; declare it with register_event_type()")
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
        transaction.on_commit(partial(_enqueue_dispatch, event.pk))
    return event


def emit_many(
    name: str,
    *,
    actor: Actor,
    subjects: list[tuple[str, str | int, dict[str, Any]]],
    batch_size: int = 1000,
) -> int:
    """Write one ``name`` event per ``(subject_type, subject_id, payload)`` in bulk (imports,
    seeding). Same guarantees as :func:`emit`; returns the number of events written."""
    if name not in EVENT_TYPES:
        raise ValueError(f"unknown domain event {name!r}; declare it with register_event_type()")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("emit_many() must be called inside transaction.atomic()")
    if not subjects:
        return 0
    from vinculo.core.fastinsert import insert_rows

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
        transaction.on_commit(_enqueue_sweep)
    return len(rows)


def _enqueue_sweep() -> None:
    from vinculo.core.tasks import dispatch_due_task

    try:
        dispatch_due_task.enqueue()
    except Exception:
        logger.exception("could not enqueue an outbox sweep; the worker's sweeper will run it")


def _enqueue_dispatch(event_id: int) -> None:
    from vinculo.core.tasks import dispatch_event_task

    try:
        dispatch_event_task.enqueue(event_id)
    except Exception:
        # The event is safe in the outbox; the sweeper in every worker picks it up.
        logger.exception("could not enqueue dispatch of event %s; the sweeper will", event_id)


def backoff_seconds(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed attempt (10 s, 20 s, 40 s … ≤ 6 h)."""
    return int(
        min(settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)
    )


class _LeaseLost(Exception):
    pass


def process_delivery(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Claim and run one delivery; return True if it completed now."""
    now = now or timezone.now()
    lease_until = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    claimed = EventDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=lease_until)
    if not claimed:
        return False
    delivery = EventDelivery.objects.select_related("event").get(pk=delivery_id)
    spec = CONSUMERS.get(delivery.consumer)
    try:
        if spec is None:
            raise LookupError(f"no consumer named {delivery.consumer!r} in this process")
        with transaction.atomic():
            spec.func(delivery.event)
            finished = EventDelivery.objects.filter(
                pk=delivery_id, status=DeliveryStatus.PENDING, attempts=delivery.attempts
            ).update(status=DeliveryStatus.DONE, finished_at=timezone.now(), last_error="")
            if not finished:
                # Our lease ran out and another worker claimed the delivery: undo our work.
                raise _LeaseLost
    except _LeaseLost:
        return False
    except Exception:
        _record_failure(delivery, traceback.format_exc(limit=8))
        return False
    return True


def _record_failure(delivery: EventDelivery, error: str) -> None:
    attempts = delivery.attempts
    fields: dict[str, Any] = {"last_error": error[-4000:]}
    if attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        fields.update(status=DeliveryStatus.FAILED, finished_at=timezone.now())
        logger.error(
            "consumer %s gave up on event %s after %s attempts",
            delivery.consumer,
            delivery.event_id,
            attempts,
        )
    else:
        fields["next_attempt_at"] = timezone.now() + timedelta(seconds=backoff_seconds(attempts))
        logger.warning(
            "consumer %s failed on event %s (attempt %s)",
            delivery.consumer,
            delivery.event_id,
            attempts,
        )
    EventDelivery.objects.filter(pk=delivery.pk, attempts=attempts).update(**fields)


def dispatch_event(event_id: int) -> int:
    """Run every due delivery of one event; return how many completed."""
    ids = EventDelivery.objects.filter(
        event_id=event_id, status=DeliveryStatus.PENDING
    ).values_list("pk", flat=True)
    return sum(process_delivery(pk) for pk in list(ids))


def dispatch_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Run deliveries whose time has come (missed, retried or lease-expired); return completions."""
    now = now or timezone.now()
    ids = (
        EventDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(process_delivery(pk, now=now) for pk in list(ids))


def retry_delivery(delivery: EventDelivery) -> None:
    """Put a failed delivery back in the queue (the caller checks permissions and audits)."""
    EventDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), finished_at=None
    )
    transaction.on_commit(partial(_enqueue_dispatch, delivery.event_id))
