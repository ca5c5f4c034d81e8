"""The order people read names in: case and accents folded ("Ágil" sorts with the A's, not
after Z), the same on SQLite and PostgreSQL.

:func:`sort_key` is the Python side; :class:`SortKey` the database side: it computes the stored,
indexed ``name_key`` columns of people and companies (record pickers search and sort on them
through their index) and orders the smaller tables' searches.

Letters of Latin-1 and Latin Extended-A/B with a diacritic fold to their lower-case base letter
("Ç" to "c", "ã" to "a"), upper case too so that PostgreSQL's ``lower()`` under a C locale (ASCII
only) gives the same key; anything else only lower-cases.
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
    """``text`` lower-cased with accents dropped, outer spaces trimmed: the key names are
    ordered and searched by."""
    return (text or "").lower().translate(_TABLE).strip(" ")


def after_key(key: str) -> str:
    """The first string after every string starting with ``key`` (``key`` not empty): the
    upper bound of a prefix search that an index can answer (``key <= x < after_key(key)``)."""
    return key[:-1] + chr(ord(key[-1]) + 1)


def register_sqlite_function(sender: Any = None, connection: Any = None, **kwargs: Any) -> None:
    """Give a new SQLite connection :func:`sort_key` (``connection_created``): the stored name
    keys are computed by the database on every write."""
    if connection is not None and connection.vendor == "sqlite":
        connection.connection.create_function(_SQLITE_SORT_KEY, 1, sort_key, deterministic=True)


class SortKey(Func):
    """:func:`sort_key` in SQL of one text column, or of several joined by a space:
    ``btrim(translate(lower(a || ' ' || b), ...))`` on PostgreSQL (immutable, no extension, so
    it can compute a stored column), a registered Python function on SQLite."""

    output_field = TextField()

    def _joined(self, compiler: Any) -> tuple[str, list[Any]]:
        parts, params = [], []
        for expression in self.source_expressions:
            sql, more = compiler.compile(expression)
            parts.append(sql)
            params.extend(more)
        return " || ' ' || ".join(parts), params

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = self._joined(compiler)
        return f"btrim(translate(lower({sql}), %s, %s), ' ')", (*params, ACCENTED, PLAIN)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        sql, params = self._joined(compiler)
        return f"{_SQLITE_SORT_KEY}({sql})", tuple(params)
