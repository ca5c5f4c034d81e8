"""The order people read names in: case and accents folded ("Ágil" sorts with the A's, not
after Z), the same on SQLite and PostgreSQL.

:func:`sort_key` is the Python side; :class:`SortKey` the database side, for ``order_by`` on
bounded queries (the pickers' searches). Letters of Latin-1 and Latin Extended-A with a
diacritic fold to their lower-case base letter ("Ç" to "c", "ã" to "a"), upper case too so that
PostgreSQL's ``lower()`` under a C locale (ASCII only) gives the same key; anything else only
lower-cases.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import Func, TextField

_SQLITE_SORT_KEY = "vinculo_sort_key"


def _fold_table() -> tuple[str, str]:
    accented, plain = [], []
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)
        marks = base[1:]
        if (
            marks
            and base[0].isascii()
            and base[0].isalpha()
            and all(map(unicodedata.combining, marks))
        ):
            accented.append(char)
            plain.append(base[0].lower())
    return "".join(accented), "".join(plain)


ACCENTED, PLAIN = _fold_table()
_TABLE = str.maketrans(ACCENTED, PLAIN)


def sort_key(text: str | None) -> str:
    """``text`` lower-cased with accents dropped: the key names are ordered by."""
    return (text or "").lower().translate(_TABLE)


def _register_sqlite(connection: Any) -> None:
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_vinculo_sort_key_for", None) is not raw:
        raw.create_function(_SQLITE_SORT_KEY, 1, sort_key, deterministic=True)
        connection._vinculo_sort_key_for = raw


class SortKey(Func):
    """:func:`sort_key` of a text column in SQL: ``translate(lower(x), ...)`` on PostgreSQL
    (no extension needed), a registered Python function on SQLite."""

    arity = 1
    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"translate(lower({sql}), %s, %s)", (*params, ACCENTED, PLAIN)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        _register_sqlite(connection)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{_SQLITE_SORT_KEY}({sql})", tuple(params)
