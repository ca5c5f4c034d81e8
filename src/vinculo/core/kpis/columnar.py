"""KPIs measured from columns an app keeps rolled up (the purchases of each hour): the app's
``Kpi.columns`` reader answers arrays (each row's time in epoch seconds, its weight, its amount
in cents and, when asked, the person and the group), and this module buckets and aggregates
them with numpy. A year of a million purchases is then a few thousand roll-up rows, not a
million rows read and grouped by the database.

The rows' times are as fine as an hour: used only when every
instant that bounds the period, the previous period and the buckets falls on it (every time
zone of whole hours, daylight saving included); otherwise, or when the reader says it cannot
(money converted between currencies), the engine reads the rows as for any KPI. The answers
are the same either way (tests compare both).

Aggregates: count (the weights), sum and mean (cents), distinct, sum per distinct, repeat
(people, from one row per purchase), retained and churned (the spans of
:mod:`vinculo.core.kpis.retention`, counted here)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import numpy as np

from vinculo.core.kpis.registry import Aggregate, Frame, Kpi, Scope
from vinculo.core.kpis.retention import WINDOWED, bucket_start

PER_PERSON = frozenset({Aggregate.DISTINCT, Aggregate.SUM_PER, Aggregate.REPEAT, *WINDOWED})
MONEY = frozenset({Aggregate.SUM, Aggregate.MEAN, Aggregate.SUM_PER})
COLUMNED = frozenset({Aggregate.COUNT, Aggregate.SUM, Aggregate.MEAN, *PER_PERSON})
HUNDRED = Decimal(100)
GRID_CELLS = 8_000_000  # people x buckets counted in one array (64 MB) rather than sorted
RESOLUTION = 3600  # the readers' rows are hours: used when every bound is a whole hour


@dataclass(frozen=True)
class Request:
    """What a reader is asked for: the rows from ``since`` to ``until``, one per purchase
    with its person (``people``) or rolled up, each row's group (by ``group_by``) and, unless
    no aggregate needs them, the amounts (``cents``)."""

    since: datetime
    until: datetime
    people: bool
    group_by: str | None
    cents: bool = True  # False: no aggregate reads the amounts (answer zeros)


@dataclass
class Columns:
    """A reader's rows: ``time`` (epoch seconds, any moment of the row's hour), ``weight`` (how
    many records a row stands for; negative to take some away), ``cents``; with people, ``who``
    (one row per record); with a group, ``group`` (codes into ``labels``)."""

    time: np.ndarray
    weight: np.ndarray
    cents: np.ndarray
    who: np.ndarray | None = None
    group: np.ndarray | None = None
    labels: Sequence[Any] = field(default_factory=list)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _aligned(moments: Sequence[datetime], resolution: int) -> bool:
    return all(_epoch(m) % resolution == 0 and m.microsecond == 0 for m in moments)


def _windowed_bounds(frame: Frame) -> tuple[list[datetime], list[datetime]]:
    """The spans a retention KPI compares: the earlier, previous and present periods; the
    bucket before the first, then each bucket (as :func:`retention.measure_retention`)."""
    tz = frame.window[0].tzinfo
    length = timedelta(days=(frame.end - frame.start).days + 1)

    def at(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=tz)

    periods = [at(frame.start - 2 * length), at(frame.start - length), *frame.window]
    first = at(bucket_start(frame.start - timedelta(days=1), frame.grain))
    return periods, [first, *frame.edges]


def measure_columns(
    kpi: Kpi, scope: Scope, frame: Frame
) -> tuple[list[Any], Any, Any, dict[Any, Any]] | None:
    """(value per bucket, value, previous value, value per group) from the KPI's columns, or
    None when they cannot answer (no reader, an aggregate they do not hold, instants between
    the reader's times, money to convert)."""
    if kpi.columns is None or kpi.is_snapshot or kpi.aggregate not in COLUMNED:
        return None
    if frame.rate is not None:  # money converted month by month: read from the rows
        return None
    windowed = kpi.aggregate in WINDOWED
    if windowed:
        periods, series = _windowed_bounds(frame)
        bounds = [*periods, *series]
    else:
        bounds = [frame.before[0], *frame.edges]
    if not _aligned(bounds, RESOLUTION):
        return None
    request = Request(
        since=min(bounds),
        until=max(bounds),
        people=kpi.aggregate in PER_PERSON or frame.group_by is not None,
        group_by=frame.group_by,
        cents=kpi.aggregate in MONEY,
    )
    got = kpi.columns(scope, request)
    if got is None:
        return None
    if windowed:
        return _retention(kpi, got, periods, series, frame.group_by is not None)
    edges = np.array([_epoch(m) for m in bounds], dtype=np.int64)
    slot = np.searchsorted(edges, got.time, side="right") - 1
    inside = (slot >= 0) & (slot < len(edges) - 1)
    n = len(edges) - 1  # slot 0: the previous period; 1..n-1: the buckets
    per_slot = _by(kpi.aggregate, got, slot, inside, n)
    current = _by(kpi.aggregate, got, np.zeros_like(slot), inside & (slot >= 1), 1)[0]
    groups: dict[Any, Any] = {}
    if frame.group_by is not None and got.group is not None:
        found = _by(kpi.aggregate, got, got.group, inside & (slot >= 1), len(got.labels))
        met = np.unique(got.group[inside & (slot >= 1)])
        groups = {got.labels[int(g)]: found[int(g)] for g in met}
    return per_slot[1:], current, per_slot[0], groups


def _by(how: Aggregate, got: Columns, key: np.ndarray, keep: np.ndarray, size: int) -> list:
    """The aggregate of the kept rows per key 0..size-1."""
    key = key[keep].astype(np.int64)
    if how is Aggregate.COUNT:
        return _sums(key, got.weight[keep], size)
    if how in (Aggregate.SUM, Aggregate.MEAN):
        cents = _sums(key, got.cents[keep], size)
        if how is Aggregate.SUM:
            return [Decimal(c) / HUNDRED for c in cents]
        weights = _sums(key, got.weight[keep], size)
        return [
            Decimal(c) / HUNDRED / w if w > 0 else None for c, w in zip(cents, weights, strict=True)
        ]
    who = _people(got)[keep]
    people, again = _met(who, key, size)
    if how is Aggregate.DISTINCT:
        return [int(p) for p in people]
    if how is Aggregate.REPEAT:
        return [int(a) / int(p) if p else None for a, p in zip(again, people, strict=True)]
    cents = _sums(key, got.cents[keep], size)  # SUM_PER
    return [
        Decimal(c) / HUNDRED / int(p) if p else None for c, p in zip(cents, people, strict=True)
    ]


def _grid(who: np.ndarray, key: np.ndarray, size: int) -> np.ndarray | None:
    """Rows per (person, key) as a (people, size) array, when it is small enough to hold
    (then counting is one pass over the rows, no sort); None otherwise."""
    if not len(who):
        return np.zeros((0, size), dtype=np.int64)
    low = int(who.min())
    span = int(who.max()) - low + 1
    if span * size > GRID_CELLS:
        return None
    counts = np.bincount((who - low) * size + key, minlength=span * size)
    return counts.reshape(span, size)


def _met(who: np.ndarray, key: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per key 0..size-1: the distinct people met, and those met more than once."""
    grid = _grid(who, key, size)
    if grid is not None:
        return (grid > 0).sum(axis=0), (grid > 1).sum(axis=0)
    stride = int(who.max(initial=0)) + 1
    pairs, times = np.unique(key * stride + who, return_counts=True)
    pair_key = pairs // stride
    return np.bincount(pair_key, minlength=size), np.bincount(pair_key[times > 1], minlength=size)


def _people(got: Columns) -> np.ndarray:
    if got.who is None:
        raise ValueError("A per-person aggregate needs the columns' people.")
    return got.who


def _sums(key: np.ndarray, values: np.ndarray, size: int) -> list[int]:
    """Exact integer sums per key (numpy's bincount would add them as floats)."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, key, values)
    return [int(c) for c in out]


def _spans(got: Columns, bounds: list[datetime], keep: np.ndarray | None = None) -> np.ndarray:
    """Per span of ``bounds``: the distinct people met in it and those of them met again in the
    span after (an array of (met, kept) rows); only the rows ``keep`` says, when given."""
    who = _people(got)
    edges = np.array([_epoch(m) for m in bounds], dtype=np.int64)
    spans = len(edges) - 1
    slot = np.searchsorted(edges, got.time, side="right") - 1
    inside = (slot >= 0) & (slot < spans)
    if keep is not None:
        inside &= keep
    who, slot = who[inside].astype(np.int64), slot[inside]
    grid = _grid(who, slot, spans)
    if grid is not None:
        met = grid > 0
        kept = np.zeros(spans, dtype=np.int64)
        kept[:-1] = (met[:, :-1] & met[:, 1:]).sum(axis=0)
        return np.stack([met.sum(axis=0), kept], axis=1)
    stride = spans + 1  # a span and the next one fit without spilling into another person
    pairs = np.unique(who * stride + slot)
    again = np.isin(pairs + 1, pairs)
    span = pairs % stride
    return np.stack(
        [np.bincount(span, minlength=spans), np.bincount(span[again], minlength=spans)], axis=1
    )


def _share(kpi: Kpi, base: int, kept: int) -> float | None:
    if not base:
        return None
    share = int(kept) / int(base)
    return 1 - share if kpi.aggregate is Aggregate.CHURNED else share


def _retention(
    kpi: Kpi, got: Columns, periods: list[datetime], series: list[datetime], grouped: bool
) -> tuple[list[Any], Any, Any, dict[Any, Any]]:
    counted = _spans(got, periods)  # spans 0, 1, 2: earlier, previous, present
    value = _share(kpi, *counted[1])
    before = _share(kpi, *counted[0])
    buckets = _spans(got, series)  # span 0: the bucket before the first; then each bucket
    values = [_share(kpi, *buckets[i]) for i in range(len(series) - 2)]
    groups: dict[Any, Any] = {}
    if grouped and got.group is not None:
        for code in np.unique(got.group):
            mine = got.group == code
            last_two = _spans(got, periods[1:], mine)  # span 0: previous; 1: present
            if last_two[0][0] or last_two[1][0]:
                groups[got.labels[int(code)]] = _share(kpi, *last_two[0])
    return values, value, before, groups
