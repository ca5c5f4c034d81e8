"""Event KPIs whose aggregate the database can compute (count, sum, mean, rate, distinct, sum
per, repeat): the totals of both periods, the buckets and the groups come from a few aggregate
queries instead of fetching every row, so a year of a million purchases is measured in the
database. A row's bucket is computed from its time and the buckets' edges (instants computed
once in the workspace's time zone) by :mod:`vinculo.core.kpis.buckets`, not by truncating each
row's time in that zone (SQLite does that through a Python function per row).

Counts, sums, means and rates add up over buckets: one grouped query over both periods gives
the previous period (its bucket), every bucket and, summed, the period. Distinct counts, sums
per distinct value and repeat rates do not: one grouped query gives the two periods, another
the buckets. Medians, durations and snapshots stay in :mod:`vinculo.core.kpis.engine`, which
fetches the rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, Exists, F, IntegerField, QuerySet, Sum, Value, When

from vinculo.core.kpis.buckets import bucket_of
from vinculo.core.kpis.ranges import by_ranges, in_ranges
from vinculo.core.kpis.registry import Aggregate, Kpi, Unit

ADDITIVE = frozenset({Aggregate.COUNT, Aggregate.SUM, Aggregate.MEAN, Aggregate.RATE})
# Per key: the distinct values, and those met more than once.
REPEATS = (
    "SELECT kpi_key, COUNT(*), SUM(CASE WHEN kpi_times > 1 THEN 1 ELSE 0 END) "
    "FROM ({inner}) kpi_each GROUP BY kpi_key"
)
IN_SQL = ADDITIVE | {Aggregate.DISTINCT, Aggregate.SUM_PER, Aggregate.REPEAT}


def in_sql(kpi: Kpi) -> bool:
    """Whether the database aggregates this KPI (durations are averaged in Python: summing
    intervals differs between SQLite and PostgreSQL)."""
    return (
        kpi.aggregate in IN_SQL
        and not kpi.is_snapshot
        and (kpi.aggregate is Aggregate.SUM_PER) == bool(kpi.per)
        and not (kpi.unit is Unit.DURATION and kpi.aggregate is not Aggregate.COUNT)
    )


def _never_null(qs: QuerySet, value: str) -> bool:
    """Whether the row's ``value`` is an annotation that is never NULL (a CASE with a default,
    an EXISTS): a rate then counts rows instead of evaluating it a second time."""
    found = qs.query.annotations.get(value)
    if isinstance(found, Exists):
        return True
    default = getattr(found, "default", None)
    return isinstance(found, Case) and isinstance(default, Value) and default.value is not None


def _parts(kpi: Kpi, qs: QuerySet) -> dict[str, Any]:
    value = kpi.value or "pk"
    if kpi.aggregate is Aggregate.COUNT:
        return {"kpi_n": Count("pk")}
    if kpi.aggregate is Aggregate.DISTINCT:
        return {"kpi_d": Count(value, distinct=True)}
    if kpi.aggregate is Aggregate.SUM_PER:
        return {"kpi_s": Sum(value), "kpi_d": Count(str(kpi.per), distinct=True)}
    if kpi.aggregate is Aggregate.RATE:
        yes = Case(
            When(**{value: True}, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        return {"kpi_s": Sum(yes), "kpi_n": Count("pk" if _never_null(qs, value) else value)}
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
    if how in (Aggregate.SUM_PER, Aggregate.REPEAT):
        total, n = parts.get("kpi_s"), parts.get("kpi_d") or 0
    else:
        total, n = parts.get("kpi_s"), parts.get("kpi_n") or 0
    if not n:
        return None
    return (total or 0) / n


def _added(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Additive parts summed over buckets (a part no bucket has stays absent)."""
    out: dict[str, Any] = {}
    for row in rows:
        for name, part in row.items():
            if name.startswith("kpi_") and name != "kpi_key" and part is not None:
                out[name] = out[name] + part if name in out else part
    return out


def _grouped(kpi: Kpi, qs: QuerySet, key: Any) -> dict[Any, dict[str, Any]]:
    """The KPI's parts per value of ``key`` (an expression: the bucket, the group)."""
    keyed = qs.annotate(kpi_key=key).order_by()
    if kpi.aggregate is not Aggregate.REPEAT:
        return {r["kpi_key"]: r for r in keyed.values("kpi_key").annotate(**_parts(kpi, qs))}
    # The share of the distinct values met more than once: counted per (key, value) first.
    inner = keyed.annotate(kpi_who=F(kpi.value or "pk")).values("kpi_key", "kpi_who")
    try:
        sql, params = inner.annotate(kpi_times=Count("pk")).query.sql_with_params()
    except EmptyResultSet:  # a condition nothing meets
        return {}
    outer = REPEATS.replace("{inner}", sql)  # the ORM's SQL, its parameters apart
    with connections[qs.db].cursor() as cursor:
        cursor.execute(outer, params)
        return {k: {"kpi_d": d, "kpi_s": r} for k, d, r in cursor.fetchall()}


def _in_buckets(kpi: Kpi, qs: QuerySet, edges: list[datetime]) -> list[dict[str, Any]]:
    """The parts per bucket of ``edges`` (rows within them)."""
    if by_ranges(qs):
        ranged = in_ranges(kpi, qs, edges, counted_rows=_never_null(qs, kpi.value or "pk"))
        if ranged is not None:
            return ranged
    time = kpi.time
    rows = qs.filter(**{f"{time}__gte": edges[0], f"{time}__lt": edges[-1]})
    found = _grouped(kpi, rows, bucket_of(time, edges))
    return [found.get(i, {}) for i in range(len(edges) - 1)]


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
    if kpi.aggregate in ADDITIVE:
        # edges[0] is the period's start, the previous period's end: one bucket before.
        parts = _in_buckets(kpi, qs, [before[0], *edges])
        buckets = parts[1:]
        value, previous = _value(kpi, _added(buckets)), _value(kpi, parts[0])
    else:
        both = _in_buckets(kpi, qs, [before[0], window[0], window[1]])
        previous, value = _value(kpi, both[0]), _value(kpi, both[1])
        buckets = _in_buckets(kpi, qs, edges)
    series = [_value(kpi, b) for b in buckets]
    groups: dict[Any, Any] = {}
    if group_path:
        time = kpi.time
        current = qs.filter(**{f"{time}__gte": window[0], f"{time}__lt": window[1]})
        for key, parts_of in _grouped(kpi, current, F(group_path)).items():
            groups[key] = _value(kpi, parts_of)
    return series, value, previous, groups
