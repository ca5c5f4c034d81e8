"""The outbox's consumer side: the consumer registry and the dispatch of deliveries.

:mod:`vinculo.core.events` writes events and their deliveries; this module runs them (the
dispatch tasks of :mod:`vinculo.core.tasks` and the sweeper call it). See
:mod:`vinculo.core.events` for the guarantees.

Deliveries are a work queue (:data:`OUTBOX`, :mod:`vinculo.core.queue`, the mechanism webhook
deliveries use too). Each is processed in two steps:

1. *claim*: a conditional ``UPDATE`` bumps ``attempts`` and leases the row to this worker
   (``next_attempt_at = now + lease``), so two workers never run it at once;
2. *run*: the consumer runs inside a transaction that also marks the delivery done. If the
   worker dies half-way, nothing of the consumer's database work survives, the lease expires,
   and the sweeper (:func:`dispatch_due`) runs it again.

*Batch consumers* (``@consumer(..., batch=True)``) are claimed up to ``BATCH_SIZE`` at a time by
one conditional ``UPDATE`` that gives them all one lease timestamp; if a batch raises, its events
run again one at a time under the same claim.
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vinculo.core.models import DeliveryStatus, DomainEvent, EventDelivery
from vinculo.core.queue import Claim, WorkQueue

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
