"""The scoring rules a manager edits: create, update, delete, each input checked field by field
(the condition through the filter language, so a bad node is named ``condition.and.0.op``)."""

from __future__ import annotations

import math
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import filters, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, choice_error, raise_if_any
from vinculo.core.permissions import require
from vinculo.events.services.cleaning import NAME_PATTERN
from vinculo.scoring.models import RuleKind, ScoringRule
from vinculo.scoring.selectors import get_rule, rules

MAX_POINTS = 1000
MAX_DAYS = 3650
MAX_RULES = 200
FIELDS = (
    "name",
    "kind",
    "points",
    "condition",
    "event_name",
    "property_key",
    "property_contains",
    "window_days",
    "half_life_days",
    "cap",
    "is_active",
)


def _int(errors: list[FieldError], field: str, value: Any, low: int, high: int) -> int | None:
    return validators.whole_number(errors, field, value, low=low, high=high)


def _half_life(errors: list[FieldError], value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        errors.append(FieldError("half_life_days", _("Send a number of days."), "invalid_type"))
        return None
    if not 0 < number <= MAX_DAYS:
        errors.append(
            FieldError(
                "half_life_days",
                _("The half-life is a positive number of days, at most %(max)s.")
                % {"max": MAX_DAYS},
                "out_of_range",
            )
        )
        return None
    return number


def _text(errors: list[FieldError], field: str, value: Any, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.append(FieldError(field, _("Send text."), "invalid_type"))
        return ""
    value = value.strip()
    if len(value) > limit:
        errors.append(FieldError(field, _("At most %(n)s characters.") % {"n": limit}, "too_long"))
    return value


def _condition(actor: Actor, errors: list[FieldError], tree: Any) -> dict | None:
    if tree in (None, {}, ""):
        errors.append(
            FieldError("condition", _("A field rule needs a condition on people."), "required")
        )
        return None
    if not isinstance(tree, dict):
        errors.append(
            FieldError("condition", _("The condition must be a JSON object."), "invalid_type")
        )
        return None
    try:
        filters.validate_filter("person", tree, actor=actor)
    except filters.BadFilter as exc:
        errors.extend(
            [
                FieldError("condition" + e.field.removeprefix(filters.ROOT), e.message, e.code)
                for e in exc.errors
            ]
            or [FieldError("condition", exc.detail)]
        )
        return None
    return tree


def clean_rule(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """The rule's columns from ``data`` (every field given), or :class:`ValidationFailed` naming
    each bad field."""
    errors: list[FieldError] = []
    name = _text(errors, "name", data.get("name"), 100)
    if not name and not any(e.field == "name" for e in errors):
        errors.append(FieldError("name", _("Give the rule a name."), "required"))
    kind = data.get("kind")
    if kind not in RuleKind.values:
        errors.append(choice_error("kind", kind, RuleKind.values))
    points = _int(errors, "points", data.get("points"), -MAX_POINTS, MAX_POINTS)
    if points is None and not any(e.field == "points" for e in errors):
        errors.append(FieldError("points", _("Say how many points the rule is worth."), "required"))
    cleaned: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "points": points,
        "condition": None,
        "event_name": "",
        "property_key": "",
        "property_contains": "",
        "window_days": None,
        "half_life_days": None,
        "cap": None,
        "is_active": data.get("is_active", True) is not False,
    }
    if kind == RuleKind.FIELD:
        cleaned["condition"] = _condition(actor, errors, data.get("condition"))
    elif kind == RuleKind.BEHAVIOUR:
        event_name = _text(errors, "event_name", data.get("event_name"), 60)
        if not NAME_PATTERN.fullmatch(event_name):
            errors.append(
                FieldError(
                    "event_name",
                    _(
                        "An event name: lower-case letters, digits, '_' and '.', starting with "
                        "a letter (for example page_viewed)."
                    ),
                    "invalid",
                )
            )
        cleaned["event_name"] = event_name
        cleaned["property_key"] = _text(errors, "property_key", data.get("property_key"), 60)
        contains = _text(errors, "property_contains", data.get("property_contains"), 200)
        if contains and not cleaned["property_key"]:
            errors.append(
                FieldError("property_key", _("Say which property must contain it."), "required")
            )
        cleaned["property_contains"] = contains
        cleaned["window_days"] = _int(errors, "window_days", data.get("window_days"), 1, MAX_DAYS)
        cleaned["half_life_days"] = _half_life(errors, data.get("half_life_days"))
        cleaned["cap"] = _int(errors, "cap", data.get("cap"), 1, 100 * MAX_POINTS)
    raise_if_any(errors)
    return cleaned


def create_rule(*, actor: Actor, data: dict[str, Any]) -> ScoringRule:
    require(actor, "settings.manage")
    cleaned = clean_rule(actor, data)
    if rules(actor).count() >= MAX_RULES:
        raise_if_any([FieldError("name", _("At most %(n)s rules.") % {"n": MAX_RULES}, "too_many")])
    return ScoringRule.objects.create(workspace=actor.workspace, created_by=actor.user, **cleaned)


def update_rule(*, actor: Actor, rule_id: int, data: dict[str, Any]) -> ScoringRule:
    """Change a rule: fields left out keep their value."""
    require(actor, "settings.manage")
    with transaction.atomic():
        rule = get_rule(actor, rule_id)
        merged = {f: getattr(rule, f) for f in FIELDS} | {
            k: v for k, v in data.items() if k in FIELDS
        }
        for field, value in clean_rule(actor, merged).items():
            setattr(rule, field, value)
        rule.save()
    return rule


def delete_rule(*, actor: Actor, rule_id: int) -> None:
    require(actor, "settings.manage")
    get_rule(actor, rule_id).delete()
