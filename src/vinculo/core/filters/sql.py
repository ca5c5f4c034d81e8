"""Portable SQL pieces of the compiled filters: folded text, JSON keys and lists, counts, and the
always-true and always-false conditions; identical answers on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import NotSupportedError
from django.db.models import BooleanField, F, Func, IntegerField, Q, QuerySet, Subquery, TextField

_SQLITE_FOLD = "vinculo_fold"


def _fold_py(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _register_sqlite_fold(connection: Any) -> None:
    # SQLite's LOWER() folds ASCII only ("É" stays "É"); PostgreSQL's folds every letter. A
    # Python function gives SQLite the same answer, so "érica" finds "Érica" on both.
    connection.ensure_connection()
    raw = connection.connection
    if getattr(connection, "_vinculo_fold_for", None) is not raw:
        raw.create_function(_SQLITE_FOLD, 1, _fold_py, deterministic=True)
        connection._vinculo_fold_for = raw


class Fold(Func):
    """Lower-cased text, identical on SQLite and PostgreSQL (compare with ``str.lower()``)."""

    function = "LOWER"
    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        _register_sqlite_fold(connection)
        return self.as_sql(compiler, connection, function=_SQLITE_FOLD, **extra)


class JSONText(Func):
    """The value under ``key`` of a JSON column as SQL text; NULL when the key is missing or
    holds JSON null, on both databases (Django's ``KT`` gives SQLite's ``'null'`` text there).
    The key is always an object key, even when it looks like a number."""

    output_field = TextField()

    def __init__(self, column: Any, key: str) -> None:
        super().__init__(column)
        self.key = key

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        raise NotSupportedError(f"custom field filters are not available on {connection.vendor}")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        return f"json_extract({column_sql}, %s)", (*column_params, "$." + json.dumps(self.key))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        return f"({column_sql} ->> %s)", (*column_params, self.key)


class JSONListHas(Func):
    """True when the JSON list under ``key`` of a JSON column holds any of ``values`` (with no
    values: any non-empty element). Never NULL.

    PostgreSQL: ``jsonb ?| text[]``; SQLite: ``EXISTS`` over ``json_each``. (Django's
    ``contains`` on a JSON key is not available on SQLite.)
    """

    output_field = BooleanField()

    def __init__(self, column: Any, key: str, values: Sequence[str] = ()) -> None:
        super().__init__(column)
        self.key = key
        self.values = list(values)

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        raise NotSupportedError(f"multiple-choice filters are not available on {connection.vendor}")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        path = "$." + json.dumps(self.key)
        if self.values:
            marks = ", ".join(["%s"] * len(self.values))
            condition = f"vinculo_je.value IN ({marks})"
        else:
            condition = "vinculo_je.value IS NOT NULL AND vinculo_je.value <> ''"
        source = f"json_each({column_sql}, %s) AS vinculo_je"
        # Compiled SQL of our own; every value is a parameter.
        sql = f"EXISTS (SELECT 1 FROM {source} WHERE {condition})"  # noqa: S608
        return sql, (*column_params, path, *self.values)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        column_sql, column_params = compiler.compile(self.source_expressions[0])
        if self.values:
            sql = f"COALESCE(({column_sql} -> %s) ?| %s::text[], false)"
            return sql, (*column_params, self.key, self.values)
        sql = (
            f"COALESCE(({column_sql} -> %s) NOT IN ('[]'::jsonb, 'null'::jsonb, '\"\"'::jsonb), "
            "false)"
        )
        return sql, (*column_params, self.key)


def count_subquery(queryset: QuerySet) -> Subquery:
    # COUNT as a plain function: Django adds no GROUP BY, so the sub-query yields one row (0 when
    # nothing matches), on every database.
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Subquery(counted, output_field=IntegerField())


# A condition every row meets, and one no row meets (what empty groups compile to).
ALWAYS = Q(pk__isnull=False)
NEVER = Q(pk__in=[])
