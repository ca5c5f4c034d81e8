"""Checking what a form or an API call sends for the plan's items, field by field: every bad
field is named at once (422), owners must be active members and teams the workspace's own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, ValidationFailed, choice_error, collect
from vinculo.core.tenancy import Team
from vinculo.core.validators import (
    clean_currency,
    clean_date,
    clean_decimal,
    clean_long_text,
    clean_name,
)
from vinculo.sales.validation import clean_id
from vinculo.strategy.models import Function, ObjectiveKind, TacticStatus
from vinculo.workspaces.selectors import active_member_ids

ZERO = Decimal(0)
MAX_CUSTOMERS = 100_000_000
VALUE_SOURCES = ("average_clv", "average_revenue_per_customer")


@dataclass(frozen=True)
class Spec:
    """One field: how to clean it and whether it must be given on creation."""

    clean: Callable[[Actor, Any, str, list[FieldError]], Any]
    required: bool = False


def _title(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    return collect(errors, clean_name, value, field, required=True, max_length=200)


def _long(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    found = collect(errors, clean_long_text, value, field)
    return found if found is not None else ""


def _note(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    found = collect(errors, clean_name, value, field, max_length=200)
    return found if found is not None else ""


def _choice(choices: type[TextChoices]) -> Callable[[Actor, Any, str, list[FieldError]], Any]:
    def clean(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
        if value not in choices.values:
            errors.append(choice_error(field, value, choices.values))
            return None
        return value

    return clean


def _money(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    return collect(errors, clean_decimal, value, field, places=2, max_digits=14, minimum=ZERO)


def _hours(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    return collect(errors, clean_decimal, value, field, places=1, max_digits=9, minimum=ZERO)


def _count(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    if value is None or value == "":
        return None
    number = clean_id(value, field, errors)
    if number is not None and number > MAX_CUSTOMERS:
        errors.append(
            FieldError(field, _("At most %(n)s.") % {"n": f"{MAX_CUSTOMERS:,}"}, "too_large")
        )
        return None
    return number


def _date(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    return collect(errors, clean_date, value, field)


def _currency(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    if value is None or value == "":
        return ""
    return collect(errors, clean_currency, value, field) or ""


def _owner(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    pk = clean_id(value, field, errors)
    if pk is not None and pk not in active_member_ids(actor.workspace):
        errors.append(
            FieldError(
                field, _("The owner must be an active member of this workspace."), "not_a_member"
            )
        )
        return None
    return pk


def _team(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    pk = clean_id(value, field, errors)
    if pk is not None and not Team.objects.for_workspace(actor.workspace).filter(pk=pk).exists():
        errors.append(FieldError(field, _("No team with this id in the workspace."), "not_found"))
        return None
    return pk


def _source(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    if value in (None, ""):
        return ""
    if value not in VALUE_SOURCES:
        errors.append(choice_error(field, value, VALUE_SOURCES))
        return None
    return value


def _ref(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    return clean_id(value, field, errors)  # the service checks it is in the plan


OBJECTIVE = {
    "title": Spec(_title, required=True),
    "description": Spec(_long),
    "kind": Spec(_choice(ObjectiveKind)),
    "new_customers": Spec(_count),
    "customer_value": Spec(_money),
    "customer_value_source": Spec(_source),
    "cost_reduced": Spec(_money),
    "currency": Spec(_currency),
    "owner_id": Spec(_owner),
    "due_on": Spec(_date),
}
STRATEGY = {
    "objective_id": Spec(_ref, required=True),
    "function": Spec(_choice(Function), required=True),
    "title": Spec(_title, required=True),
    "description": Spec(_long),
    "owner_id": Spec(_owner),
}
TACTIC = {
    "strategy_id": Spec(_ref, required=True),
    "title": Spec(_title, required=True),
    "description": Spec(_long),
    "owner_id": Spec(_owner),
    "team_id": Spec(_team),
    "budget_amount": Spec(_money),
    "budget_currency": Spec(_currency),
    "budget_hours": Spec(_hours),
    "starts_on": Spec(_date),
    "ends_on": Spec(_date),
    "status": Spec(_choice(TacticStatus)),
}
SPEND = {
    "spent_on": Spec(_date, required=True),
    "amount": Spec(_money),
    "currency": Spec(_currency),
    "hours": Spec(_hours),
    "note": Spec(_note),
}


def clean_fields(
    actor: Actor, specs: dict[str, Spec], data: dict[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[FieldError]]:
    """The given fields of ``specs`` cleaned (unknown keys ignored), and every error found;
    on creation a required field left out or empty is an error."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    for name, spec in specs.items():
        if name not in data:
            if creating and spec.required:
                errors.append(FieldError(name, _("This field is required."), "required"))
            continue
        value = data[name]
        if spec.required and value in (None, ""):
            errors.append(FieldError(name, _("This field is required."), "required"))
            continue
        before = len(errors)
        cleaned = spec.clean(actor, value, name, errors)
        if len(errors) == before:
            out[name] = cleaned
    return out, errors


def refuse(errors: list[FieldError]) -> None:
    if errors:
        raise ValidationFailed("; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)


def _plan_title(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    found = collect(errors, clean_name, value, field, max_length=150)
    return found if found is not None else ""


def _months(actor: Actor, value: Any, field: str, errors: list[FieldError]) -> Any:
    number = clean_id(value, field, errors)
    if number is not None and not 1 <= number <= 24:
        errors.append(FieldError(field, _("Enter a number from 1 to 24."), "out_of_range"))
        return None
    return number


PLAN = {
    "title": Spec(_plan_title),  # empty: the default title, worded when read
    "summary": Spec(_long),
    "review_every_months": Spec(_months, required=True),
    "next_review_on": Spec(_date),
}


def plan_fields(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """The plan's fields given in ``data``, cleaned; 422 naming each bad one."""
    clean, errors = clean_fields(actor, PLAN, data, creating=False)
    refuse(errors)
    return clean
