"""On SQLite, a KPI's parts per bucket without a GROUP BY: SQLite groups by sorting every row
(a temporary B-tree of a year of purchases costs more than reading them), so each bucket is
aggregated by its own subquery over its time range, which reads the range from the index in
order and sorts nothing. The buckets are a small ``VALUES`` list (index, start, end); each
part is ``(SELECT COUNT(*) / SUM(value) / … FROM (the KPI's rows in that bucket))``.
PostgreSQL aggregates with a hash and keeps the GROUP BY of :mod:`vinculo.core.kpis.sql`."""

from __future__ import annotations

import decimal
from datetime import datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import DecimalField, F, QuerySet, Sum
from django.db.models.expressions import RawSQL

from vinculo.core.kpis.registry import Aggregate, Kpi

# Per aggregate: each part and the SQL that computes it over the bucket's rows (``kpi_v`` the
# value, ``kpi_p`` what a sum is divided among).
PARTS: dict[Aggregate, dict[str, str]] = {
    Aggregate.COUNT: {"kpi_n": "COUNT(*)"},
    Aggregate.SUM: {"kpi_s": "SUM(kpi_v)"},
    Aggregate.MEAN: {"kpi_s": "SUM(kpi_v)", "kpi_n": "COUNT(kpi_v)"},
    Aggregate.RATE: {"kpi_s": "SUM(CASE WHEN kpi_v THEN 1 ELSE 0 END)", "kpi_n": "COUNT(kpi_v)"},
    Aggregate.DISTINCT: {"kpi_d": "COUNT(DISTINCT kpi_v)"},
    Aggregate.SUM_PER: {"kpi_s": "SUM(kpi_v)", "kpi_d": "COUNT(DISTINCT kpi_p)"},
}
PLANS_KEPT = 500
ONE_PART = "SELECT {part} FROM ({inner}) kpi_r"
REPEAT_PARTS = {
    "kpi_d": "SELECT COUNT(*) FROM (SELECT 1 FROM ({inner}) kpi_r GROUP BY kpi_v) kpi_t",
    "kpi_s": "SELECT COUNT(*) FROM (SELECT 1 FROM ({inner}) kpi_r GROUP BY kpi_v "
    "HAVING COUNT(*) > 1) kpi_t",
}


def by_ranges(qs: QuerySet) -> bool:
    """Whether the buckets are aggregated range by range (on SQLite)."""
    return connections[qs.db].vendor == "sqlite"


def _decimal(qs: QuerySet, value: str) -> DecimalField | None:
    """The value's field when it is a decimal (SQLite sums decimals as floats)."""
    field = Sum(value).resolve_expression(qs.query.chain()).output_field
    return field if isinstance(field, DecimalField) else None


def _as_decimal(found: Any, field: DecimalField) -> Any:
    # As Django's SQLite backend converts a decimal aggregate.
    if not isinstance(found, float):
        return found
    exact = decimal.Context(prec=15).create_decimal_from_float(found)
    places = decimal.Decimal(1).scaleb(-(field.decimal_places or 0))
    return exact.quantize(places, context=field.context)


def in_ranges(
    kpi: Kpi, qs: QuerySet, edges: list[datetime], *, counted_rows: bool = False
) -> list[dict[str, Any]] | None:
    """The KPI's parts per bucket of ``edges``; ``counted_rows``: the value is never NULL, a
    rate counts rows. None when SQLite would not read a bucket's rows from an index on their
    time (each bucket would read them all): the caller groups them instead."""
    time, value = kpi.time, kpi.value or "pk"
    bounds = {f"{time}__gte": RawSQL("kpi_e.lo", ()), f"{time}__lt": RawSQL("kpi_e.hi", ())}
    columns = {"kpi_v": F(value)}
    if kpi.per:
        columns["kpi_p"] = F(kpi.per)
    inner = qs.filter(**bounds).annotate(**columns).values(*columns).order_by()
    try:
        inner_sql, inner_params = inner.query.sql_with_params()
    except EmptyResultSet:  # a condition nothing meets (an empty list of sources…)
        return [{} for _ in edges[1:]]
    if kpi.aggregate is Aggregate.REPEAT:
        templates = dict(REPEAT_PARTS)
    else:
        templates = {k: ONE_PART.replace("{part}", s) for k, s in PARTS[kpi.aggregate].items()}
        if counted_rows and kpi.aggregate is Aggregate.RATE:
            templates["kpi_n"] = ONE_PART.replace("{part}", "COUNT(*)")
    parts = {k: s.replace("{inner}", inner_sql) for k, s in templates.items()}
    connection = connections[qs.db]
    adapt = connection.ops.adapt_datetimefield_value
    rows = ", ".join("(%s, %s, %s)" for _ in edges[1:])
    params: list[Any] = []
    for i in range(len(edges) - 1):
        params += [i, adapt(edges[i]), adapt(edges[i + 1])]
    selected = ", ".join(f"({s})" for s in parts.values())
    for _ in parts:
        params += inner_params
    sql = (
        f"WITH kpi_e(i, lo, hi) AS (VALUES {rows}) "  # noqa: S608 - the ORM's SQL, params apart
        f"SELECT kpi_e.i, {selected} FROM kpi_e"
    )
    if not ranged(connection, kpi, inner_sql, sql, params):
        return None
    money = (
        _decimal(qs, value) if "kpi_s" in parts and kpi.aggregate is not Aggregate.RATE else None
    )
    out: list[tuple[int, dict[str, Any]]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            found = dict(zip(parts, row[1:], strict=True))
            if money is not None and found.get("kpi_s") is not None:
                found["kpi_s"] = _as_decimal(found["kpi_s"], money)
            out.append((row[0], found))
    return [found for _i, found in sorted(out, key=lambda r: r[0])]


_PLANS: dict[tuple[str, str], bool] = {}


def ranged(
    connection: Any, kpi: Kpi, inner_sql: str, sql: str, params: list[Any], also: str = ""
) -> bool:
    """Whether SQLite's plan reads the rows by a range of their time (and, with ``also``, has
    a search that says it, such as an index probe ``person_id=?``); asked once per KPI and
    query shape."""
    key = (kpi.key, inner_sql)
    if key not in _PLANS:
        column = kpi.time.split("__")[-1]
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            details = [str(row[-1]) for row in cursor.fetchall()]
        if len(_PLANS) > PLANS_KEPT:
            _PLANS.clear()
        searches = [d for d in details if d.startswith("SEARCH")]
        _PLANS[key] = any(f"{column}>?" in d for d in searches) and (
            not also or any(also in d for d in searches)
        )
    return _PLANS[key]
