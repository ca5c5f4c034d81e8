"""Webhook delivery: queueing deliveries for events, and the drain that sends them.

*Queueing* runs inside the outbox consumer (``vinculo.integrations.consumers``, a batch
consumer), in the outbox's transaction: one :class:`WebhookDelivery` per event and matching
active subscription, inserted in bulk for a whole batch of events, so an event is
queued exactly once per subscription however often the consumer is retried. Nothing is sent
there; a drain task is enqueued once the transaction commits.

*Draining* (:func:`drain`, run by the ``drain_webhooks`` task) claims due deliveries of one
subscription in batches, sends them over keep-alive connections (several in parallel,
:mod:`vinculo.integrations.sending`, through the outbound guard) and records every attempt in
bulk. The deliveries are a work queue (:data:`WEBHOOKS`), the mechanism the outbox uses
(:mod:`vinculo.core.queue`): a conditional ``UPDATE`` counts the attempt and leases the batch
under a token, so two workers never send the same delivery; states are written only for rows
the claim still holds; backoff and the give-up follow the ``WEBHOOKS_*`` settings. The lease
(``VINCULO_WEBHOOKS_LEASE_SECONDS``, 60 s) is renewed while the batch is being sent, so a dead
worker's batch is taken again about one lease after it died (that attempt counts).
One task sends thousands of deliveries, which is what makes the forking RQ worker fast enough.

Rules (docs/webhooks.md):

* 2xx is success; timeouts, connection errors, 3xx, 4xx and 5xx are retried with exponential
  backoff (1 min doubling to 6 h, ±10 % jitter, 14 attempts over ~32 h); a ``410 Gone`` fails the
  delivery and disables the subscription.
* Order per subject: a delivery about subject S is not sent while an earlier delivery of the
  same subscription about S is still pending (first try or retrying). A delivery that gave up
  (failed) no longer blocks, so one dead event cannot hold a subject back for more than ~32 h.
* A subscription whose every attempt failed for 24 h, at least 10 times in a row, is disabled
  (audit entry, ``webhook.disabled`` event, a notice in the UI). Its pending deliveries wait
  and resume when it is enabled again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from vinculo.core import filters, jobs
from vinculo.core.actor import Actor
from vinculo.core.fastinsert import insert_rows
from vinculo.core.models import DomainEvent
from vinculo.core.queue import Claim, WorkQueue
from vinculo.integrations import catalog, conf
from vinculo.integrations.disabling import disable_automatically
from vinculo.integrations.models import (
    DeliveryState,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from vinculo.integrations.sending import Connections, Outcome, send_one

logger = logging.getLogger(__name__)

BATCH = 200
# The deliveries, claimed under a token (``claim``) so a drain can renew its lease.
WEBHOOKS = WorkQueue(
    WebhookDelivery, settings_prefix="WEBHOOKS", done=DeliveryState.SUCCEEDED, claim_field="claim"
)
DELIVERY_COLUMNS = [
    "workspace_id",
    "subscription_id",
    "uid",
    "event_id",
    "event_type",
    "subject_key",
    "body",
    "status",
    "attempts",
    "max_attempts",
    "next_attempt_at",
    "claim",
    "manual",
    "last_error",
    "created_at",
]
ATTEMPT_COLUMNS = [
    "workspace_id",
    "delivery_id",
    "subscription_id",
    "number",
    "started_at",
    "duration_ms",
    "request_headers",
    "succeeded",
    "response_status",
    "response_headers",
    "response_body",
    "error",
    "manual",
]
# The job that drains one subscription (bound by vinculo.integrations.tasks).
DRAIN_JOB = "webhooks.drain"
# Previous secrets keep signing this long after a rotation.
ROTATION_GRACE = timedelta(hours=24)


# --- queueing (inside the outbox consumer) -----------------------------------------------------


def _condition_holds(sub: WebhookSubscription, event: DomainEvent) -> bool:
    """The subscription's condition tested against the event's subject record.

    Only events about records of ``condition_object`` are tested; events about other things
    (a pipeline, a form) pass. A subject that no longer exists does not match."""
    if not sub.condition or event.subject_type != sub.condition_object:
        return True
    obj = filters.filter_object(sub.condition_object)
    actor = Actor.system(sub.workspace)
    try:
        pk = int(event.subject_id)
    except (TypeError, ValueError):
        return False
    queryset = obj.model._base_manager.filter(pk=pk)
    try:
        return filters.apply_filter(
            queryset, sub.condition_object, sub.condition, actor=actor
        ).exists()
    except filters.BadFilter:
        # A custom field the condition names was deleted since: better silent than wrong.
        logger.warning("webhook %s: its condition no longer compiles; skipping", sub.pk)
        return False


def queue_event(event: DomainEvent) -> int:
    """Queue ``event`` for every active subscription of its workspace that wants it."""
    return queue_events([event])


def queue_events(events: list[DomainEvent]) -> int:
    """Queue each of ``events`` for every active subscription of its workspace that wants it:
    one locking read of the subscriptions per workspace, one bulk insert, one drain per
    subscription; returns the number of deliveries queued.

    The subscription rows are locked (PostgreSQL) by the same query that reads them, so a drain
    that is resetting its ``drain_pending`` flag waits for these deliveries to commit and then
    sees them (see :func:`request_drain`)."""
    by_workspace: dict[int, list[DomainEvent]] = {}
    for event in events:
        by_workspace.setdefault(event.workspace_id, []).append(event)
    now = timezone.now()
    max_attempts = WEBHOOKS.policy().max_attempts
    rows: list[tuple[Any, ...]] = []
    to_kick: list[int] = []
    for workspace_id in sorted(by_workspace):
        all_subs = list(
            WebhookSubscription.objects.for_workspace(workspace_id)
            .filter(is_active=True)
            .select_related("workspace")
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        used: set[int] = set()
        for event in by_workspace[workspace_id]:
            subs = [
                s
                for s in all_subs
                if catalog.matches(s.event_types, event.name) and _condition_holds(s, event)
            ]
            if not subs:
                continue
            workspace = subs[0].workspace
            body = catalog.event_body(
                event_id=event.pk,
                event_type=event.name,
                created_at=event.occurred_at,
                workspace_id=workspace.pk,
                workspace_slug=workspace.slug,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                payload=event.payload,
            )
            subject_key = f"{event.subject_type}:{event.subject_id}" if event.subject_id else ""
            for s in subs:
                used.add(s.pk)
                rows.append(
                    (
                        event.workspace_id,
                        s.pk,
                        uuid.uuid4().hex,
                        event.pk,
                        event.name,
                        subject_key[:120],
                        body,
                        DeliveryState.PENDING,
                        0,
                        max_attempts,
                        now,
                        "",
                        False,
                        "",
                        now,
                    )
                )
        to_kick += [s.pk for s in all_subs if s.pk in used and not s.drain_pending]
    if not rows:
        return 0
    insert_rows(WebhookDelivery, DELIVERY_COLUMNS, rows)
    _kick(to_kick)
    return len(rows)


def request_drain(subscription_ids: list[int]) -> None:
    """Make sure a drain task will run for each subscription after this transaction commits.

    The rows are locked (on PostgreSQL) so a drain that is resetting its flag waits for our
    deliveries to commit and then sees them; at most one drain per subscription is queued.
    """
    rows = list(
        WebhookSubscription.objects.select_for_update()
        .filter(pk__in=sorted(subscription_ids))
        .order_by("pk")
        .values_list("pk", "drain_pending")
    )
    _kick([pk for pk, pending in rows if not pending])


def _kick(idle: list[int]) -> None:
    """Mark ``idle`` subscriptions as having a drain queued, and queue it on commit."""
    if not idle:
        return
    WebhookSubscription.objects.filter(pk__in=idle).update(drain_pending=True)
    for pk in idle:
        transaction.on_commit(partial(enqueue_drain, pk))


def enqueue_drain(subscription_id: int) -> None:
    try:
        jobs.enqueue(DRAIN_JOB, subscription_id)
    except Exception:
        # The deliveries are safe in the table; the sweeper (every minute) drains them.
        WebhookSubscription.objects.filter(pk=subscription_id).update(drain_pending=False)
        logger.exception("could not enqueue the drain of webhook %s", subscription_id)


# --- draining -------------------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1 min, 2, 4 … ≤ 6 h, with ±10 % jitter."""
    return WEBHOOKS.policy().backoff(attempts)


def _claim(
    sub: WebhookSubscription, now: datetime, limit: int
) -> tuple[Claim, list[WebhookDelivery]] | None:
    """Claim up to ``limit`` due deliveries of ``sub``, none behind an earlier pending delivery
    about the same subject; ``None`` when there are none."""
    earlier_pending = WebhookDelivery.objects.filter(
        subscription_id=sub.pk,
        subject_key=OuterRef("subject_key"),
        status=DeliveryState.PENDING,
        pk__lt=OuterRef("pk"),
    ).exclude(subject_key="")
    candidates = list(
        WEBHOOKS.due(now)
        .filter(subscription_id=sub.pk)
        .filter(~Exists(earlier_pending))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    claim = WEBHOOKS.claim(candidates, now)
    if claim is None:
        return None
    # By primary key first: ``claim`` has no index of its own.
    batch = list(WEBHOOKS.held(claim).order_by("pk"))
    return (claim, batch) if batch else None


def _send_batch(
    pool: ThreadPoolExecutor,
    conns: Callable[[], Connections],
    sub: WebhookSubscription,
    batch: list[WebhookDelivery],
    now: datetime,
    claim: Claim,
    clock: Callable[[], datetime],
) -> list[Outcome]:
    """Send ``batch`` on the pool's threads while this thread renews its lease (a third of
    the lease at a time), so only the thread that owns the database connection writes. A live
    worker thus keeps its batch however slow its receiver is; a dead worker's batch is taken
    again one lease after its last renewal."""
    futures = [pool.submit(_send_in_thread, conns, sub, now, item) for item in batch]
    pending = set(futures)
    while pending:
        _done, pending = wait(pending, timeout=WEBHOOKS.policy().lease_seconds / 3)
        if pending:
            WEBHOOKS.renew(claim, clock())
    return [f.result() for f in futures]


def _record(
    sub: WebhookSubscription,
    outcomes: list[Outcome],
    now: datetime,
    claim: Claim,
    *,
    manual: set[int],
) -> bool:
    """Write attempts and new delivery states; return False when the subscription got disabled."""
    _log_attempts(sub, outcomes, manual)
    gone = _settle_deliveries(claim, outcomes, now)
    _update_health(sub, outcomes, now)
    if gone:
        last = next(o for o in outcomes if o.status == 410)
        _disable(sub, DisabledReason.GONE, "HTTP 410", now, last)
        return False
    if (
        sub.failing_since is not None
        and sub.consecutive_failures >= conf.disable_after_failures()
        and now - sub.failing_since >= timedelta(hours=conf.disable_after_hours())
    ):
        last = outcomes[-1]
        detail = last.error or f"HTTP {last.status}"
        _disable(sub, DisabledReason.FAILING, detail, now, last)
        return False
    return True


def _log_attempts(sub: WebhookSubscription, outcomes: list[Outcome], manual: set[int]) -> None:
    """One attempt row per outcome."""
    # The fast bulk path (COPY on PostgreSQL): the log is most of what a drain writes.
    insert_rows(
        WebhookAttempt,
        ATTEMPT_COLUMNS,
        [
            (
                sub.workspace_id,
                o.delivery.pk,
                sub.pk,
                o.delivery.attempts,  # counted when claimed
                o.started_at,
                o.duration_ms,
                o.request_headers,
                o.succeeded,
                o.status,
                o.response_headers,
                o.response_body,
                o.error,
                o.delivery.pk in manual,
            )
            for o in outcomes
        ],
    )


def _settle_deliveries(claim: Claim, outcomes: list[Outcome], now: datetime) -> bool:
    """Finish the delivered (one statement per status code), fail or retry the others; whether
    a receiver answered 410 Gone."""
    by_status: dict[int, list[int]] = {}
    for o in outcomes:
        if o.succeeded:
            by_status.setdefault(o.status or 200, []).append(o.delivery.pk)
    for status, ids in by_status.items():
        WEBHOOKS.finish(claim, ids, last_status_code=status, manual=False)
    gone = False
    for o in outcomes:
        if o.succeeded:
            continue
        gone = gone or o.status == 410
        WEBHOOKS.fail(
            claim,
            o.delivery.pk,
            attempts=o.delivery.attempts,
            error=(o.error or f"HTTP {o.status}")[:500],
            now=now,
            max_attempts=o.delivery.max_attempts,
            give_up=o.status == 410,
            last_status_code=o.status,
            manual=False,
        )
    return gone


def _update_health(sub: WebhookSubscription, outcomes: list[Outcome], now: datetime) -> None:
    """The subscription's health: trailing failures since the last success (``sub`` is
    refreshed with the stored values)."""
    trailing = 0
    for o in outcomes:
        trailing = 0 if o.succeeded else trailing + 1
    any_success = any(o.succeeded for o in outcomes)
    updates: dict[str, Any] = {}
    if any_success:
        updates.update(last_success_at=now, consecutive_failures=trailing)
        updates["failing_since"] = now if trailing else None
    else:
        updates["consecutive_failures"] = F("consecutive_failures") + trailing
        if sub.failing_since is None:
            updates["failing_since"] = now
    if trailing:
        updates["last_failure_at"] = now
    WebhookSubscription.objects.filter(pk=sub.pk).update(**updates)
    sub.refresh_from_db(
        fields=["consecutive_failures", "failing_since", "is_active", "last_success_at"]
    )


def _disable(
    sub: WebhookSubscription, reason: str, detail: str, now: datetime, last: Outcome | None
) -> None:
    disable_automatically(subscription_id=sub.pk, reason=reason, detail=detail[:500], now=now)


def _send_in_thread(
    conns: Callable[[], Connections], sub: WebhookSubscription, now: datetime, item: WebhookDelivery
) -> Outcome:
    return send_one(conns(), sub, item, now)


def _set_flag(subscription_id: int, value: bool) -> None:
    WebhookSubscription.objects.filter(pk=subscription_id).update(drain_pending=value)


def drain(
    subscription_id: int,
    *,
    now: datetime | None = None,
    max_seconds: float = 60.0,
    concurrency: int | None = None,
    linger: float | None = None,
) -> int:
    """Send every due delivery of one subscription; return how many were attempted.

    While it runs, the subscription's ``drain_pending`` flag stays set, so new events queue no
    other drain; on the way out it clears the flag, then looks once more (a delivery committed
    meanwhile is sent now; one committed later sees the cleared flag and queues a drain).
    With the RQ backend it waits ``linger`` seconds (0.3) for more work before leaving, so a
    steady stream of events does not fork one job per event. ``now`` fixes the clock (tests
    drive retries with it). Stops after ``max_seconds`` and queues a follow-up drain.
    """
    sub = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if sub is None or not sub.is_active:
        _set_flag(subscription_id, False)
        return 0
    workers = concurrency or conf.concurrency()
    fixed_now = now
    if linger is None:
        linger = 0.3 if (fixed_now is None and settings.TASKS_MODE == "rq") else 0.0
    started = last_work = time.monotonic()
    attempted = 0
    local = threading.local()
    all_conns: list[Connections] = []

    def conns() -> Connections:
        if not hasattr(local, "conns"):
            local.conns = Connections()
            all_conns.append(local.conns)
        return local.conns

    def clock() -> datetime:
        if fixed_now is None:
            return timezone.now()
        return fixed_now + timedelta(seconds=time.monotonic() - started)

    pool = ThreadPoolExecutor(max_workers=workers)
    try:
        while True:
            now = fixed_now or timezone.now()
            taken = _claim(sub, now, BATCH)
            if taken is None and linger and time.monotonic() - last_work < linger:
                time.sleep(0.05)
                continue
            if taken is None:
                _set_flag(sub.pk, False)
                taken = _claim(sub, fixed_now or timezone.now(), BATCH)
                if taken is None:
                    break
                _set_flag(sub.pk, True)
            claim, batch = taken
            manual = {d.pk for d in batch if d.manual}
            outcomes = _send_batch(pool, conns, sub, batch, now, claim, clock)
            attempted += len(outcomes)
            last_work = time.monotonic()
            if not _record(sub, outcomes, now, claim, manual=manual):
                _set_flag(sub.pk, False)
                break
            if time.monotonic() - started > max_seconds:
                # The flag is still set: queue the continuation ourselves.
                enqueue_drain(sub.pk)
                break
    finally:
        pool.shutdown(wait=True)
        for c in all_conns:
            c.close()
    return attempted


def sweep(now: datetime | None = None) -> int:
    """Queue a drain for every active subscription with due deliveries (retries, lost drains,
    leases of dead workers); returns how many were queued."""
    due = WEBHOOKS.due(now).filter(subscription_id=OuterRef("pk"))
    ids = list(
        WebhookSubscription.objects.filter(is_active=True)
        .filter(Exists(due))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        WebhookSubscription.objects.filter(pk=pk).update(drain_pending=True)
        enqueue_drain(pk)
    return len(ids)
