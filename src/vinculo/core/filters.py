"""The filter language: a JSON condition tree compiled to an ORM ``Q``.

One language for saved list views, segments, workflow conditions and goal metrics
(docs/filters.md). A tree is made of groups and conditions::

    {"and": [{"field": "email", "op": "ends_with", "value": "@aurora.com.br"},
             {"field": "deals", "op": "exists",
              "value": {"field": "status", "op": "eq", "value": "open"}}]}

Each app describes the fields of its objects in its ``filters.py`` module with
:func:`register_object`; this module imports those lazily (as :mod:`vinculo.core.events` does with
consumers), so the kernel never imports the apps at import time.

Compilation is strict: an unknown field, an operator the field's type does not have or a value of
the wrong kind is a :class:`BadFilter` (400) naming the bad node's path (``filter.and.1.op``), never
a silently empty result. Every condition compiles to a two-valued predicate (an empty value makes a
condition false, not NULL), so ``{"not": …}`` is always the exact complement of its node. Related
records are tested with ``EXISTS`` sub-queries, so a filter never duplicates rows.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.apps import apps
from django.conf import settings
from django.db import NotSupportedError
from django.db.models import (
    BooleanField,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.fields.related import RelatedField
from django.db.models.functions import Cast
from django.db.models.lookups import (
    Contains,
    EndsWith,
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
    StartsWith,
)
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, ServiceError
from vinculo.core.text import fold

# "all"/"any" (the names ARCHITECTURE.md uses) are accepted as aliases of "and"/"or".
GROUP_KEYS = {"and": "and", "all": "and", "or": "or", "any": "or", "not": "not"}
MAX_DEPTH = 8
MAX_CONDITIONS = 100
MAX_LIST_VALUES = 500
MAX_DAYS = 36500
MAX_FILTER_CHARS = 50_000
ROOT = "filter"
CUSTOM_PREFIX = "custom_fields."


class BadFilter(ServiceError):
    """A filter that cannot be compiled; ``errors`` names each bad node by its path."""

    status = 400
    title = "Invalid filter"
    type_slug = "invalid-filter"


# --- types and operators ----------------------------------------------------------------------

TEXT_TYPES = frozenset({"text", "long_text", "email", "phone", "url"})
NUMBER_TYPES = frozenset({"number", "money", "decimal"})
DATE_TYPES = frozenset({"date", "datetime"})

_TEXT_OPS = (
    "eq",
    "neq",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "in",
    "not_in",
    "is_empty",
    "is_not_empty",
)
_NUMBER_OPS = ("eq", "neq", "gt", "gte", "lt", "lte", "between", "is_empty", "is_not_empty")
_DATE_OPS = (
    "eq",
    "before",
    "after",
    "on_or_before",
    "on_or_after",
    "between",
    "in_last_days",
    "in_next_days",
    "more_than_days_ago",
    "is_empty",
    "is_not_empty",
)
_CHOICE_OPS = ("eq", "neq", "in", "not_in", "is_empty", "is_not_empty")
_SET_OPS = ("has_any", "has_all", "has_none", "is_empty", "is_not_empty")

OPERATORS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(TEXT_TYPES, _TEXT_OPS),
    **dict.fromkeys(NUMBER_TYPES, _NUMBER_OPS),
    **dict.fromkeys(DATE_TYPES, _DATE_OPS),
    "boolean": ("is_true", "is_false", "is_empty"),
    "choice": _CHOICE_OPS,
    "multi_choice": _SET_OPS,
    "tags": _SET_OPS,
    # a member of the workspace: a user id, or "me" (the acting user)
    "user": _CHOICE_OPS,
    # a linked record (a person's companies): its id or its name
    "record": _CHOICE_OPS,
    "relation": ("exists", "not_exists", "count_gte", "count_lte"),
}

_UNARY_OPS = frozenset({"is_empty", "is_not_empty", "is_true", "is_false"})
_NEGATIONS = {
    "neq": "eq",
    "not_contains": "contains",
    "not_in": "in",
    "has_none": "has_any",
    "is_not_empty": "is_empty",
}


# --- the registry ------------------------------------------------------------------------------

Choices = Sequence[tuple[Any, Any]]


@dataclass(frozen=True)
class FilterField:
    """A field a filter may test.

    ``column`` is the ORM path (defaults to ``name``). A custom field has ``json_key``: its value
    lives under that key of the JSON ``column``. ``choices`` is a list of ``(value, label)`` or a
    function of the actor returning one (stages, lifecycle, users); for a model field with
    ``choices`` it defaults to those. A ``record`` field is a many-to-many ``column`` matched by id
    or by the related record's ``name_column``.
    """

    name: str
    type: str
    label: Any = ""
    column: str = ""
    choices: Choices | Callable[[Actor], Choices] | None = None
    json_key: str = ""
    name_column: str = "name"
    archived: bool = False

    @property
    def path(self) -> str:
        return self.column or self.name

    @property
    def is_custom(self) -> bool:
        return bool(self.json_key)


@dataclass(frozen=True)
class FilterRelation:
    """Related records tested with a nested tree of ``object_type``: rows of that type where
    ``<link> = <outer row's outer>`` (``Deal.person = Person.pk``; ``Person.pk = Deal.person_id``).
    """

    name: str
    object_type: str
    link: str
    outer: str = "pk"
    label: Any = ""


@dataclass(frozen=True)
class FilterObject:
    """What a filter over ``object_type`` may use: standard fields, relations and (through
    ``custom_fields``, a function of the actor) the workspace's custom fields."""

    object_type: str
    model: type[Model]
    fields: tuple[FilterField, ...]
    relations: tuple[FilterRelation, ...] = ()
    custom_fields: Callable[[Actor], Iterable[FilterField]] | None = None
    label: Any = ""

    def field(self, name: str) -> FilterField | None:
        return next((f for f in self.fields if f.name == name), None)

    def relation(self, name: str) -> FilterRelation | None:
        return next((r for r in self.relations if r.name == name), None)


OBJECTS: dict[str, FilterObject] = {}
_discovered = False


def register_object(obj: FilterObject) -> FilterObject:
    """Declare (or replace) the filterable fields of ``obj.object_type``."""
    for f in obj.fields:
        if f.type not in OPERATORS or f.type == "relation":
            raise ValueError(f"filter field {obj.object_type}.{f.name}: unknown type {f.type!r}")
    OBJECTS[obj.object_type] = obj
    return obj


def autodiscover() -> None:
    """Import ``<app>.filters`` of every Vínculo app (once)."""
    global _discovered
    if _discovered:
        return
    for config in apps.get_app_configs():
        if not config.name.startswith("vinculo."):
            continue
        try:
            importlib.import_module(f"{config.name}.filters")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.filters":
                raise
    _discovered = True


def filter_object(object_type: str) -> FilterObject:
    """The registered :class:`FilterObject` of ``object_type`` (``LookupError`` if none)."""
    autodiscover()
    try:
        return OBJECTS[object_type]
    except KeyError:
        raise LookupError(f"no filter object {object_type!r}") from None


def object_types() -> list[str]:
    autodiscover()
    return sorted(OBJECTS)


# --- portable SQL pieces --------------------------------------------------------------------------

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


def _count(queryset: QuerySet) -> Subquery:
    # COUNT as a plain function: Django adds no GROUP BY, so the sub-query yields one row (0 when
    # nothing matches), on every database.
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")
    return Subquery(counted, output_field=IntegerField())


# --- compilation -------------------------------------------------------------------------------

_TRUE = Q(pk__isnull=False)
_FALSE = Q(pk__in=[])


class _Invalid(Exception):
    def __init__(self, path: str, message: str, code: str = "invalid_value") -> None:
        super().__init__(message)
        self.path = path
        self.message = message
        self.code = code


def _workspace_tz(actor: Actor) -> ZoneInfo:
    try:
        return ZoneInfo(actor.workspace.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


@dataclass
class _Context:
    actor: Actor
    tz: ZoneInfo
    today: date
    errors: list[FieldError] = field(default_factory=list)
    conditions: int = 0
    custom: dict[str, dict[str, FilterField]] = field(default_factory=dict)
    choices: dict[tuple[str, str], list[tuple[Any, Any]]] = field(default_factory=dict)

    def fail(self, path: str, message: str, code: str) -> None:
        self.errors.append(FieldError(path, message, code))

    def custom_fields(self, obj: FilterObject) -> dict[str, FilterField]:
        if obj.object_type not in self.custom:
            loaded = obj.custom_fields(self.actor) if obj.custom_fields else ()
            self.custom[obj.object_type] = {f.json_key: f for f in loaded}
        return self.custom[obj.object_type]

    def choices_of(self, obj: FilterObject, f: FilterField) -> list[tuple[Any, Any]]:
        cache_key = (obj.object_type, f.name)
        if cache_key not in self.choices:
            self.choices[cache_key] = _choices(obj, f, self.actor)
        return self.choices[cache_key]

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)


def _choices(obj: FilterObject, f: FilterField, actor: Actor) -> list[tuple[Any, Any]]:
    if callable(f.choices):
        return list(f.choices(actor))
    if f.choices is not None:
        return list(f.choices)
    if f.type == "user":
        return _member_choices(actor)
    if not f.is_custom:
        model_field = _model_field(obj.model, f.path)[0]
        if model_field.choices:
            return [(value, label) for value, label in model_field.flatchoices]
    return []


def _member_choices(actor: Actor) -> list[tuple[Any, Any]]:
    # The tenancy tables live in vinculo.workspaces; imported late (kernel import rule).
    from vinculo.workspaces.models import Membership

    members = (
        Membership.objects.for_workspace(actor.workspace)
        .filter(is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [("me", _("Me (the signed-in user)"))] + [
        (m.user_id, m.user.full_name or m.user.email) for m in members
    ]


def _model_field(model: type[Model], path: str) -> tuple[Any, bool]:
    """The model field at the end of ``path`` (``lifecycle_stage__key``) and whether the path
    can yield NULL (a nullable column or a nullable foreign key on the way)."""
    nullable = False
    current: Any = model
    model_field: Any = None
    for part in path.split("__"):
        model_field = current._meta.get_field(part)
        nullable = nullable or bool(getattr(model_field, "null", False))
        if model_field.is_relation and model_field.related_model is not None:
            current = model_field.related_model
    return model_field, nullable


_TEXTUAL = frozenset({"CharField", "TextField", "SlugField", "EmailField", "URLField"})
_INTEGRAL = frozenset(
    {
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
        "AutoField",
        "BigAutoField",
    }
)


def _node(ctx: _Context, obj: FilterObject, node: Any, path: str, depth: int) -> Q:
    if depth > MAX_DEPTH:
        ctx.fail(
            path,
            _("The filter nests more than %(n)s levels; simplify it.") % {"n": MAX_DEPTH},
            "too_deep",
        )
        return _TRUE
    if not isinstance(node, dict) or not node:
        ctx.fail(
            path,
            _(
                'Each node is an object: {"and": [...]}, {"or": [...]}, {"not": {...}} or a '
                'condition {"field": ..., "op": ..., "value": ...}.'
            ),
            "invalid_node",
        )
        return _TRUE
    if "field" in node or "op" in node:
        return _condition(ctx, obj, node, path, depth)
    if len(node) != 1 or next(iter(node)) not in GROUP_KEYS:
        extra = sorted(set(node) - set(GROUP_KEYS))
        where = f"{path}.{extra[0]}" if extra else path
        ctx.fail(
            where,
            _(
                "A group has exactly one key: and (or all), or (or any), not; a condition has "
                "field, op and value."
            ),
            "invalid_node",
        )
        return _TRUE
    key, children = next(iter(node.items()))
    key = GROUP_KEYS[key]
    if key == "not":
        return ~_node(ctx, obj, children, f"{path}.not", depth + 1)
    if not isinstance(children, list):
        ctx.fail(f"{path}.{key}", _("Send a list of conditions."), "invalid_node")
        return _TRUE
    if not children:
        return _TRUE if key == "and" else _FALSE
    q = _node(ctx, obj, children[0], f"{path}.{key}.0", depth + 1)
    for index, child in enumerate(children[1:], start=1):
        compiled = _node(ctx, obj, child, f"{path}.{key}.{index}", depth + 1)
        q = q & compiled if key == "and" else q | compiled
    return q


def _field_names(ctx: _Context, obj: FilterObject) -> str:
    names = [f.name for f in obj.fields] + [r.name for r in obj.relations]
    if obj.custom_fields is not None:
        names.append("custom_fields.<key>")
    return ", ".join(names)


def _resolve_field(
    ctx: _Context, obj: FilterObject, name: Any, path: str
) -> FilterField | FilterRelation:
    if not isinstance(name, str) or not name:
        raise _Invalid(path, _("Name the field to test."), "unknown_field")
    if name.startswith(CUSTOM_PREFIX) and obj.custom_fields is not None:
        key = name.removeprefix(CUSTOM_PREFIX)
        custom = ctx.custom_fields(obj)
        if key in custom:
            return custom[key]
        known = ", ".join(sorted(k for k, f in custom.items() if not f.archived)) or _("none")
        raise _Invalid(
            path,
            _("Unknown custom field %(key)r for %(object)s; this workspace has: %(known)s.")
            % {"key": key, "object": obj.object_type, "known": known},
            "unknown_field",
        )
    found = obj.field(name) or obj.relation(name)
    if found is None:
        raise _Invalid(
            path,
            _("Unknown field %(name)r for %(object)s; use one of: %(known)s.")
            % {"name": name, "object": obj.object_type, "known": _field_names(ctx, obj)},
            "unknown_field",
        )
    return found


def _condition(ctx: _Context, obj: FilterObject, node: dict, path: str, depth: int) -> Q:
    ctx.conditions += 1
    if ctx.conditions == MAX_CONDITIONS + 1:
        ctx.fail(
            ROOT,
            _("The filter has more than %(n)s conditions; simplify it.") % {"n": MAX_CONDITIONS},
            "too_many_conditions",
        )
    for key in sorted(set(node) - {"field", "op", "value"}):
        ctx.fail(
            f"{path}.{key}",
            _("Unknown key %(key)r; a condition has field, op and value.") % {"key": key},
            "invalid_node",
        )
    try:
        target = _resolve_field(ctx, obj, node.get("field"), f"{path}.field")
        kind = "relation" if isinstance(target, FilterRelation) else target.type
        op = node.get("op")
        allowed = OPERATORS[kind]
        if not isinstance(op, str) or op not in allowed:
            label = _("relation") if kind == "relation" else kind
            raise _Invalid(
                f"{path}.op",
                _("Unknown operator %(op)r for %(type)s field %(field)r; use one of: %(ops)s.")
                % {"op": op, "type": label, "field": target.name, "ops": ", ".join(allowed)},
                "unknown_operator",
            )
        value = node.get("value")
        value_path = f"{path}.value"
        if op in _UNARY_OPS:
            if value not in (None, "", [], {}, True):
                raise _Invalid(
                    value_path,
                    _("The operator %(op)r takes no value.") % {"op": op},
                    "invalid_value",
                )
        elif "value" not in node and kind != "relation":
            raise _Invalid(value_path, _("Send a value."), "required")
        if isinstance(target, FilterRelation):
            return _relation(ctx, obj, target, op, value, value_path, depth)
        positive = _NEGATIONS.get(op)
        if positive is not None:
            return ~_compile(ctx, obj, target, positive, value, value_path)
        return _compile(ctx, obj, target, op, value, value_path)
    except _Invalid as exc:
        ctx.fail(exc.path, exc.message, exc.code)
        return _TRUE


# --- values ------------------------------------------------------------------------------------


def _scalar(value: Any, path: str) -> Any:
    if isinstance(value, list | tuple):
        raise _Invalid(path, _("Send a single value, not a list."), "invalid_type")
    if isinstance(value, dict):
        raise _Invalid(path, _("Send a single value, not an object."), "invalid_type")
    if value is None:
        raise _Invalid(path, _("Send a value."), "required")
    return value


def _list(value: Any, path: str, parse: Callable[[Any, str], Any]) -> list[Any]:
    if not isinstance(value, list):
        raise _Invalid(path, _("Send a list of values."), "invalid_type")
    if not value:
        raise _Invalid(path, _("Send at least one value."), "required")
    if len(value) > MAX_LIST_VALUES:
        raise _Invalid(path, _("At most %(n)s values.") % {"n": MAX_LIST_VALUES}, "too_long")
    return [parse(item, f"{path}.{i}") for i, item in enumerate(value)]


def _text(value: Any, path: str) -> str:
    value = _scalar(value, path)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _Invalid(path, _("Send a text value."), "invalid_type")
    return str(value)


def _number(value: Any, path: str) -> Decimal:
    value = _scalar(value, path)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise _Invalid(path, _("Send a number."), "invalid_number")
    text = str(value).strip()
    if isinstance(value, str) and "," in text:
        text = text.replace(".", "").replace(",", ".")  # Brazilian 1.234,50
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise _Invalid(
            path, _("%(value)r is not a number.") % {"value": value}, "invalid_number"
        ) from None
    if not number.is_finite():
        raise _Invalid(path, _("%(value)r is not a number.") % {"value": value}, "invalid_number")
    if abs(number) >= Decimal(10) ** 18:
        raise _Invalid(path, _("This number is too large."), "too_large")
    if number != number.quantize(Decimal(1).scaleb(-10)):
        raise _Invalid(path, _("At most 10 decimal places."), "too_precise")
    return number


def _date(value: Any, path: str) -> date:
    value = _scalar(value, path)
    parsed = None
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise _Invalid(
            path,
            _("%(value)r is not a date; send YYYY-MM-DD.") % {"value": value},
            "invalid_date",
        )
    return parsed


def _days(value: Any, path: str) -> int:
    value = _scalar(value, path)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise _Invalid(
            path,
            _("Send a whole number of days from 0 to %(max)s.") % {"max": MAX_DAYS},
            "invalid_number",
        )
    return value


def _pair(value: Any, path: str, parse: Callable[[Any, str], Any]) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise _Invalid(path, _("Send a list of two values: [from, to]."), "invalid_type")
    low, high = parse(value[0], f"{path}.0"), parse(value[1], f"{path}.1")
    if low > high:
        raise _Invalid(path, _("The first value must not be after the second."), "invalid_range")
    return low, high


# --- conditions on fields ------------------------------------------------------------------


def _guarded(q: Q, expression: Any, nullable: bool) -> Q:
    # An empty value makes the condition FALSE, not NULL, so NOT gives its exact complement.
    return q & Q(IsNull(expression, False)) if nullable else q


def _empty(expression: Any, nullable: bool, textual: bool) -> Q:
    q = Q(Exact(expression, "")) if textual else _FALSE
    if nullable:
        q = Q(IsNull(expression, True)) | q
    return q


def _compile(ctx: _Context, obj: FilterObject, f: FilterField, op: str, value: Any, path: str) -> Q:
    """Compile a positive operator (negative ones are ``~`` of their positive)."""
    if f.type == "tags":
        return _tags(ctx, obj, f, op, value, path)
    if f.type == "record":
        return _record(ctx, obj, f, op, value, path)
    if f.type == "multi_choice":
        return _multi_choice(ctx, obj, f, op, value, path)
    if f.is_custom:
        raw: Any = JSONText(F(f.column or "custom_fields"), f.json_key)
        nullable, textual, integral = True, True, False
    else:
        model_field, nullable = _model_field(obj.model, f.path)
        internal = model_field.get_internal_type()
        column = f.path
        if f.type == "user" and model_field.is_relation:
            column = f"{f.path}_id" if "__" not in f.path else f"{f.path}__pk"
        raw = F(column)
        textual = internal in _TEXTUAL
        integral = internal in _INTEGRAL

    if op == "is_empty":
        return _empty(raw, nullable, textual)
    if f.type in TEXT_TYPES:
        return _text_condition(raw, nullable, op, value, path)
    if f.type in NUMBER_TYPES:
        number = raw
        if f.is_custom or integral:
            number = Cast(raw, DecimalField(max_digits=30, decimal_places=10))
        return _number_condition(number, raw, nullable, op, value, path)
    if f.type in DATE_TYPES:
        return _date_condition(ctx, f, raw, nullable, op, value, path)
    if f.type == "boolean":
        wanted = op == "is_true"
        if f.is_custom:
            column = f.column or "custom_fields"
            return Q(**{f"{column}__{f.json_key}": wanted}) & Q(IsNull(raw, False))
        return _guarded(Q(Exact(raw, wanted)), raw, nullable)
    # choice or user
    parse = _user_parser(ctx) if f.type == "user" else _choice_parser(ctx.choices_of(obj, f), f)
    if op == "eq":
        return _guarded(Q(Exact(raw, parse(value, path))), raw, nullable)
    return _guarded(Q(In(raw, _list(value, path, parse))), raw, nullable)  # in


def _text_condition(raw: Any, nullable: bool, op: str, value: Any, path: str) -> Q:
    folded = Fold(raw)
    if op == "in":
        values = [v.lower() for v in _list(value, path, _text)]
        return _guarded(Q(In(folded, values)), raw, nullable)
    text = _text(value, path).lower()
    lookup = {"eq": Exact, "contains": Contains, "starts_with": StartsWith, "ends_with": EndsWith}
    return _guarded(Q(lookup[op](folded, text)), raw, nullable)


def _number_condition(number: Any, raw: Any, nullable: bool, op: str, value: Any, path: str) -> Q:
    if op == "between":
        low, high = _pair(value, path, _number)
        q = Q(GreaterThanOrEqual(number, low)) & Q(LessThanOrEqual(number, high))
        return _guarded(q, raw, nullable)
    amount = _number(value, path)
    lookup = {
        "eq": Exact,
        "gt": GreaterThan,
        "gte": GreaterThanOrEqual,
        "lt": LessThan,
        "lte": LessThanOrEqual,
    }[op]
    return _guarded(Q(lookup(number, amount)), raw, nullable)


def _date_range(ctx: _Context, op: str, value: Any, path: str) -> tuple[date | None, date | None]:
    """The days (both ends included, ``None`` = open) that ``op value`` selects."""
    today = ctx.today
    try:
        if op == "between":
            return _pair(value, path, _date)
        if op in {"in_last_days", "in_next_days", "more_than_days_ago"}:
            days = _days(value, path)
            if op == "in_last_days":
                return today - timedelta(days=days), today
            if op == "in_next_days":
                return today, today + timedelta(days=days)
            return None, today - timedelta(days=days + 1)
        day = _date(value, path)
        return {
            "eq": (day, day),
            "before": (None, day - timedelta(days=1)),
            "after": (day + timedelta(days=1), None),
            "on_or_before": (None, day),
            "on_or_after": (day, None),
        }[op]
    except OverflowError:
        raise _Invalid(path, _("This date is out of range."), "invalid_date") from None


def _date_condition(
    ctx: _Context, f: FilterField, raw: Any, nullable: bool, op: str, value: Any, path: str
) -> Q:
    first, last = _date_range(ctx, op, value, path)
    q = Q()  # every operator bounds at least one side
    if f.type == "datetime":
        # A day is [its midnight, the next midnight) in the workspace's time zone.
        moment = Cast(raw, DateTimeField()) if f.is_custom else raw
        try:
            if first is not None:
                q &= Q(GreaterThanOrEqual(moment, ctx.day_start(first)))
            if last is not None:
                q &= Q(LessThan(moment, ctx.day_start(last + timedelta(days=1))))
        except OverflowError:
            raise _Invalid(path, _("This date is out of range."), "invalid_date") from None
    else:
        # Custom dates are ISO text (YYYY-MM-DD), which sorts like the dates themselves.
        def convert(day: date) -> Any:
            return day.isoformat() if f.is_custom else day

        if first is not None:
            q &= Q(GreaterThanOrEqual(raw, convert(first)))
        if last is not None:
            q &= Q(LessThanOrEqual(raw, convert(last)))
    return _guarded(q, raw, nullable)


def _choice_parser(choices: list[tuple[Any, Any]], f: FilterField) -> Callable[[Any, str], Any]:
    canonical = {str(v).lower(): v for v, _label in choices}

    def parse(value: Any, path: str) -> Any:
        value = _scalar(value, path)
        found = canonical.get(str(value).strip().lower())
        if found is None or isinstance(value, bool):
            allowed = ", ".join(str(v) for v, _label in choices) or _("none yet")
            raise _Invalid(
                path,
                _("%(value)r is not a choice of %(field)r; use one of: %(choices)s.")
                % {"value": value, "field": f.name, "choices": allowed},
                "invalid_choice",
            )
        return found

    return parse


def _user_parser(ctx: _Context) -> Callable[[Any, str], int]:
    def parse(value: Any, path: str) -> int:
        value = _scalar(value, path)
        if isinstance(value, str) and value.strip().lower() == "me":
            if ctx.actor.user is None:
                raise _Invalid(path, _("'me' needs a signed-in user."), "invalid_value")
            return ctx.actor.user.pk
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Invalid(path, _('Send a user id or "me".'), "invalid_type")
        return value

    return parse


def _related(obj: FilterObject, f: FilterField) -> tuple[type[Model], str]:
    """The model a many-to-many filter field reaches and the name it knows ``obj`` by."""
    relation = obj.model._meta.get_field(f.path)
    related = relation.related_model
    if not isinstance(relation, RelatedField) or not isinstance(related, type):
        raise TypeError(f"{obj.model.__name__}.{f.path} is not a relation")
    return related, relation.related_query_name()


def _tags(ctx: _Context, obj: FilterObject, f: FilterField, op: str, value: Any, path: str) -> Q:
    related, query_name = _related(obj, f)
    tags = related._default_manager.filter(
        workspace_id=ctx.actor.workspace.pk, **{query_name: OuterRef("pk")}
    )
    if op == "is_empty":
        return ~Q(Exists(tags))
    keys = [fold(name) for name in _list(value, path, _text)]  # tags are told apart by name_key
    if op == "has_all":
        q = _TRUE
        for key in dict.fromkeys(keys):
            q &= Q(Exists(tags.filter(name_key=key)))
        return q
    return Q(Exists(tags.filter(name_key__in=keys)))  # has_any


def _record(ctx: _Context, obj: FilterObject, f: FilterField, op: str, value: Any, path: str) -> Q:
    related, query_name = _related(obj, f)
    records = related._default_manager.filter(
        workspace_id=ctx.actor.workspace.pk, **{query_name: OuterRef("pk")}
    )
    if any(x.name == "deleted_at" for x in related._meta.get_fields()):
        records = records.filter(deleted_at__isnull=True)
    if op == "is_empty":
        return ~Q(Exists(records))

    def parse(item: Any, item_path: str) -> int | str:
        item = _scalar(item, item_path)
        if isinstance(item, bool) or not isinstance(item, int | str) or item == "":
            raise _Invalid(item_path, _("Send a record id or a name."), "invalid_type")
        return item if isinstance(item, int) else item.strip().lower()

    items = [parse(value, path)] if op == "eq" else _list(value, path, parse)
    ids = [i for i in items if isinstance(i, int)]
    names = [i for i in items if isinstance(i, str)]
    match = _FALSE
    if ids:
        match |= Q(pk__in=ids)
    if names:
        match |= Q(In(Fold(F(f.name_column)), names))
    return Q(Exists(records.filter(match)))


def _multi_choice(
    ctx: _Context, obj: FilterObject, f: FilterField, op: str, value: Any, path: str
) -> Q:
    column = F(f.column or "custom_fields")
    if op == "is_empty":
        return ~Q(JSONListHas(column, f.json_key))
    parse = _choice_parser(ctx.choices_of(obj, f), f)
    values = [str(v) for v in dict.fromkeys(_list(value, path, parse))]
    if op == "has_all":
        q = _TRUE
        for item in values:
            q &= Q(JSONListHas(column, f.json_key, [item]))
        return q
    return Q(JSONListHas(column, f.json_key, values))  # has_any


def _relation(
    ctx: _Context,
    obj: FilterObject,
    rel: FilterRelation,
    op: str,
    value: Any,
    path: str,
    depth: int,
) -> Q:
    try:
        target = filter_object(rel.object_type)
    except LookupError:
        raise _Invalid(
            path, _("%(name)r cannot be filtered here.") % {"name": rel.name}, "unknown_field"
        ) from None
    related = target.model._default_manager.filter(
        workspace_id=ctx.actor.workspace.pk, **{rel.link: OuterRef(rel.outer)}
    )
    if any(x.name == "deleted_at" for x in target.model._meta.get_fields()):
        related = related.filter(deleted_at__isnull=True)  # the bin never counts

    if op in {"exists", "not_exists"}:
        if value not in (None, {}):
            related = related.filter(_node(ctx, target, value, path, depth + 1))
        return Q(Exists(related)) if op == "exists" else ~Q(Exists(related))

    if not isinstance(value, dict) or "count" not in value or set(value) - {"count", "where"}:
        raise _Invalid(
            path,
            _('Send {"count": N, "where": {...}} ("where" is optional).'),
            "invalid_value",
        )
    count = value["count"]
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
        raise _Invalid(f"{path}.count", _("Send a whole number from 0."), "invalid_number")
    where = value.get("where")
    if where not in (None, {}):
        related = related.filter(_node(ctx, target, where, f"{path}.where", depth + 1))
    lookup = GreaterThanOrEqual if op == "count_gte" else LessThanOrEqual
    return Q(lookup(_count(related), count))


# --- public API --------------------------------------------------------------------------------


def _object_or_error(object_type: str) -> FilterObject:
    try:
        return filter_object(object_type)
    except LookupError:
        raise ValueError(
            f"unknown filter object {object_type!r}; registered: {', '.join(object_types())}"
        ) from None


def compile_filter(
    object_type: str, tree: dict | None, *, actor: Actor, now: datetime | None = None
) -> Q:
    """Compile ``tree`` to a ``Q`` over ``object_type``'s model (an empty ``Q`` for no filter).

    Raises :class:`BadFilter` listing every bad node by path. ``now`` fixes the clock of the
    relative date operators (``in_last_days`` …); it defaults to the current time.
    """
    obj = _object_or_error(object_type)
    if tree is None or tree == {}:
        return Q()
    tz = _workspace_tz(actor)
    ctx = _Context(actor=actor, tz=tz, today=(now or timezone.now()).astimezone(tz).date())
    q = _node(ctx, obj, tree, ROOT, 1)
    if ctx.errors:
        first = ctx.errors[0]
        detail = (
            first.message
            if len(ctx.errors) == 1
            else _("The filter has %(n)s problems: %(first)s")
            % {"n": len(ctx.errors), "first": first.message}
        )
        raise BadFilter(detail, errors=ctx.errors)
    return q


def validate_filter(object_type: str, tree: dict | None, *, actor: Actor) -> None:
    """Raise :class:`BadFilter` if ``tree`` is not a valid filter (for saving segments, views)."""
    compile_filter(object_type, tree, actor=actor)


def apply_filter(
    queryset: QuerySet,
    object_type: str,
    tree: dict | None,
    *,
    actor: Actor,
    now: datetime | None = None,
) -> QuerySet:
    """``queryset`` narrowed to the actor's workspace and to the rows matching ``tree``.

    ``None`` or ``{}`` means no filter. Related records are tested with ``EXISTS`` sub-queries,
    so rows are never duplicated. Refuses bad trees with :class:`BadFilter` (400).
    """
    obj = _object_or_error(object_type)
    if not issubclass(queryset.model, obj.model):
        raise ValueError(f"a {object_type} filter cannot apply to {queryset.model.__name__}")
    queryset = queryset.filter(workspace_id=actor.workspace.pk)
    q = compile_filter(object_type, tree, actor=actor, now=now)
    return queryset.filter(q) if q else queryset


def parse_filter_param(raw: str | None) -> dict | None:
    """The tree in a ``?filter=<json>`` URL parameter; ``None`` when absent or empty."""
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_FILTER_CHARS:
        raise BadFilter(
            _("The filter is too long."),
            errors=[FieldError(ROOT, _("The filter is too long."), "too_long")],
        )
    try:
        tree = json.loads(raw)
    except ValueError as exc:
        message = _("The filter is not valid JSON: %(why)s") % {"why": exc}
        raise BadFilter(message, errors=[FieldError(ROOT, message, "invalid_json")]) from None
    except RecursionError:
        message = _("The filter nests more than %(n)s levels; simplify it.") % {"n": MAX_DEPTH}
        raise BadFilter(message, errors=[FieldError(ROOT, message, "too_deep")]) from None
    if tree is None or tree == {}:
        return None
    if not isinstance(tree, dict):
        message = _("The filter must be a JSON object.")
        raise BadFilter(message, errors=[FieldError(ROOT, message, "invalid_node")])
    return tree


def describe(object_type: str, *, actor: Actor) -> list[dict[str, Any]]:
    """The fields a filter over ``object_type`` may use, for a filter editor: name, label, type,
    operators, choices (lifecycle stages, members, pipeline stages…) and, for relations, the
    related object type. Includes the actor's workspace's custom fields (not archived ones).
    Refuses unknown object types (404) and roles without ``records.view``."""
    from vinculo.workspaces.permissions import require

    require(actor, "records.view")
    try:
        obj = filter_object(object_type)
    except LookupError:
        raise NotFound(
            _("There is no filter for %(object)r; use one of: %(known)s.")
            % {"object": object_type, "known": ", ".join(object_types())}
        ) from None
    tz = _workspace_tz(actor)
    ctx = _Context(actor=actor, tz=tz, today=timezone.now().astimezone(tz).date())
    custom = [f for f in ctx.custom_fields(obj).values() if not f.archived]
    described: list[dict[str, Any]] = []
    for f in (*obj.fields, *custom):
        entry: dict[str, Any] = {
            "field": f.name,
            "label": str(f.label or f.name),
            "type": f.type,
            "operators": list(OPERATORS[f.type]),
            "custom": f.is_custom,
            "choices": None,
            "object_type": None,
        }
        if f.type in {"choice", "multi_choice", "user"}:
            entry["choices"] = [
                {"value": value, "label": str(label)} for value, label in ctx.choices_of(obj, f)
            ]
        described.append(entry)
    for rel in obj.relations:
        described.append(
            {
                "field": rel.name,
                "label": str(rel.label or rel.name),
                "type": "relation",
                "operators": list(OPERATORS["relation"]),
                "custom": False,
                "choices": None,
                "object_type": rel.object_type,
            }
        )
    return described


__all__ = [
    "MAX_CONDITIONS",
    "MAX_DEPTH",
    "OPERATORS",
    "BadFilter",
    "FilterField",
    "FilterObject",
    "FilterRelation",
    "Fold",
    "JSONListHas",
    "JSONText",
    "apply_filter",
    "compile_filter",
    "describe",
    "parse_filter_param",
    "register_object",
    "validate_filter",
]
