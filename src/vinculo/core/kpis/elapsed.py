"""The time from one moment of a row to another (a deal's creation to its win), as a duration
computed by the database itself.

Django subtracts two datetimes on SQLite by calling a Python function per row (both texts
parsed into datetimes, then subtracted): a year of won deals spends most of its time there.
:class:`Elapsed` computes the same whole microseconds in SQL from the stored text (UTC,
``YYYY-MM-DD HH:MM:SS[.ffffff]``): the whole seconds from ``strftime('%s')`` of the first 19
characters, the microseconds from the fraction. PostgreSQL subtracts its timestamps, as Django
does there. NULL when either moment is."""

from __future__ import annotations

from typing import Any

from django.db.models import DurationField, Expression, F

SECONDS = "CAST(strftime('%%s', substr({col}, 1, 19)) AS INTEGER)"
# The fraction's digits padded to six (none: 0): characters 21 to 26 of the text and zeros.
MICROSECONDS = "CAST(substr({col} || '000000', 21, 6) AS INTEGER)"


class Elapsed(Expression):
    """``end - start`` as a :class:`~django.db.models.DurationField`."""

    output_field = DurationField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(output_field=DurationField())
        self.end, self.start = F(end), F(start)

    def get_source_expressions(self) -> list[Any]:
        return [self.end, self.start]

    def set_source_expressions(self, exprs: Any) -> None:
        self.end, self.start = exprs

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        end, end_params = compiler.compile(self.end)
        start, start_params = compiler.compile(self.start)
        if connection.vendor != "sqlite":
            return f"({end} - {start})", [*end_params, *start_params]
        sql = (
            f"(({SECONDS.format(col=end)} - {SECONDS.format(col=start)}) * 1000000 "
            f"+ {MICROSECONDS.format(col=end)} - {MICROSECONDS.format(col=start)})"
        )
        # Each column appears twice: its parameters (none for a column) twice too.
        return sql, [*end_params, *start_params, *end_params, *start_params]
