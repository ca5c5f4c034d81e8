"""Snapshot KPIs (rows alive from their ``time`` until their ``until``: pipeline value, open
deals) whose aggregate adds up (count, sum, mean), measured in the database instead of fetching
every row alive in the two periods.

A row is alive at a moment ``m`` when it began before it and has not ended by it
(``time < m <= until``, ``until`` NULL: not ended; a row that ends when or before it begins is
never alive). Between two consecutive edges of the buckets the alive change by the rows that
began in that bucket and those that ended in it, so two grouped queries give every edge: the
openings per bucket (the rows begun before the first edge and alive at it in a bucket of their
own) and the closings per bucket; a running total over the ~55 edges then gives the count, sum
and present values alive at each. O(buckets) rows come back instead of O(rows).

Sums are exact: integers and PostgreSQL's decimals are added exactly by the database; on
SQLite, which adds decimals as floats, a decimal value is summed as a whole number of the units
of its last decimal place (cents for an amount of two places), then scaled back; its field must
declare at most 18 digits (a row then fits a 64-bit integer), and a row beyond them or a sum
that overflows 64 bits has the KPI measured by the Python sweep instead. A value of another
type (a float) keeps the Python sweep of :mod:`vinculo.core.kpis.engine`, as do the other
aggregates (a median of the alive) and converted money (a rate per row)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import OperationalError, connections
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Col
from django.db.models.functions import Abs

from vinculo.core.kpis.buckets import bucket_of
from vinculo.core.kpis.registry import Aggregate, Kpi

SWEPT = frozenset({Aggregate.COUNT, Aggregate.SUM, Aggregate.MEAN})
MAX_DIGITS = 18  # on SQLite, a decimal's units of its last place fit a 64-bit integer
LARGEST = 10**MAX_DIGITS
BEFORE = -1  # the bucket of the rows begun before the first edge (and alive at it)
Parts = tuple[int, int, Any]  # rows, rows with a value, the sum of their values (None: none)


def _resolved(kpi: Kpi, qs: QuerySet) -> Any:
    """The KPI's value as the query reads it (a column or an annotation)."""
    return F(str(kpi.value)).resolve_expression(qs.query.chain())


def _value_field(kpi: Kpi, qs: QuerySet) -> Any:
    return _resolved(kpi, qs).output_field


def in_sql(kpi: Kpi, qs: QuerySet) -> bool:
    """Whether the database measures this snapshot KPI: a count, or a sum or mean of whole
    numbers or decimals (on SQLite, of at most 18 declared digits)."""
    if not kpi.is_snapshot or kpi.aggregate not in SWEPT:
        return False
    if kpi.aggregate is Aggregate.COUNT:
        return True
    field = _value_field(kpi, qs)
    if isinstance(field, DecimalField) and connections[qs.db].vendor == "sqlite":
        digits, places = field.max_digits, field.decimal_places
        return digits is not None and places is not None and digits <= MAX_DIGITS
    return isinstance(field, DecimalField | IntegerField)


def _exact(kpi: Kpi, qs: QuerySet) -> tuple[Any, int | None]:
    """What is summed and, for a decimal summed as a whole number on SQLite, the decimal places
    to scale it back by (None: summed as it is)."""
    value = str(kpi.value)
    field = _value_field(kpi, qs)
    if connections[qs.db].vendor != "sqlite" or not isinstance(field, DecimalField):
        return F(value), None
    places = field.decimal_places
    scaled = Func(
        F(value),
        template=f"CAST(ROUND(%(expressions)s * {10**places}) AS INTEGER)",
        output_field=IntegerField(),
    )
    return scaled, places


def _parts_of(kpi: Kpi, qs: QuerySet) -> tuple[dict[str, Any], int | None]:
    if kpi.aggregate is Aggregate.COUNT:
        return {"kpi_n": Count("pk")}, None
    summed, places = _exact(kpi, qs)
    parts = {"kpi_n": Count("pk"), "kpi_p": Count(str(kpi.value)), "kpi_s": Sum(summed)}
    if places is not None and not isinstance(_resolved(kpi, qs), Col):
        # A column's decimals were written within its digits; an annotation's may go beyond
        # them, and would not fit: seen here.
        parts["kpi_m"] = Max(Abs(summed))
    return parts, places


class Inexact(Exception):
    """A decimal too large for SQLite's whole-number sum."""


def _grouped(kpi: Kpi, qs: QuerySet, key: Any) -> dict[Any, Parts]:
    """(rows, present, sum) per value of ``key``."""
    parts, places = _parts_of(kpi, qs)
    found = qs.order_by().annotate(kpi_key=key).values("kpi_key").annotate(**parts)
    out: dict[Any, Parts] = {}
    for row in found:
        total = row.get("kpi_s")
        if places is not None and total is not None:
            if (row.get("kpi_m") or 0) >= LARGEST:
                raise Inexact
            total = Decimal(total).scaleb(-places)
        out[row["kpi_key"]] = (row["kpi_n"], row.get("kpi_p", 0), total)
    return out


def _add(total: Any, part: Any, sign: int = 1) -> Any:
    if part is None:
        return total
    if total is None:
        return part if sign > 0 else -part
    return total + part if sign > 0 else total - part


def value_of(how: Aggregate, parts: Parts) -> Any:
    """The KPI's value from the alive rows' parts (as the Python sweep says it)."""
    rows_n, present_n, total = parts
    if how is Aggregate.COUNT:
        return rows_n
    if how is Aggregate.SUM:
        return total if present_n else 0
    return total / present_n if present_n else None


def measure(
    kpi: Kpi, qs: QuerySet, edges: list[datetime], group_path: str | None
) -> tuple[list[Any], dict[Any, Any]] | None:
    """The KPI's value at each of ``edges`` and, with ``group_path``, per group at the last;
    None when SQLite's whole-number sum overflows (the caller sweeps the rows instead)."""
    try:
        values = at_edges(kpi, qs, edges)
        groups = groups_at(kpi, qs, edges[-1], group_path) if group_path else {}
    except Inexact:
        return None
    except OperationalError as error:  # the sum of the whole numbers left 64 bits
        if "overflow" not in str(error):
            raise
        return None
    return values, groups


def at_edges(kpi: Kpi, qs: QuerySet, edges: list[datetime]) -> list[Any]:
    """The KPI's value at each of ``edges`` (ascending instants)."""
    begins, ends = kpi.time, str(kpi.until)
    first, last = edges[0], edges[-1]
    # Begun before the last edge and alive at some edge: not ended, or ended after it began
    # and not before the first edge.
    opened = qs.filter(**{f"{begins}__lt": last}).filter(
        Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gt": F(begins), f"{ends}__gte": first})
    )
    opening = Case(
        When(**{f"{begins}__lt": first}, then=Value(BEFORE)),
        default=bucket_of(begins, edges),
        output_field=IntegerField(),
    )
    closed = qs.filter(**{f"{ends}__gte": first, f"{ends}__lt": last, f"{ends}__gt": F(begins)})
    openings = _grouped(kpi, opened, opening)
    closings = _grouped(kpi, closed, bucket_of(ends, edges))
    rows_n, present_n, total = openings.get(BEFORE, (0, 0, None))
    out = [value_of(kpi.aggregate, (rows_n, present_n, total))]
    for i in range(len(edges) - 1):
        o_rows, o_present, o_total = openings.get(i, (0, 0, None))
        c_rows, c_present, c_total = closings.get(i, (0, 0, None))
        rows_n += o_rows - c_rows
        present_n += o_present - c_present
        total = _add(_add(total, o_total), c_total, -1)
        out.append(value_of(kpi.aggregate, (rows_n, present_n, total)))
    return out


def groups_at(kpi: Kpi, qs: QuerySet, moment: datetime, group_path: str) -> dict[Any, Any]:
    """The KPI's value per group of the rows alive at ``moment``."""
    begins, ends = kpi.time, str(kpi.until)
    alive = qs.filter(**{f"{begins}__lt": moment}).filter(
        Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gte": moment})
    )
    return {g: value_of(kpi.aggregate, p) for g, p in _grouped(kpi, alive, F(group_path)).items()}
