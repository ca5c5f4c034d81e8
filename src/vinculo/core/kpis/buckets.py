"""The bucket a row's time falls in, computed by the database (SQLite or PostgreSQL).

Buckets are given by their edges: instants, ascending, the first bucket's start to the last's
end. Most consecutive edges are the same number of seconds apart (days and ISO weeks, when the
time zone's offset does not change in the window: Brazil has had no daylight saving since
2019), so the edges are cut into runs of equal gaps, and inside a run the bucket is a number
computed from the row's epoch seconds (``(epoch - run start) / gap``) instead of compared with
every edge. A change of offset, a first or last bucket cut to the period, months and quarters
(gaps of 28 to 92 days) start a new run; the runs are picked by a binary search (nested
``CASE WHEN time < edge``), so a row meets at most log2(runs) comparisons. On another database
the plain ``CASE`` over every edge is used (:func:`linear_bucket`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Case, Expression, F, IntegerField, Value, When

Run = tuple[int, datetime, int, int]  # (first bucket index, its start, gap seconds, buckets)


def runs(edges: list[datetime]) -> list[Run]:
    """The edges cut into runs of buckets of the same length (in whole seconds)."""
    out: list[Run] = []
    for i in range(len(edges) - 1):
        # From the instants: two times of one zone subtract as wall clocks in Python, which
        # would hide a change of offset.
        gap = edges[i + 1].timestamp() - edges[i].timestamp()
        whole = int(gap) if gap == int(gap) else 0
        if out and whole and out[-1][2] == whole:
            first, start, step, count = out[-1]
            out[-1] = (first, start, step, count + 1)
        else:
            out.append((i, edges[i], whole, 1))
    return out


def linear_bucket(time: str, edges: list[datetime]) -> Case:
    """The bucket index as a CASE over every edge (edges ascending, the last excluded)."""
    whens = [When(**{f"{time}__lt": edge}, then=Value(i)) for i, edge in enumerate(edges[1:])]
    return Case(*whens, default=Value(len(edges) - 1), output_field=IntegerField())


def epoch_of(connection: Any, column: str) -> str:
    """SQL for the whole epoch seconds of a stored time ``column``."""
    if connection.vendor == "sqlite":
        # The whole seconds of the stored text: SQLite would round a fraction to
        # milliseconds (.9999995 up to the next second).
        return f"CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER)"
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR(EXTRACT(EPOCH FROM {column})) AS BIGINT)"
    raise NotImplementedError(connection.vendor)  # pragma: no cover - the two supported


class Epoch(Expression):
    """A time's whole epoch seconds, computed by the database (read as an integer: no
    time-zone-aware datetime is built per row)."""

    output_field = BigIntegerField()

    def __init__(self, time: str) -> None:
        super().__init__(output_field=BigIntegerField())
        self.source = F(time)

    def get_source_expressions(self) -> list[Any]:
        return [self.source]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.source,) = exprs

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        column, params = compiler.compile(self.source)
        return epoch_of(connection, column), params


class BucketOf(Expression):
    """The index of the bucket (0-based) of the row's ``time``; only rows within the edges
    (``edges[0] <= time < edges[-1]``) must be asked (the caller filters them)."""

    output_field = IntegerField()

    def __init__(self, time: str | Expression, edges: list[datetime]) -> None:
        super().__init__(output_field=IntegerField())
        self.source = F(time) if isinstance(time, str) else time
        self.edges = list(edges)

    def get_source_expressions(self) -> list[Any]:
        return [self.source]

    def set_source_expressions(self, exprs: Any) -> None:
        (self.source,) = exprs

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        column, column_params = compiler.compile(self.source)
        epoch_sql = epoch_of(connection, column)
        found = runs(self.edges)

        def tree(lo: int, hi: int) -> tuple[str, list[Any]]:
            if lo == hi:
                first, start, step, count = found[lo]
                if count == 1 or not step:
                    return str(first), []
                origin = int(start.timestamp())
                return f"({first} + ({epoch_sql} - {origin}) / {step})", list(column_params)
            mid = (lo + hi + 1) // 2
            edge = connection.ops.adapt_datetimefield_value(found[mid][1])
            left, left_params = tree(lo, mid - 1)
            right, right_params = tree(mid, hi)
            sql = f"CASE WHEN {column} < %s THEN {left} ELSE {right} END"
            return sql, [*column_params, edge, *left_params, *right_params]

        return tree(0, len(found) - 1)


def bucket_of(time: str, edges: list[datetime]) -> Expression:
    """The bucket index of the row's ``time``: computed from the epoch on SQLite and
    PostgreSQL, a CASE over every edge elsewhere."""
    if connection.vendor in {"sqlite", "postgresql"}:
        return BucketOf(time, edges)
    return linear_bucket(time, edges)  # pragma: no cover - the supported databases are above
