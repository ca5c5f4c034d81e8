"""Retention and churn KPIs (:attr:`Aggregate.RETAINED`, :attr:`Aggregate.CHURNED`): of the
distinct values (people) met in the span just before a window, the share met again in the
window (retained) or not (churned).

The span before is, for the period, the previous period (the same number of days just before);
for the previous period, the one before it; for each bucket of the series, the bucket before it
at the grain (the whole day, ISO week, month or quarter before the first bucket). At month grain
over whole months, a point is "of the people who bought in the month before, the share who
bought again in this month". Nothing met in the span before: no value (None), not 0. The rows
are fetched once, from the earliest span to the end of the period, and counted in Python."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import QuerySet

from vinculo.core.kpis.registry import Aggregate, Grain, Kpi

WINDOWED = frozenset({Aggregate.RETAINED, Aggregate.CHURNED})
Span = tuple[datetime, datetime]


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


def share(kpi: Kpi, seen: dict[Span, set[Any]], current: Span, before: Span) -> float | None:
    base = seen[before]
    if not base:
        return None
    kept = len(base & seen[current]) / len(base)
    return 1 - kept if kpi.aggregate is Aggregate.CHURNED else kept


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
    spans = [(edges[i], edges[i + 1]) for i in range(len(edges) - 1)]
    since = min(earlier[0], first)
    rows = list(
        qs.filter(**{f"{kpi.time}__gte": since, f"{kpi.time}__lt": period[1]})
        .order_by()
        .values_list(kpi.time, kpi.value or "pk", group_path or "pk")
    )
    periods = (period, previous, earlier)
    seen: dict[Span, set[Any]] = {span: set() for span in (*periods, *spans)}
    by_group: dict[Any, dict[Span, set[Any]]] = defaultdict(
        lambda: {period: set(), previous: set()}
    )
    for when, who, group in rows:
        for span in periods:
            if span[0] <= when < span[1]:
                seen[span].add(who)
                if group_path and span is not earlier:
                    by_group[group][span].add(who)
        i = bisect.bisect_right(edges, when) - 1
        if 0 <= i < len(spans):
            seen[spans[i]].add(who)
    series = [share(kpi, seen, spans[i + 1], spans[i]) for i in range(len(buckets))]
    groups = {g: share(kpi, spans_of, period, previous) for g, spans_of in by_group.items()}
    return (
        share(kpi, seen, period, previous),
        share(kpi, seen, previous, earlier),
        series,
        groups,
    )
