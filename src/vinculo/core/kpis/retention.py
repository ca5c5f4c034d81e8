"""Retention and churn KPIs (:attr:`Aggregate.RETAINED`, :attr:`Aggregate.CHURNED`): of the
distinct values (people) met in the span just before a window, the share met again in the
window (retained) or not (churned).

The span before is, for the period, the previous period (the same number of days just before);
for the previous period, the one before it; for each bucket of the series, the bucket before it
at the grain (the whole day, ISO week, month or quarter before the first bucket). At month grain
over whole months, a point is "of the people who bought in the month before, the share who
bought again in this month". Nothing met in the span before: no value (None), not 0.

Counted in the database, no row fetched: the distinct (span, value) pairs of the rows, each with
the next span its value is met in (``LEAD`` over the value's spans in order); a value met again
in the span right after is kept. One query for the period with the previous and the earlier
periods, one for the buckets, one for the groups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, F, IntegerField, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL

from vinculo.core.kpis.buckets import bucket_of
from vinculo.core.kpis.ranges import by_ranges, ranged
from vinculo.core.kpis.registry import Aggregate, Grain, Kpi

WINDOWED = frozenset({Aggregate.RETAINED, Aggregate.CHURNED})
# Per (group, span): the distinct values met in it, and those met again in the span after.
KEPT = (
    "SELECT kpi_g, kpi_b, COUNT(*), SUM(CASE WHEN kpi_next = kpi_b + 1 THEN 1 ELSE 0 END) "
    "FROM (SELECT kpi_g, kpi_b, LEAD(kpi_b) OVER (PARTITION BY kpi_g, kpi_who ORDER BY kpi_b) "
    "AS kpi_next FROM ({inner}) kpi_pairs) kpi_spans GROUP BY kpi_g, kpi_b"
)
# On SQLite, per span (its start, its end, the next one's end): the distinct values met in it
# and those of them met again in the next (``kpi_k``: an EXISTS over the next span's rows).
KEPT_IN_RANGES = (
    "WITH kpi_e(i, lo, hi, nx) AS (VALUES {rows}) SELECT kpi_e.i, "
    "(SELECT COUNT(DISTINCT kpi_v) FROM ({inner}) kpi_r), "
    "(SELECT COUNT(DISTINCT CASE WHEN kpi_k THEN kpi_v END) FROM ({inner}) kpi_r) FROM kpi_e"
)


def _moment(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def bucket_start(day: date, grain: Grain) -> date:
    """The first day of the bucket at ``grain`` that holds ``day``."""
    if grain is Grain.DAY:
        return day
    if grain is Grain.WEEK:
        return day - timedelta(days=day.weekday())
    if grain is Grain.MONTH:
        return day.replace(day=1)
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _share(kpi: Kpi, base: int, kept: int) -> float | None:
    if not base:
        return None
    return 1 - kept / base if kpi.aggregate is Aggregate.CHURNED else kept / base


def _kept(
    kpi: Kpi, qs: QuerySet, edges: list[datetime], group_path: str | None = None
) -> dict[tuple[Any, int], tuple[int, int]]:
    """Per (group, span of ``edges``): the distinct values met in it and how many of them are
    met again in the span right after."""
    time = kpi.time
    group = F(group_path) if group_path else Value(0, output_field=IntegerField())
    pairs = (
        qs.filter(**{f"{time}__gte": edges[0], f"{time}__lt": edges[-1]})
        .annotate(kpi_g=group, kpi_b=bucket_of(time, edges), kpi_who=F(kpi.value or "pk"))
        .values("kpi_g", "kpi_b", "kpi_who")
        .distinct()
        .order_by()
    )
    try:
        sql, params = pairs.query.sql_with_params()
    except EmptyResultSet:  # a condition nothing meets
        return {}
    counted = KEPT.replace("{inner}", sql)  # the ORM's SQL, its parameters apart
    with connections[qs.db].cursor() as cursor:
        cursor.execute(counted, params)
        return {(g, b): (n, kept) for g, b, n, kept in cursor.fetchall()}


def _kept_in_ranges(kpi: Kpi, qs: QuerySet, edges: list[datetime]) -> dict[int, tuple[int, int]]:
    """On SQLite, per span of ``edges`` but the last: the distinct values met in it and how
    many of them are met again in the span after, each span by its own subquery over its time
    range (an EXISTS per row for the span after) instead of sorting every pair; empty when the
    plan would not read the spans from an index on the time."""
    time, value = kpi.time, kpi.value or "pk"
    again = qs.filter(
        **{
            value: OuterRef("kpi_v"),
            f"{time}__gte": RawSQL("kpi_e.hi", ()),
            f"{time}__lt": RawSQL("kpi_e.nx", ()),
        }
    )
    inner = (
        qs.filter(**{f"{time}__gte": RawSQL("kpi_e.lo", ()), f"{time}__lt": RawSQL("kpi_e.hi", ())})
        .annotate(kpi_v=F(value))
        .annotate(kpi_k=Exists(again))
        .values("kpi_v", "kpi_k")
        .order_by()
    )
    try:
        inner_sql, inner_params = inner.query.sql_with_params()
    except EmptyResultSet:  # a condition nothing meets
        return {}
    connection = connections[qs.db]
    adapt = connection.ops.adapt_datetimefield_value
    spans = range(len(edges) - 2)
    params: list[Any] = []
    for i in spans:
        params += [i, adapt(edges[i]), adapt(edges[i + 1]), adapt(edges[i + 2])]
    sql = KEPT_IN_RANGES.replace("{rows}", ", ".join("(%s, %s, %s, %s)" for _ in spans))
    sql = sql.replace("{inner}", inner_sql)
    params += [*inner_params, *inner_params]
    probe = f"{value.split('__')[-1]}=?"  # the span after looked up by the value, not scanned
    if not ranged(connection, kpi, inner_sql, sql, params, also=probe):
        return {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {i: (n or 0, kept or 0) for i, n, kept in cursor.fetchall()}


def _spans(kpi: Kpi, qs: QuerySet, edges: list[datetime]) -> dict[int, tuple[int, int]]:
    """Per span of ``edges`` (but the last): the values met and those met again after."""
    if by_ranges(qs):
        found = _kept_in_ranges(kpi, qs, edges)
        if found:
            return found
    return {b: counts for (_g, b), counts in _kept(kpi, qs, edges).items()}


def measure_retention(
    kpi: Kpi,
    qs: QuerySet,
    *,
    tz: tzinfo,
    start: date,
    end: date,
    buckets: Sequence[tuple[date, date]],
    grain: Grain,
    group_path: str | None,
) -> tuple[Any, Any, list[Any], dict[Any, Any]]:
    """(value, previous value, value per bucket, value per group) of a windowed KPI."""
    length = timedelta(days=(end - start).days + 1)
    period = (_moment(start, tz), _moment(end + timedelta(days=1), tz))
    previous = (_moment(start - length, tz), period[0])
    earlier = (_moment(start - 2 * length, tz), previous[0])
    first = _moment(bucket_start(start - timedelta(days=1), grain), tz)
    edges = [first] + [_moment(b[0], tz) for b in buckets] + [period[1]]
    # Spans 0, 1, 2: the earlier period, the previous one, the period.
    spans = _spans(kpi, qs, [earlier[0], previous[0], period[0], period[1]])
    value = _share(kpi, *spans.get(1, (0, 0)))
    before = _share(kpi, *spans.get(0, (0, 0)))
    # Span 0 of the series: the bucket before the first; then each bucket.
    found = _spans(kpi, qs, edges)
    series = [_share(kpi, *found.get(i, (0, 0))) for i in range(len(buckets))]
    groups: dict[Any, Any] = {}
    if group_path:
        # Spans 0, 1: the previous period, the period (a group met in the period alone: None).
        for (g, b), counts in _kept(kpi, qs, [previous[0], *period], group_path).items():
            if b == 0:
                groups[g] = _share(kpi, *counts)
            else:
                groups.setdefault(g, None)
    return value, before, series, groups
