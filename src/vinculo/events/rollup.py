"""The hourly purchase roll-up (:class:`vinculo.events.models.PurchaseHour`): kept by every
write that adds, moves or removes purchases, rebuilt on demand, and read by the purchase KPIs.

**Kept.** A writer calls :func:`refresh_hours` with the moments of the purchases it touched (the
new ones, the moved ones, those about to be deleted, gathered before), in its transaction: each
of those hours is recomputed from the purchases themselves, so a refresh is idempotent and a
repeated or overlapping one is harmless. The hours' rows are locked first (``SELECT … FOR
UPDATE`` on PostgreSQL); a row another transaction created meanwhile is met as a conflict and
the hours are read again. Purchases without a person are not rolled up (no KPI counts them).

**Rebuilt.** :func:`rebuild` recomputes a workspace's roll-up from all its purchases (the
migration that added it, ``vinculo rollup``, a bulk load that wrote purchases directly).

**Read.** :func:`purchase_columns` answers the purchase KPIs' ``columns``: rolled-up hours
(count and sum) when nothing needs the people, else one row per purchase with its person, for
the scope's people (its owner, team, source, lifecycle stage or segment) and always without
binned people's purchases."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from vinculo.contacts.models import Person
from vinculo.core.kpis import Columns, Request, Scope, narrow
from vinculo.events.models import Purchase, PurchaseHour

HOUR = timedelta(hours=1)
BATCH = 200  # hours refreshed per query
WRITE_BATCH = 2_000
BINNED_LISTED = 500  # more binned people than this: their purchases are left out row by row
ENDIAN = "<i8"
PERSON_PATHS = {
    "owner": "owner_id",
    "source": "source",
    "lifecycle_stage": "lifecycle_stage__key",
}


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
    return np.asarray(values, dtype=ENDIAN).tobytes()


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


def refresh_hours(workspace_id: int, moments: Iterable[datetime]) -> None:
    """Recompute the roll-up of the hours that hold ``moments`` from the purchases."""
    hours = sorted({hour_of(m) for m in moments})
    for start in range(0, len(hours), BATCH):
        batch = hours[start : start + BATCH]
        try:
            with transaction.atomic():
                _rewrite(workspace_id, batch)
        except IntegrityError:  # another transaction added one of these hours: read again
            with transaction.atomic():
                _rewrite(workspace_id, batch)


def _rewrite(workspace_id: int, hours: list[datetime]) -> None:
    existing = {
        (row.hour, row.currency): row
        for row in PurchaseHour.objects.select_for_update()
        .filter(workspace_id=workspace_id, hour__in=hours)
        .only("pk", "hour", "currency")
    }
    within = reduce(or_, (Q(occurred_at__gte=lo, occurred_at__lt=hi) for lo, hi in _ranges(hours)))
    found = _rolled(
        _purchases(workspace_id)
        .filter(within)
        .values_list("occurred_at", "currency", "person_id", "amount")
        .order_by("occurred_at", "pk")
    )
    fresh, changed = [], []
    for (hour, currency), rolled in found.items():
        row = rolled.row(workspace_id, hour, currency)
        kept = existing.pop((hour, currency), None)
        if kept is None:
            fresh.append(row)
        else:
            row.pk = kept.pk
            changed.append(row)
    if existing:
        PurchaseHour.objects.filter(pk__in=[r.pk for r in existing.values()]).delete()
    PurchaseHour.objects.bulk_update(
        changed, ["orders", "amount", "people", "cents"], batch_size=WRITE_BATCH
    )
    PurchaseHour.objects.bulk_create(fresh, batch_size=WRITE_BATCH)


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
    have = {}
    for row in PurchaseHour.objects.filter(workspace_id=workspace_id):
        people = np.frombuffer(bytes(row.people), dtype=ENDIAN).tolist()
        cents = np.frombuffer(bytes(row.cents), dtype=ENDIAN).tolist()
        have[(row.hour, row.currency)] = (
            row.orders,
            row.amount,
            sorted(zip(people, cents, strict=True)),
        )
    return sorted(k for k in want.keys() | have.keys() if want.get(k) != have.get(k))


# --- reading ----------------------------------------------------------------------------------


def _live_people(scope: Scope) -> QuerySet:
    return Person.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)


def _cut(scope: Scope) -> bool:
    return any(
        v is not None
        for v in (scope.owner_id, scope.team_id, scope.source, scope.lifecycle_stage, scope.segment)
    )


def purchase_columns(scope: Scope, request: Request, *, currency: str | None) -> Columns:
    """The purchases of ``request``'s span in ``currency`` (None: every currency) as columns."""
    hours = PurchaseHour.objects.for_workspace(scope.workspace).filter(
        hour__gte=hour_of(request.since), hour__lt=request.until
    )
    if currency is not None:
        hours = hours.filter(currency=currency)
    if not request.people and not _cut(scope):
        binned = list(_binned(scope).values_list("pk", flat=True)[: BINNED_LISTED + 1])
        if len(binned) <= BINNED_LISTED:
            return _rolled_up(scope, hours, request, currency, binned)
    rows = list(hours.values_list("hour", "orders", "people", "cents").order_by())
    orders = np.array([r[1] for r in rows], dtype=np.int64)
    time = np.repeat(np.array([_epoch(r[0]) for r in rows], dtype=np.int64), orders)
    who = np.frombuffer(b"".join(r[2] for r in rows), dtype=ENDIAN)
    cents = np.frombuffer(b"".join(r[3] for r in rows), dtype=ENDIAN)
    if _cut(scope):
        people = narrow(_live_people(scope), scope, PERSON_PATHS, {"person": "pk"})
        keep = np.isin(who, np.fromiter(people.values_list("pk", flat=True), dtype=np.int64))
    else:
        gone = _binned(scope).values_list("pk", flat=True)
        keep = ~np.isin(who, np.fromiter(gone, dtype=np.int64))
    time, who, cents = time[keep], who[keep], cents[keep]
    columns = Columns(time=time, weight=np.ones(len(who), dtype=np.int64), cents=cents, who=who)
    if request.group_by is not None:
        columns.group, columns.labels = _groups(scope, request.group_by, who)
    return columns


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _binned(scope: Scope) -> QuerySet:
    return Person.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=False)


def _rolled_up(
    scope: Scope, hours: QuerySet, request: Request, currency: str | None, binned_ids: list[int]
) -> Columns:
    """The hours' counts and sums, less the purchases of the binned people (a few: each of
    their purchases a row taken away, read by person)."""
    rows = list(hours.values_list("hour", "orders", "amount").order_by())
    binned = _purchases(scope.workspace.pk).filter(
        person_id__in=binned_ids,
        occurred_at__gte=hour_of(request.since),
        occurred_at__lt=request.until,
    )
    if currency is not None:
        binned = binned.filter(currency=currency)
    gone = list(binned.values_list("occurred_at", "amount"))
    return Columns(
        time=np.array([_epoch(r[0]) for r in rows] + [_epoch(t) for t, _a in gone], np.int64),
        weight=np.array([r[1] for r in rows] + [-1] * len(gone), dtype=np.int64),
        cents=np.array(
            [int(r[2].scaleb(2)) for r in rows] + [-int(a.scaleb(2)) for _t, a in gone],
            dtype=np.int64,
        ),
    )


def _groups(scope: Scope, group_by: str, who: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Each row's group (its person's owner, source or lifecycle stage) as a code, and what
    each code stands for."""
    pairs = list(_live_people(scope).values_list("pk", PERSON_PATHS[group_by]).order_by("pk"))
    codes: dict[Any, int] = {}
    ids = np.array([p for p, _g in pairs], dtype=np.int64)
    of_person = np.array([codes.setdefault(g, len(codes)) for _p, g in pairs], dtype=np.int64)
    if not len(ids):
        return np.zeros(len(who), dtype=np.int64), list(codes)
    # Every row's person is live (the others were left out): found among the ids.
    return of_person[np.minimum(np.searchsorted(ids, who), len(ids) - 1)], list(codes)
