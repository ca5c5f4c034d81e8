"""A tree compiled to a ``Q``: groups, conditions, relations (``EXISTS`` sub-queries), and the
public entry points that compile, validate, apply and read filters."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError
from vinculo.core.filters.conditions import compile_condition
from vinculo.core.filters.context import CompileContext, workspace_tz
from vinculo.core.filters.language import (
    CUSTOM_PREFIX,
    GROUP_KEYS,
    MAX_CONDITIONS,
    MAX_DEPTH,
    MAX_FILTER_CHARS,
    NEGATIONS,
    OPERATORS,
    ROOT,
    UNARY_OPS,
    BadFilter,
)
from vinculo.core.filters.registry import (
    FilterField,
    FilterObject,
    FilterRelation,
    filter_object,
    object_types,
)
from vinculo.core.filters.sql import ALWAYS, NEVER, count_subquery
from vinculo.core.filters.values import InvalidNode


def _node(ctx: CompileContext, obj: FilterObject, node: Any, path: str, depth: int) -> Q:
    if depth > MAX_DEPTH:
        ctx.fail(
            path,
            _("The filter nests more than %(n)s levels; simplify it.") % {"n": MAX_DEPTH},
            "too_deep",
        )
        return ALWAYS
    if not isinstance(node, dict) or not node:
        ctx.fail(
            path,
            _(
                'Each node is an object: {"and": [...]}, {"or": [...]}, {"not": {...}} or a '
                'condition {"field": ..., "op": ..., "value": ...}.'
            ),
            "invalid_node",
        )
        return ALWAYS
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
        return ALWAYS
    key, children = next(iter(node.items()))
    key = GROUP_KEYS[key]
    if key == "not":
        return ~_node(ctx, obj, children, f"{path}.not", depth + 1)
    if not isinstance(children, list):
        ctx.fail(f"{path}.{key}", _("Send a list of conditions."), "invalid_node")
        return ALWAYS
    if not children:
        return ALWAYS if key == "and" else NEVER
    q = _node(ctx, obj, children[0], f"{path}.{key}.0", depth + 1)
    for index, child in enumerate(children[1:], start=1):
        compiled = _node(ctx, obj, child, f"{path}.{key}.{index}", depth + 1)
        q = q & compiled if key == "and" else q | compiled
    return q


def _field_names(ctx: CompileContext, obj: FilterObject) -> str:
    names = [f.name for f in obj.fields] + [r.name for r in obj.relations]
    if obj.custom_fields is not None:
        names.append("custom_fields.<key>")
    return ", ".join(names)


def _resolve_field(
    ctx: CompileContext, obj: FilterObject, name: Any, path: str
) -> FilterField | FilterRelation:
    if not isinstance(name, str) or not name:
        raise InvalidNode(path, _("Name the field to test."), "unknown_field")
    if name.startswith(CUSTOM_PREFIX) and obj.custom_fields is not None:
        key = name.removeprefix(CUSTOM_PREFIX)
        custom = ctx.custom_fields(obj)
        if key in custom:
            return custom[key]
        known = ", ".join(sorted(k for k, f in custom.items() if not f.archived)) or _("none")
        raise InvalidNode(
            path,
            _("Unknown custom field %(key)r for %(object)s; this workspace has: %(known)s.")
            % {"key": key, "object": obj.object_type, "known": known},
            "unknown_field",
        )
    found = obj.field(name) or obj.relation(name)
    if found is None:
        raise InvalidNode(
            path,
            _("Unknown field %(name)r for %(object)s; use one of: %(known)s.")
            % {"name": name, "object": obj.object_type, "known": _field_names(ctx, obj)},
            "unknown_field",
        )
    return found


def _condition(ctx: CompileContext, obj: FilterObject, node: dict, path: str, depth: int) -> Q:
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
            raise InvalidNode(
                f"{path}.op",
                _("Unknown operator %(op)r for %(type)s field %(field)r; use one of: %(ops)s.")
                % {"op": op, "type": label, "field": target.name, "ops": ", ".join(allowed)},
                "unknown_operator",
            )
        value = node.get("value")
        value_path = f"{path}.value"
        if op in UNARY_OPS:
            if value not in (None, "", [], {}, True):
                raise InvalidNode(
                    value_path,
                    _("The operator %(op)r takes no value.") % {"op": op},
                    "invalid_value",
                )
        elif "value" not in node and kind != "relation":
            raise InvalidNode(value_path, _("Send a value."), "required")
        if isinstance(target, FilterRelation):
            return _relation(ctx, obj, target, op, value, value_path, depth)
        positive = NEGATIONS.get(op)
        if positive is not None:
            return ~compile_condition(ctx, obj, target, positive, value, value_path)
        return compile_condition(ctx, obj, target, op, value, value_path)
    except InvalidNode as exc:
        ctx.fail(exc.path, exc.message, exc.code)
        return ALWAYS


def _relation(
    ctx: CompileContext,
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
        raise InvalidNode(
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
        raise InvalidNode(
            path,
            _('Send {"count": N, "where": {...}} ("where" is optional).'),
            "invalid_value",
        )
    count = value["count"]
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1_000_000:
        raise InvalidNode(f"{path}.count", _("Send a whole number from 0."), "invalid_number")
    where = value.get("where")
    if where not in (None, {}):
        related = related.filter(_node(ctx, target, where, f"{path}.where", depth + 1))
    lookup = GreaterThanOrEqual if op == "count_gte" else LessThanOrEqual
    return Q(lookup(count_subquery(related), count))


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
    tz = workspace_tz(actor)
    ctx = CompileContext(actor=actor, tz=tz, today=(now or timezone.now()).astimezone(tz).date())
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
