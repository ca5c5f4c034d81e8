"""Event KPIs whose aggregate the database can compute (count, sum, mean, rate, distinct):
the totals of both periods, the buckets and the groups come from four aggregate queries instead
of fetching every row, so a year of a million purchases is measured in the database. A row's
bucket is found by comparing its time with the buckets' edges (computed once, in the workspace's
time zone, as instants), not by truncating each row's time in that zone: SQLite does that through
a Python function per row. Medians, durations, repeat rates, sums per customer and snapshots
stay in :mod:`vinculo.core.kpis.engine`, which fetches the rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When

from vinculo.core.kpis.registry import Aggregate, Kpi, Unit

IN_SQL = frozenset(
    {Aggregate.COUNT, Aggregate.SUM, Aggregate.MEAN, Aggregate.RATE, Aggregate.DISTINCT}
)


def in_sql(kpi: Kpi) -> bool:
    """Whether the database aggregates this KPI (durations are averaged in Python: summing
    intervals differs between SQLite and PostgreSQL)."""
    return (
        kpi.aggregate in IN_SQL
        and not kpi.is_snapshot
        and not kpi.per
        and not (kpi.unit is Unit.DURATION and kpi.aggregate is not Aggregate.COUNT)
    )


def _parts(kpi: Kpi) -> dict[str, Any]:
    value = kpi.value or "pk"
    if kpi.aggregate is Aggregate.COUNT:
        return {"kpi_n": Count("pk")}
    if kpi.aggregate is Aggregate.DISTINCT:
        return {"kpi_d": Count(value, distinct=True)}
    if kpi.aggregate is Aggregate.RATE:
        yes = Case(
            When(**{value: True}, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        return {"kpi_s": Sum(yes), "kpi_n": Count(value)}
    if kpi.aggregate is Aggregate.MEAN:
        return {"kpi_s": Sum(value), "kpi_n": Count(value)}
    return {"kpi_s": Sum(value)}


def _value(kpi: Kpi, parts: dict[str, Any]) -> Any:
    """The KPI's value from its aggregated parts (as the Python path computes it)."""
    how = kpi.aggregate
    if how is Aggregate.COUNT:
        return parts.get("kpi_n") or 0
    if how is Aggregate.DISTINCT:
        return parts.get("kpi_d") or 0
    if how is Aggregate.SUM:
        return parts.get("kpi_s") or 0
    total, n = parts.get("kpi_s"), parts.get("kpi_n") or 0
    if not n:
        return None
    return (total or 0) / n


def _bucket_of(time: str, edges: list[datetime]) -> Case:
    """The index of the bucket a row's ``time`` falls in (edges ascending, the last excluded)."""
    whens = [When(**{f"{time}__lt": edge}, then=Value(i)) for i, edge in enumerate(edges[1:])]
    return Case(*whens, default=Value(len(edges) - 1), output_field=IntegerField())


def measure_in_sql(
    kpi: Kpi,
    qs: QuerySet,
    *,
    edges: list[datetime],
    window: tuple[datetime, datetime],
    before: tuple[datetime, datetime],
    group_path: str | None,
) -> tuple[list[Any], Any, Any, dict[Any, Any]]:
    """(value per bucket, value, previous value, value per group) of an event KPI."""
    parts = _parts(kpi)
    time = kpi.time
    current = qs.filter(**{f"{time}__gte": window[0], f"{time}__lt": window[1]}).order_by()
    earlier = qs.filter(**{f"{time}__gte": before[0], f"{time}__lt": before[1]}).order_by()
    value = _value(kpi, current.aggregate(**parts))
    previous = _value(kpi, earlier.aggregate(**parts))
    buckets: list[dict[str, Any]] = [{} for _ in edges[1:]]
    bucketed = current.annotate(kpi_bucket=_bucket_of(time, edges))
    for row in bucketed.values("kpi_bucket").annotate(**parts).order_by():
        if 0 <= row["kpi_bucket"] < len(buckets):
            buckets[row["kpi_bucket"]] = row
    series = [_value(kpi, b) for b in buckets]
    groups: dict[Any, Any] = {}
    if group_path:
        for row in current.values(group_path).annotate(**parts).order_by():
            groups[row[group_path]] = _value(kpi, row)
    return series, value, previous, groups
