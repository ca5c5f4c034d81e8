"""The time between two instants of a row, as a duration the database works out exactly.

Django subtracts two date-times on SQLite through a Python function called per row (it parses
both texts); over the tens of thousands of rows of a median that costs more than the query. On
SQLite, :class:`Elapsed` reads the stored texts (``YYYY-MM-DD HH:MM:SS`` and maybe ``.ffffff``,
UTC): the whole seconds through ``unixepoch`` (``strftime('%s')`` before SQLite 3.38), the
microseconds from the fraction, and gives the microseconds between them, which Django reads
back as a ``timedelta`` as it reads its own subtraction: the same microseconds, to the last
one. On PostgreSQL it is the plain subtraction (an interval). Whether it is NULL is asked of
the two instants (a filter on it reads two columns, not the difference worked out)."""

from __future__ import annotations

from typing import Any

from django.db.models import DurationField, F, Func
from django.db.models.lookups import IsNull


class Elapsed(Func):
    """``end - start`` (two date-time paths of the row) as a duration; NULL when either is."""

    output_field = DurationField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])

        # unixepoch() (SQLite 3.38) is strftime('%s') as an integer, without the text.
        epoch = (
            "unixepoch({})"
            if connection.Database.sqlite_version_info >= (3, 38)
            else "CAST(strftime('%%s', {}) AS INTEGER)"
        )

        def micro(column: str) -> str:
            # Seconds of the whole part, then the fraction padded to six digits ("" → 0).
            seconds = epoch.format(f"substr({column}, 1, 19)")
            fraction = f"CAST(substr({column} || '000000', 21, 6) AS INTEGER)"
            return f"({seconds} * 1000000 + {fraction})"

        params = [*end_params, *end_params, *start_params, *start_params]
        return f"({micro(end)} - {micro(start)})", params

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"({end} - {start})", [*end_params, *start_params]

    def get_lookup(self, lookup_name: str) -> Any:
        # Whether it is NULL is asked of the two instants, not of the difference worked out.
        if lookup_name == "isnull":
            return EitherNull
        return super().get_lookup(lookup_name)


class EitherNull(IsNull):
    """``Elapsed(...)__isnull``: whether either instant is NULL (the difference is NULL exactly
    then), so a filter on it reads two columns instead of working the difference out."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        sqls, params = [], []
        for source in self.lhs.get_source_expressions():
            sql, source_params = compiler.compile(source)
            sqls.append(sql)
            params += source_params
        if self.rhs:
            return " OR ".join(f"{s} IS NULL" for s in sqls).join("()"), params
        return " AND ".join(f"{s} IS NOT NULL" for s in sqls).join("()"), params
