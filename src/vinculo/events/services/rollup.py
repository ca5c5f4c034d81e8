"""The hourly purchase roll-up (:class:`vinculo.events.models.PurchaseHour`): kept by every
write that adds, moves or removes purchases, and rebuilt on demand.

**Kept.** The ingest appends its new purchases (:func:`append`): a row per hour and currency of
each batch, beside the hour's earlier rows, so a busy hour never rewrites what it holds (a daily
task, :func:`compact`, joins each hour's rows into one per currency). A write that moves or deletes
purchases calls :func:`refresh_hours` with their moments (gathered before) in its transaction:
those hours are recomputed from the purchases themselves (idempotent: a repeated or overlapping
refresh is harmless), under the workspace's exclusive roll-up lock on PostgreSQL, which appends
share. Purchases without a person are not rolled up (no KPI counts them).

**Rebuilt.** :func:`rebuild` recomputes a workspace's roll-up from all its purchases (the
migration that added it, ``vinculo rollup``, a bulk load that wrote purchases directly).

Read by :func:`vinculo.events.selectors.purchase_columns` (the purchase KPIs) and
:func:`~vinculo.events.selectors.purchases_until` (the purchase cohorts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_

import numpy as np
from django.db import connections, router, transaction
from django.db.models import Count, Q, QuerySet

from vinculo.events.models import PACKED, Purchase, PurchaseHour

HOUR = timedelta(hours=1)
BATCH = 200  # hours refreshed per query
WRITE_BATCH = 2_000
LOCK_SPACE = 1_804_110  # the first key of the roll-up's advisory locks (PostgreSQL)


def hour_of(moment: datetime) -> datetime:
    """The UTC hour that holds ``moment``."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def moments_of(purchases: QuerySet) -> list[datetime]:
    """The moments of ``purchases`` (gathered before they are moved or deleted)."""
    return list(purchases.values_list("occurred_at", flat=True))


def _ranges(hours: list[datetime]) -> list[tuple[datetime, datetime]]:
    """Sorted hours as [start, end) ranges, neighbours joined."""
    out: list[tuple[datetime, datetime]] = []
    for hour in hours:
        if out and out[-1][1] == hour:
            out[-1] = (out[-1][0], hour + HOUR)
        else:
            out.append((hour, hour + HOUR))
    return out


def _packed(values: list[int]) -> bytes:
    return np.asarray(values, dtype=PACKED).tobytes()


class _Hour:
    __slots__ = ("amount", "cents", "people")

    def __init__(self) -> None:
        self.amount = Decimal(0)
        self.people: list[int] = []
        self.cents: list[int] = []

    def add(self, person_id: int, amount: Decimal) -> None:
        self.amount += amount
        self.people.append(person_id)
        self.cents.append(int(amount.scaleb(2)))

    def row(self, workspace_id: int, hour: datetime, currency: str) -> PurchaseHour:
        return PurchaseHour(
            workspace_id=workspace_id,
            hour=hour,
            currency=currency,
            orders=len(self.people),
            amount=self.amount,
            people=_packed(self.people),
            cents=_packed(self.cents),
        )


def _rolled(rows: Iterable[tuple[datetime, str, int, Decimal]]) -> dict[tuple, _Hour]:
    hours: dict[tuple, _Hour] = defaultdict(_Hour)
    for when, currency, person_id, amount in rows:
        hours[(hour_of(when), currency)].add(person_id, amount)
    return hours


def _purchases(workspace_id: int) -> QuerySet:
    return Purchase.objects.filter(workspace_id=workspace_id, person__isnull=False)


def _lock(workspace_id: int, *, shared: bool) -> None:
    """On PostgreSQL, the workspace's roll-up lock until the transaction ends: shared by the
    writers that append, exclusive for a recompute, so that a recompute reads the rows and the
    purchases of its hours with no append committing between the two reads. (SQLite has one
    writer at a time: a recompute runs in a transaction that has already written.)"""
    connection = connections[router.db_for_write(PurchaseHour)]
    if connection.vendor != "postgresql":
        return
    call = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {call}(%s, %s)", [LOCK_SPACE, workspace_id])


def append(workspace_id: int, rows: Iterable[tuple[datetime, str, int, Decimal]]) -> None:
    """Roll up new purchases (moment, currency, person id, amount): a row per hour and
    currency of the batch, added beside the hour's earlier rows (an hour may have several:
    :func:`compact` joins them), so a busy hour's ingest never rewrites what it holds."""
    rolled = _rolled(rows)
    if not rolled:
        return
    with transaction.atomic():
        _lock(workspace_id, shared=True)
        PurchaseHour.objects.bulk_create(
            [h.row(workspace_id, *key) for key, h in rolled.items()], batch_size=WRITE_BATCH
        )


def refresh_hours(workspace_id: int, moments: Iterable[datetime]) -> None:
    """Recompute the roll-up of the hours that hold ``moments`` from the purchases (after
    purchases moved or were deleted): each hour's rows replaced by one per currency."""
    hours = sorted({hour_of(m) for m in moments})
    if not hours:
        return
    with transaction.atomic():
        _lock(workspace_id, shared=False)
        for start in range(0, len(hours), BATCH):
            _rewrite(workspace_id, hours[start : start + BATCH])


def compact(workspace_id: int) -> int:
    """Join the rows of each hour that has more than one (ingest appends a row per batch);
    the hours joined."""
    many = list(
        PurchaseHour.objects.filter(workspace_id=workspace_id)
        .values("hour")
        .annotate(kpi_rows=Count("pk"))
        .filter(kpi_rows__gt=1)
        .values_list("hour", flat=True)
    )
    refresh_hours(workspace_id, many)
    return len(many)


def _rewrite(workspace_id: int, hours: list[datetime]) -> None:
    within = reduce(or_, (Q(occurred_at__gte=lo, occurred_at__lt=hi) for lo, hi in _ranges(hours)))
    found = _rolled(
        _purchases(workspace_id)
        .filter(within)
        .values_list("occurred_at", "currency", "person_id", "amount")
        .order_by("occurred_at", "pk")
    )
    PurchaseHour.objects.filter(workspace_id=workspace_id, hour__in=hours).delete()
    PurchaseHour.objects.bulk_create(
        [h.row(workspace_id, *key) for key, h in found.items()], batch_size=WRITE_BATCH
    )


def rebuild(workspace_id: int) -> int:
    """Recompute the workspace's whole roll-up from its purchases; the hours written."""
    with transaction.atomic():
        PurchaseHour.objects.filter(workspace_id=workspace_id).delete()
        rows = (
            _purchases(workspace_id)
            .values_list("occurred_at", "currency", "person_id", "amount")
            .order_by("occurred_at", "pk")
            .iterator(chunk_size=20_000)
        )
        written = 0
        current: dict[tuple, _Hour] = {}
        pending: list[PurchaseHour] = []
        for when, currency, person_id, amount in rows:
            key = (hour_of(when), currency)
            if key not in current:
                # Sorted by time: an hour not met before closes every earlier one.
                pending += [h.row(workspace_id, *k) for k, h in current.items() if k[0] < key[0]]
                current = {k: h for k, h in current.items() if k[0] >= key[0]}
                current[key] = _Hour()
            current[key].add(person_id, amount)
            if len(pending) >= WRITE_BATCH:
                PurchaseHour.objects.bulk_create(pending)
                written += len(pending)
                pending = []
        pending += [h.row(workspace_id, *k) for k, h in current.items()]
        PurchaseHour.objects.bulk_create(pending, batch_size=WRITE_BATCH)
        return written + len(pending)


def differences(workspace_id: int) -> list[tuple[datetime, str]]:
    """The (hour, currency) whose roll-up differs from the purchases (none when kept right)."""
    want = {
        key: (len(h.people), h.amount, sorted(zip(h.people, h.cents, strict=True)))
        for key, h in _rolled(
            _purchases(workspace_id).values_list("occurred_at", "currency", "person_id", "amount")
        ).items()
    }
    have: dict[tuple, tuple] = {}
    for row in PurchaseHour.objects.filter(workspace_id=workspace_id):
        people = np.frombuffer(bytes(row.people), dtype=PACKED).tolist()
        cents = np.frombuffer(bytes(row.cents), dtype=PACKED).tolist()
        orders, amount, pairs = have.get((row.hour, row.currency), (0, Decimal(0), []))
        have[(row.hour, row.currency)] = (
            orders + row.orders,
            amount + row.amount,
            sorted(pairs + list(zip(people, cents, strict=True))),
        )
    return sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k))
