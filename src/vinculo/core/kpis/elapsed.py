"""The time between two instants of a row, as a duration the database works out exactly.

Django subtracts two date-times on SQLite through a Python function called per row (it parses
both texts); over the tens of thousands of rows of a median that costs more than the query. On
SQLite, :class:`Elapsed` reads the stored texts (``YYYY-MM-DD HH:MM:SS`` and maybe ``.ffffff``,
UTC): the whole seconds through ``strftime('%s')``, the microseconds from the fraction, and
gives the microseconds between them, which Django reads back as a ``timedelta`` as it reads its
own subtraction. The same microseconds, to the last one. On PostgreSQL it is the plain
subtraction (an interval)."""

from __future__ import annotations

from typing import Any

from django.db.models import DurationField, F, Func


class Elapsed(Func):
    """``end - start`` (two date-time paths of the row) as a duration; NULL when either is."""

    output_field = DurationField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])

        def micro(column: str) -> str:
            # Seconds of the whole part, then the fraction padded to six digits ("" → 0).
            seconds = f"CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER)"
            fraction = f"CAST(substr({column} || '000000', 21, 6) AS INTEGER)"
            return f"({seconds} * 1000000 + {fraction})"

        params = [*end_params, *end_params, *start_params, *start_params]
        return f"({micro(end)} - {micro(start)})", params

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        return f"({end} - {start})", [*end_params, *start_params]
