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
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from vinculo.core.actor import Actor
from vinculo.core.event_types import EVENT_TYPES
from vinculo.core.models import DeliveryStatus, DomainEvent, EventDelivery
from vinculo.core.queue import Claim, WorkQueue

if TYPE_CHECKING:
    from vinculo.core.fastinsert import JsonText

logger = logging.getLogger(__name__)

Consumer = Callable[[DomainEvent], None]
BatchConsumer = Callable[[list[DomainEvent]], None]

# Deliveries a batch consumer gets at once, and how many one event's dispatch task drains.
BATCH_SIZE = 500
DRAIN_LIMIT = 5000

# The deliveries, claimed by lease timestamp (no token column: the row stays narrow).
OUTBOX = WorkQueue(EventDelivery, settings_prefix="OUTBOX", done=DeliveryStatus.DONE)


@dataclass(frozen=True)
class ConsumerSpec:
    name: str
    patterns: tuple[str, ...]
    func: Any  # Consumer, or BatchConsumer when ``batch``
    # Optional (workspace_id, event_name) -> bool checked at emit time, so a consumer that only
    # some workspaces need (webhooks) adds no outbox row where nobody listens.
    wants: Callable[[int, str], bool] | None = None
    # The function takes a list of events (event-id order) and is dispatched in batches.
    batch: bool = False

    def run(self, events: list[DomainEvent]) -> None:
        if self.batch:
            self.func(events)
        else:
            for event in events:
                self.func(event)


CONSUMERS: dict[str, ConsumerSpec] = {}

# The default of ``OUTBOX_BACKOFF_CAP_SECONDS``.
MAX_BACKOFF_SECONDS = 6 * 3600


def consumer(
    name: str,
    *,
    events: Iterable[str],
    wants: Callable[[int, str], bool] | None = None,
    batch: bool = False,
) -> Callable[[Any], Any]:
    """Register ``func`` as the consumer ``name`` of events matching the glob ``events``.

    The name is stored on each delivery, so it must stay stable across releases. ``wants``,
    when given, is asked at emit time whether a workspace needs this event at all. With
    ``batch=True`` the function takes a list of events (in event-id order) and runs once per
    batch of up to ``BATCH_SIZE`` deliveries, in one transaction.
    """

    def decorator(func: Any) -> Any:
        existing = CONSUMERS.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"event consumer {name!r} is registered twice")
        CONSUMERS[name] = ConsumerSpec(name, tuple(events), func, wants, batch)
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
    return int(OUTBOX.policy().backoff(attempts).total_seconds())


class _LeaseLost(Exception):
    pass


def _run(spec: ConsumerSpec, deliveries: list[EventDelivery], claim: Claim) -> None:
    """Run ``spec`` on the events of ``deliveries`` (held by ``claim``) and mark them done, in
    one transaction; raise :class:`_LeaseLost` (undoing everything) if any of them was
    re-claimed meanwhile."""
    with transaction.atomic():
        spec.run([d.event for d in deliveries])
        finished = OUTBOX.finish(claim, [d.pk for d in deliveries])
        if finished != len(deliveries):
            # Our lease ran out and another worker claimed a delivery: undo our work.
            raise _LeaseLost


def _run_alone(spec: ConsumerSpec, delivery: EventDelivery, claim: Claim) -> bool:
    try:
        _run(spec, [delivery], claim)
    except _LeaseLost:
        return False
    except Exception:
        _record_failure(delivery, claim, traceback.format_exc(limit=8))
        return False
    return True


def process_delivery(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Claim and run one delivery; return True if it completed now."""
    claim = OUTBOX.claim([delivery_id], now or timezone.now())
    if claim is None:
        return False
    delivery = EventDelivery.objects.select_related("event").get(pk=delivery_id)
    spec = CONSUMERS.get(delivery.consumer)
    if spec is None:
        message = f"LookupError: no consumer named {delivery.consumer!r} in this process"
        _record_failure(delivery, claim, message)
        return False
    return _run_alone(spec, delivery, claim)


def process_batch(
    consumer_name: str, delivery_ids: list[int], *, now: datetime | None = None
) -> int:
    """Claim the due ones of ``delivery_ids`` (all of ``consumer_name``) with one ``UPDATE``,
    run the consumer once for them, and return how many completed.

    If the batch raises, its deliveries run one at a time under the same claim, so only the
    events that fail on their own are retried (with backoff) or failed."""
    spec = CONSUMERS.get(consumer_name)
    if spec is None or not delivery_ids:
        return sum(process_delivery(pk, now=now) for pk in delivery_ids)
    claim = OUTBOX.claim(delivery_ids, now or timezone.now(), consumer=consumer_name)
    if claim is None:
        return 0
    # The lease timestamp names our claim: a row is only claimable again after its lease, so a
    # later claim of one of these rows carries a later timestamp.
    deliveries = list(OUTBOX.held(claim).select_related("event").order_by("event_id"))
    if not deliveries:
        return 0
    try:
        _run(spec, deliveries, claim)
    except _LeaseLost:
        logger.warning("consumer %s lost the lease of a batch; it was undone", consumer_name)
        return 0
    except Exception:
        logger.warning(
            "consumer %s failed on a batch of %s events; running them one at a time",
            consumer_name,
            len(deliveries),
            exc_info=True,
        )
        return sum(_run_alone(spec, d, claim) for d in deliveries)
    return len(deliveries)


def drain_consumer(
    consumer_name: str,
    *,
    first: int | None = None,
    now: datetime | None = None,
    limit: int = DRAIN_LIMIT,
) -> int:
    """Run due deliveries of the batch consumer ``consumer_name`` in batches, oldest event first,
    until none is left or ``limit`` were tried (the sweeper does the rest); return completions.
    ``first`` (a delivery id) goes into the first batch whatever the backlog."""
    completed = tried = 0
    while tried < limit:
        size = min(BATCH_SIZE, limit - tried)
        ids = list(
            OUTBOX.due(now)
            .filter(consumer=consumer_name)
            .order_by("event_id")
            .values_list("pk", flat=True)[:size]
        )
        if first is not None:
            if first not in ids:
                ids = [first, *ids[: size - 1]]
            first = None
        if not ids:
            break
        tried += len(ids)
        done = process_batch(consumer_name, ids, now=now)
        completed += done
        if done == 0:
            break  # everything failed or was taken by another worker: let them be
    return completed


def _record_failure(delivery: EventDelivery, claim: Claim, error: str) -> None:
    attempts = delivery.attempts
    gave_up = OUTBOX.fail(
        claim, delivery.pk, attempts=attempts, error=error[-4000:], now=timezone.now()
    )
    if gave_up:
        logger.error(
            "consumer %s gave up on event %s after %s attempts",
            delivery.consumer,
            delivery.event_id,
            attempts,
        )
    else:
        logger.warning(
            "consumer %s failed on event %s (attempt %s)",
            delivery.consumer,
            delivery.event_id,
            attempts,
        )


def _is_batch(consumer_name: str) -> bool:
    spec = CONSUMERS.get(consumer_name)
    return spec is not None and spec.batch


def dispatch_event(event_id: int) -> int:
    """Run every due delivery of one event; return how many completed.

    For a batch consumer, this drains its due deliveries (this one first, then up to
    ``DRAIN_LIMIT``): the tasks of the events after it then find their work done."""
    rows = list(
        EventDelivery.objects.filter(event_id=event_id, status=DeliveryStatus.PENDING)
        .order_by("pk")
        .values_list("pk", "consumer")
    )
    completed = 0
    for pk, name in rows:
        if _is_batch(name):
            completed += drain_consumer(name, first=pk)
        else:
            completed += process_delivery(pk)
    return completed


def dispatch_due(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> int:
    """Run deliveries whose time has come (missed, retried or lease-expired); return completions.

    Batch consumers get theirs in batches of ``BATCH_SIZE``; the others one at a time."""
    now = now or timezone.now()
    rows = list(
        OUTBOX.due(now).order_by("next_attempt_at", "pk").values_list("pk", "consumer")[:limit]
    )
    completed = 0
    batches: dict[str, list[int]] = {}
    for pk, name in rows:
        if _is_batch(name):
            batches.setdefault(name, []).append(pk)
        else:
            completed += process_delivery(pk, now=now)
    for name, ids in batches.items():
        for i in range(0, len(ids), BATCH_SIZE):
            completed += process_batch(name, ids[i : i + BATCH_SIZE], now=now)
    return completed


def retry_delivery(delivery: EventDelivery) -> None:
    """Put a failed delivery back in the queue (the caller checks permissions and audits)."""
    OUTBOX.retry(EventDelivery.objects.filter(pk=delivery.pk))
    transaction.on_commit(partial(_enqueue_dispatch, delivery.event_id))
