"""The hourly purchase roll-up (:class:`vinculo.events.models.PurchaseHour`): kept by every
write that adds, moves or removes purchases, rebuilt on demand, and read by the purchase KPIs.

**Kept.** The ingest appends its new purchases (:func:`append`): a row per hour and currency of
each batch, beside the hour's earlier rows, so a busy hour never rewrites what it holds (a daily
task, :func:`compact`, joins each hour's rows into one per currency). A write that moves or deletes
purchases calls :func:`refresh_hours` with their moments (gathered before) in its transaction:
those hours are recomputed from the purchases themselves (idempotent: a repeated or overlapping
refresh is harmless), under the workspace's exclusive roll-up lock on PostgreSQL, which appends
share. Purchases without a person are not rolled up (no KPI counts them).

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
from django.db import connections, router, transaction
from django.db.models import Count, Q, QuerySet

from vinculo.contacts.models import Person
from vinculo.contacts.selectors import binned_people, few_binned
from vinculo.core.kpis import Columns, Request, Scope, narrow
from vinculo.core.kpis.buckets import Epoch
from vinculo.events.models import Purchase, PurchaseHour

HOUR = timedelta(hours=1)
BATCH = 200  # hours refreshed per query
WRITE_BATCH = 2_000
LOCK_SPACE = 1_804_110  # the first key of the roll-up's advisory locks (PostgreSQL)
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
        people = np.frombuffer(bytes(row.people), dtype=ENDIAN).tolist()
        cents = np.frombuffer(bytes(row.cents), dtype=ENDIAN).tolist()
        orders, amount, pairs = have.get((row.hour, row.currency), (0, Decimal(0), []))
        have[(row.hour, row.currency)] = (
            orders + row.orders,
            amount + row.amount,
            sorted(pairs + list(zip(people, cents, strict=True))),
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
        binned = few_binned(scope.workspace)
        if binned is not None:
            return _rolled_up(scope, hours, request, currency, binned)
    columns = ["kpi_t", "orders", "people", *(["cents"] if request.cents else [])]
    rows = list(hours.annotate(kpi_t=Epoch("hour")).values_list(*columns).order_by())
    orders = np.array([r[1] for r in rows], dtype=np.int64)
    time = np.repeat(np.array([r[0] for r in rows], dtype=np.int64), orders)
    who = np.frombuffer(b"".join(r[2] for r in rows), dtype=ENDIAN)
    cents = (
        np.frombuffer(b"".join(r[3] for r in rows), dtype=ENDIAN)
        if request.cents
        else np.zeros(len(who), dtype=np.int64)
    )
    if _cut(scope):
        people = narrow(_live_people(scope), scope, PERSON_PATHS, {"person": "pk"})
        keep = np.isin(who, np.fromiter(people.values_list("pk", flat=True), dtype=np.int64))
    else:
        gone = binned_people(scope.workspace).values_list("pk", flat=True)
        keep = ~np.isin(who, np.fromiter(gone, dtype=np.int64))
    time, who, cents = time[keep], who[keep], cents[keep]
    found = Columns(time=time, weight=np.ones(len(who), dtype=np.int64), cents=cents, who=who)
    if request.group_by is not None:
        found.group, found.labels = _groups(scope, request.group_by, who)
    return found


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _rolled_up(
    scope: Scope, hours: QuerySet, request: Request, currency: str | None, binned_ids: list[int]
) -> Columns:
    """The hours' counts and sums, less the purchases of the binned people (a few: each of
    their purchases a row taken away, read by person)."""
    rows = list(
        hours.annotate(kpi_t=Epoch("hour")).values_list("kpi_t", "orders", "amount").order_by()
    )
    binned = _purchases(scope.workspace.pk).filter(
        person_id__in=binned_ids,
        occurred_at__gte=hour_of(request.since),
        occurred_at__lt=request.until,
    )
    if currency is not None:
        binned = binned.filter(currency=currency)
    gone = list(binned.values_list("occurred_at", "amount"))
    return Columns(
        time=np.array([r[0] for r in rows] + [_epoch(t) for t, _a in gone], np.int64),
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


def purchases_until(
    workspace: Any, until: datetime
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every purchase of live people before ``until`` (a whole hour) from the roll-up: each
    one's hour (epoch seconds), person, cents and currency (an index into the list returned
    last)."""
    rows = list(
        PurchaseHour.objects.for_workspace(workspace)
        .filter(hour__lt=until)
        .annotate(kpi_t=Epoch("hour"))
        .values_list("kpi_t", "currency", "orders", "people", "cents")
        .order_by()
    )
    currencies = sorted({r[1] for r in rows})
    index = {c: i for i, c in enumerate(currencies)}
    orders = np.array([r[2] for r in rows], dtype=np.int64)
    time = np.repeat(np.array([r[0] for r in rows], dtype=np.int64), orders)
    code = np.repeat(np.array([index[r[1]] for r in rows], dtype=np.int64), orders)
    who = np.frombuffer(b"".join(r[3] for r in rows), dtype=ENDIAN)
    cents = np.frombuffer(b"".join(r[4] for r in rows), dtype=ENDIAN)
    gone = binned_people(workspace).values_list("pk", flat=True)
    keep = ~np.isin(who, np.fromiter(gone, dtype=np.int64))
    return time[keep], who[keep], cents[keep], code[keep], currencies
