"""Conditions on fields: a positive operator on one field compiled to a two-valued ``Q`` (text,
numbers, dates, booleans, choices, members, tags, linked records, multiple choices)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.db.models import DateTimeField, DecimalField, Exists, F, Model, OuterRef, Q
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
from django.utils.translation import gettext as _

from vinculo.core.filters.context import CompileContext, resolve_model_field
from vinculo.core.filters.language import DATE_TYPES, NUMBER_TYPES, TEXT_TYPES
from vinculo.core.filters.registry import FilterField, FilterObject
from vinculo.core.filters.sql import ALWAYS, NEVER, Fold, JSONListHas, JSONText
from vinculo.core.filters.values import (
    InvalidNode,
    parse_day,
    parse_days,
    parse_list,
    parse_number,
    parse_pair,
    parse_scalar,
    parse_text,
)
from vinculo.core.text import fold

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


def _guarded(q: Q, expression: Any, nullable: bool) -> Q:
    # An empty value makes the condition FALSE, not NULL, so NOT gives its exact complement.
    return q & Q(IsNull(expression, False)) if nullable else q


def _empty(expression: Any, nullable: bool, textual: bool) -> Q:
    q = Q(Exact(expression, "")) if textual else NEVER
    if nullable:
        q = Q(IsNull(expression, True)) | q
    return q


def compile_condition(
    ctx: CompileContext, obj: FilterObject, f: FilterField, op: str, value: Any, path: str
) -> Q:
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
        model_field, nullable = resolve_model_field(obj.model, f.path)
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
    return _guarded(Q(In(raw, parse_list(value, path, parse))), raw, nullable)  # in


def _text_condition(raw: Any, nullable: bool, op: str, value: Any, path: str) -> Q:
    folded = Fold(raw)
    if op == "in":
        values = [v.lower() for v in parse_list(value, path, parse_text)]
        return _guarded(Q(In(folded, values)), raw, nullable)
    text = parse_text(value, path).lower()
    lookup = {"eq": Exact, "contains": Contains, "starts_with": StartsWith, "ends_with": EndsWith}
    return _guarded(Q(lookup[op](folded, text)), raw, nullable)


def _number_condition(number: Any, raw: Any, nullable: bool, op: str, value: Any, path: str) -> Q:
    if op == "between":
        low, high = parse_pair(value, path, parse_number)
        q = Q(GreaterThanOrEqual(number, low)) & Q(LessThanOrEqual(number, high))
        return _guarded(q, raw, nullable)
    amount = parse_number(value, path)
    lookup = {
        "eq": Exact,
        "gt": GreaterThan,
        "gte": GreaterThanOrEqual,
        "lt": LessThan,
        "lte": LessThanOrEqual,
    }[op]
    return _guarded(Q(lookup(number, amount)), raw, nullable)


def _date_range(
    ctx: CompileContext, op: str, value: Any, path: str
) -> tuple[date | None, date | None]:
    """The days (both ends included, ``None`` = open) that ``op value`` selects."""
    today = ctx.today
    try:
        if op == "between":
            return parse_pair(value, path, parse_day)
        if op in {"in_last_days", "in_next_days", "more_than_days_ago"}:
            days = parse_days(value, path)
            if op == "in_last_days":
                return today - timedelta(days=days), today
            if op == "in_next_days":
                return today, today + timedelta(days=days)
            return None, today - timedelta(days=days + 1)
        day = parse_day(value, path)
        return {
            "eq": (day, day),
            "before": (None, day - timedelta(days=1)),
            "after": (day + timedelta(days=1), None),
            "on_or_before": (None, day),
            "on_or_after": (day, None),
        }[op]
    except OverflowError:
        raise InvalidNode(path, _("This date is out of range."), "invalid_date") from None


def _date_condition(
    ctx: CompileContext, f: FilterField, raw: Any, nullable: bool, op: str, value: Any, path: str
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
            raise InvalidNode(path, _("This date is out of range."), "invalid_date") from None
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
        value = parse_scalar(value, path)
        found = canonical.get(str(value).strip().lower())
        if found is None or isinstance(value, bool):
            allowed = ", ".join(str(v) for v, _label in choices) or _("none yet")
            raise InvalidNode(
                path,
                _("%(value)r is not a choice of %(field)r; use one of: %(choices)s.")
                % {"value": value, "field": f.name, "choices": allowed},
                "invalid_choice",
            )
        return found

    return parse


def _user_parser(ctx: CompileContext) -> Callable[[Any, str], int]:
    def parse(value: Any, path: str) -> int:
        value = parse_scalar(value, path)
        if isinstance(value, str) and value.strip().lower() == "me":
            if ctx.actor.user is None:
                raise InvalidNode(path, _("'me' needs a signed-in user."), "invalid_value")
            return ctx.actor.user.pk
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidNode(path, _('Send a user id or "me".'), "invalid_type")
        return value

    return parse


def _related(obj: FilterObject, f: FilterField) -> tuple[type[Model], str]:
    """The model a many-to-many filter field reaches and the name it knows ``obj`` by."""
    relation = obj.model._meta.get_field(f.path)
    related = relation.related_model
    if not isinstance(relation, RelatedField) or not isinstance(related, type):
        raise TypeError(f"{obj.model.__name__}.{f.path} is not a relation")
    return related, relation.related_query_name()


def _tags(
    ctx: CompileContext, obj: FilterObject, f: FilterField, op: str, value: Any, path: str
) -> Q:
    related, query_name = _related(obj, f)
    tags = related._default_manager.filter(
        workspace_id=ctx.actor.workspace.pk, **{query_name: OuterRef("pk")}
    )
    if op == "is_empty":
        return ~Q(Exists(tags))
    keys = [
        fold(name) for name in parse_list(value, path, parse_text)
    ]  # tags are told apart by name_key
    if op == "has_all":
        q = ALWAYS
        for key in dict.fromkeys(keys):
            q &= Q(Exists(tags.filter(name_key=key)))
        return q
    return Q(Exists(tags.filter(name_key__in=keys)))  # has_any


def _record(
    ctx: CompileContext, obj: FilterObject, f: FilterField, op: str, value: Any, path: str
) -> Q:
    related, query_name = _related(obj, f)
    records = related._default_manager.filter(
        workspace_id=ctx.actor.workspace.pk, **{query_name: OuterRef("pk")}
    )
    if any(x.name == "deleted_at" for x in related._meta.get_fields()):
        records = records.filter(deleted_at__isnull=True)
    if op == "is_empty":
        return ~Q(Exists(records))

    def parse(item: Any, item_path: str) -> int | str:
        item = parse_scalar(item, item_path)
        if isinstance(item, bool) or not isinstance(item, int | str) or item == "":
            raise InvalidNode(item_path, _("Send a record id or a name."), "invalid_type")
        return item if isinstance(item, int) else item.strip().lower()

    items = [parse(value, path)] if op == "eq" else parse_list(value, path, parse)
    ids = [i for i in items if isinstance(i, int)]
    names = [i for i in items if isinstance(i, str)]
    match = NEVER
    if ids:
        match |= Q(pk__in=ids)
    if names:
        match |= Q(In(Fold(F(f.name_column)), names))
    return Q(Exists(records.filter(match)))


def _multi_choice(
    ctx: CompileContext, obj: FilterObject, f: FilterField, op: str, value: Any, path: str
) -> Q:
    column = F(f.column or "custom_fields")
    if op == "is_empty":
        return ~Q(JSONListHas(column, f.json_key))
    parse = _choice_parser(ctx.choices_of(obj, f), f)
    values = [str(v) for v in dict.fromkeys(parse_list(value, path, parse))]
    if op == "has_all":
        q = ALWAYS
        for item in values:
            q &= Q(JSONListHas(column, f.json_key, [item]))
        return q
    return Q(JSONListHas(column, f.json_key, values))  # has_any
