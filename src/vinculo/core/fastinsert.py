"""Fast multi-row INSERTs for the bulk paths (imports, seeding) on SQLite and PostgreSQL.

``bulk_create`` spends most of its time sending every value through the SQL compiler; here each
column gets one converter (the backend's own adapter for date-times and JSON). On SQLite rows go
as multi-row ``INSERT … VALUES (…), (…)`` statements, ``RETURNING`` the new keys in order when
asked (the ordering ``bulk_create`` relies on too); on PostgreSQL through ``COPY``, with keys
drawn from the table's sequence beforehand. Plain columns only: no
``save()``, no signals, no many-to-many. Other backends fall back to ``bulk_create``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.base import ModelState
from django.utils import timezone

from vinculo.core.models import column_of, plain_field

M = TypeVar("M", bound=models.Model)

MAX_ROWS_PER_STATEMENT = 1000
_FAST_VENDORS = {"sqlite", "postgresql"}


class JsonText(str):
    """A JSONField value already encoded as JSON text: :func:`insert_rows` binds it as it is.

    For hot paths that hold the encoded text anyway (an event's properties, reused inside its
    domain event's payload) or build a fixed-shape document from validated parts. A plain
    ``str`` is still encoded (as a JSON string), so nothing becomes JSON by accident.
    """

    __slots__ = ()


_IDENTITY_TYPES = {
    # Values of these columns go to the driver as they are: text, integers and keys.
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "ForeignKey",
    "OneToOneField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
    "SmallIntegerField",
    "BigAutoField",
    "AutoField",
    "BooleanField",
}


def _converter(field: models.Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """The function that turns a Python value into what the driver binds; ``None`` when the
    value goes as it is (most columns: converting only the few that need it is what makes a
    100,000-row insert cheap)."""
    kind = field.get_internal_type()
    if kind in _IDENTITY_TYPES:
        return None
    if kind == "DateTimeField":
        adapt = connection.ops.adapt_datetimefield_value
        # A batch shares a handful of instants (``now``): adapt each distinct one once.
        memo: dict[Any, Any] = {}

        def datetime_value(v: Any) -> Any:
            if v is None:
                return None
            found = memo.get(v)
            if found is None:
                if len(memo) > 4096:
                    memo.clear()
                found = memo[v] = adapt(v)
            return found

        return datetime_value
    if kind == "JSONField":
        encoder = getattr(field, "encoder", None)
        dumps = json.dumps

        def json_value(v: Any) -> Any:
            if v is None:
                return None
            if type(v) is JsonText:
                return str.__str__(v)
            return "{}" if v == {} else dumps(v, cls=encoder)

        return json_value
    return lambda v: field.get_db_prep_save(v, connection)


def _copy_converter(field: models.Field) -> Callable[[Any], Any]:
    """PostgreSQL COPY: the driver dumps Python values; JSON goes as its text."""
    if field.get_internal_type() == "JSONField":
        encoder = getattr(field, "encoder", None)

        def copy_json(v: Any) -> Any:
            if v is None:
                return None
            return str.__str__(v) if type(v) is JsonText else json.dumps(v, cls=encoder)

        return copy_json
    if field.get_internal_type() in {"CharField", "TextField", "SlugField", "EmailField"}:
        return lambda v: v if v is None or type(v) is str else str(v)
    return lambda v: v


def _copy_rows(
    connection: BaseDatabaseWrapper,
    model: type[models.Model],
    fields: list[models.Field],
    rows: Iterable[Sequence[Any]],
    returning: bool,
) -> list[Any]:
    """PostgreSQL: ``COPY … FROM STDIN``; new keys are drawn from the table's sequence first."""
    meta = model._meta
    quote = connection.ops.quote_name
    converters = [_copy_converter(f) for f in fields]
    prepared = [
        tuple(convert(value) for convert, value in zip(converters, row, strict=True))
        for row in rows
    ]
    keys: list[Any] = []
    columns = [column_of(f) for f in fields]
    with connection.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(prepared)],
            )
            keys = [row[0] for row in cursor.fetchall()]
            columns.insert(0, column_of(meta.pk))
            prepared = [(key, *row) for key, row in zip(keys, prepared, strict=True)]
        columns_sql = ", ".join(quote(c) for c in columns)
        statement = f"COPY {quote(meta.db_table)} ({columns_sql}) FROM STDIN"
        with cursor.cursor.copy(statement) as copy:
            for row in prepared:
                copy.write_row(row)
    return keys


def _max_params(connection: BaseDatabaseWrapper) -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        except (AttributeError, sqlite3.Error):
            return 999
    return 65_535


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    returning: bool = False,
) -> list[Any]:
    """Insert ``rows`` (tuples of ``columns``' values; columns named by attname) into ``model``'s
    table; returns the new primary keys in row order when ``returning``, else ``[]``."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [plain_field(model, name) for name in columns]
    if connection.vendor == "postgresql":
        return _copy_rows(connection, model, fields, rows, returning)
    converters = [_converter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    # Only quoted model metadata goes into the SQL text; every value is a bound parameter.
    columns_sql = ", ".join(quote(column_of(f)) for f in fields)
    head = f"INSERT INTO {quote(meta.db_table)} ({columns_sql}) VALUES "  # noqa: S608
    placeholder = "(" + ", ".join(["?"] * len(fields)) + ")"
    # An integer key SQLite assigns: one statement's rows get consecutive keys (it holds the
    # write lock; each row takes the largest key so far + 1), so the last one says them all —
    # RETURNING and fetching a key per row cost ~10 % of the insert.
    counted_keys = returning and meta.pk is meta.auto_field and meta.pk.attname not in columns
    tail = f" RETURNING {quote(column_of(meta.pk))}" if returning and not counted_keys else ""
    per_statement = max(1, min(MAX_ROWS_PER_STATEMENT, _max_params(connection) // len(fields)))
    keys: list[Any] = []
    batch: list[Any] = []
    count = 0

    def flush(cursor: Any) -> None:
        nonlocal batch, count
        if not count:
            return
        # Straight to sqlite3 with "?" marks: Django's wrapper would rewrite every "%s" of a
        # 35,000-parameter statement with a regular expression first (the statement is not
        # added to ``connection.queries`` for that reason).
        raw = cursor.cursor
        sqlite3.Cursor.execute(raw, head + ", ".join([placeholder] * count) + tail, batch)
        if counted_keys:
            last = raw.lastrowid
            keys.extend(range(last - count + 1, last + 1))
        elif returning:
            keys.extend(row[0] for row in cursor.fetchall())
        batch, count = [], 0

    width = len(fields)
    special = [(i, convert) for i, convert in enumerate(converters) if convert is not None]
    with connection.cursor() as cursor:
        for row in rows:
            if len(row) != width:
                raise ValueError(f"{meta.label}: a row has {len(row)} values for {width} columns")
            base = len(batch)
            batch.extend(row)
            for i, convert in special:  # in place, in the flat parameter list
                batch[base + i] = convert(batch[base + i])
            count += 1
            if count == per_statement:
                flush(cursor)
        flush(cursor)
    return keys


_IMMUTABLE = (str, int, float, bool, bytes, type(None), Decimal)


def _instance_plan(model: type[models.Model]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Per model: the constant defaults by attname, and the fields whose default is computed."""
    plan = _PLANS.get(model)
    if plan is None:
        constants: dict[str, Any] = {}
        computed: list[tuple[str, Any]] = []
        for field in model._meta.concrete_fields:
            if field.generated:  # computed by the database
                continue
            default = field.default if field.has_default() else None
            if field.has_default() and (callable(default) or not isinstance(default, _IMMUTABLE)):
                computed.append((field.attname, field.get_default))
            elif field.has_default():
                constants[field.attname] = default
            elif field.null or field.primary_key or field.is_relation:
                constants[field.attname] = None
            else:
                constants[field.attname] = field.get_default()  # "" for text, as Django does
        plan = _PLANS[model] = (constants, computed)
    return plan


_PLANS: dict[type[models.Model], tuple[dict[str, Any], list[tuple[str, Any]]]] = {}


def new_instances(
    model: type[M], rows: Iterable[dict[str, Any]], *, stored_on: str | None = None, **common: Any
) -> list[M]:
    """Unsaved instances of ``model`` for :func:`insert_objects`, each from ``common`` and one
    row of values keyed by attname (``owner_id``, not ``owner``); other fields get their default.
    With ``stored_on`` (a database alias) they are instead the rows just written there with
    :func:`insert_rows`, primary keys included: instances as if loaded from that database.

    Built without ``Model.__init__`` (its keyword handling costs more than the INSERT on a big
    import), hence without ``pre_init``/``post_init`` signals, which Vínculo does not use.
    Refuses keys that are not concrete attnames, so a typo cannot vanish silently.
    """
    constants, computed = _instance_plan(model)
    new = model.__new__
    objs: list[M] = []
    for row in rows:
        values = {**constants, **common, **row}
        if len(values) != len(constants) + len(computed):
            for attname, factory in computed:
                if attname not in values:
                    values[attname] = factory()
            unknown = set(values) - set(constants) - {a for a, _f in computed}
            if unknown:
                raise TypeError(f"{model._meta.label} has no fields {sorted(unknown)}")
        obj = new(model)
        obj.__dict__.update(values)
        obj._state = state = ModelState()
        if stored_on is not None:
            state.adding, state.db = False, stored_on
        objs.append(obj)
    return objs


def insert_objects(objs: list[M]) -> list[M]:
    """Insert unsaved instances of one model and give them their primary keys (like
    ``bulk_create`` without its per-value overhead); ``auto_now`` fields are set to now."""
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor not in _FAST_VENDORS:
        return model._default_manager.bulk_create(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.auto_field and not f.generated]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    attnames = [f.attname for f in fields]
    values = attrgetter(*attnames)
    keys = insert_rows(model, attnames, (values(obj) for obj in objs), returning=True)
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
