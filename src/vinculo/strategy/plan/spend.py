"""Spend against a tactic's budget: money and/or hours on a day.

Money is kept in the budget's currency so spent and planned compare. Money entered in another
currency is converted with the workspace's rates (the currency settings, the rate of the
spend's month: currency → workspace currency → budget currency); what was typed stays in
``entered_amount`` and ``entered_currency`` with the ``rate`` used. Without a rate for that
month the entry is refused (422 on ``currency``) saying which rate is missing: nothing is
converted with a guess."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.currency import Converter
from vinculo.core.errors import FieldError
from vinculo.core.permissions import require
from vinculo.strategy.models import Tactic, TacticSpend
from vinculo.strategy.plan import selectors
from vinculo.strategy.plan.cleaning import SPEND, clean_fields, refuse

CENT = Decimal("0.01")
RATE_PLACES = Decimal("0.00000001")


def _rate(actor: Actor, entered: str, target: str, day: date) -> Decimal | None:
    """How many ``target`` one ``entered`` was worth in the month of ``day`` (through the
    workspace's currency); None when a rate is missing."""
    converter = Converter(actor.workspace, ZoneInfo(actor.workspace.timezone))
    into_default = converter.rate(entered, day)
    target_in_default = converter.rate(target, day)
    if into_default is None or not target_in_default:
        return None
    return (into_default / target_in_default).quantize(RATE_PLACES)


def _money(
    actor: Actor, tactic: Tactic, clean: dict[str, Any], errors: list[FieldError]
) -> dict[str, Any]:
    amount = clean.get("amount")
    if amount is None:
        return {"amount": None, "currency": ""}
    entered = clean.get("currency") or tactic.budget_currency or actor.workspace.default_currency
    target = tactic.budget_currency or entered
    if entered == target:
        return {"amount": amount, "currency": entered}
    rate = _rate(actor, entered, target, clean["spent_on"])
    if rate is None:
        errors.append(
            FieldError(
                "currency",
                _(
                    "This tactic's budget is in %(budget)s and the workspace has no rate to "
                    "convert %(code)s for %(month)s: enter the rates in the currency "
                    "settings, or record the spend in %(budget)s."
                )
                % {
                    "budget": target,
                    "code": entered,
                    "month": date_format(clean["spent_on"], "YEAR_MONTH_FORMAT"),
                },
                "no_rate",
            )
        )
        return {}
    return {
        "amount": (amount * rate).quantize(CENT),
        "currency": target,
        "entered_amount": amount,
        "entered_currency": entered,
        "rate": rate,
    }


def add_spend(*, actor: Actor, tactic_id: int, data: dict[str, Any]) -> TacticSpend:
    """Record money (``amount``, ``currency``: the budget's by default) and/or ``hours`` spent
    on ``spent_on``, with a note. 422: neither amount nor hours, a bad field, no rate."""
    require(actor, "strategy.manage")
    clean, errors = clean_fields(actor, SPEND, data, creating=True)
    if not errors and clean.get("amount") is None and clean.get("hours") is None:
        errors.append(
            FieldError("amount", _("Enter an amount, a number of hours or both."), "required")
        )
    refuse(errors)
    with transaction.atomic():
        tactic = selectors.get_tactic(actor, tactic_id, lock=True)
        money = _money(actor, tactic, clean, errors)
        refuse(errors)
        found = TacticSpend.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            tactic=tactic,
            spent_on=clean["spent_on"],
            hours=clean.get("hours"),
            note=clean.get("note", ""),
            **money,
        )
        audit.record(
            actor,
            "tactic.spend_added",
            found,
            changes={
                "amount": [None, str(found.amount) if found.amount is not None else None],
                "currency": [None, found.currency],
                "hours": [None, str(found.hours) if found.hours is not None else None],
            },
        )
    return found


def delete_spend(*, actor: Actor, tactic_id: int, spend_id: int) -> None:
    require(actor, "strategy.manage")
    with transaction.atomic():
        found = selectors.get_spend(actor, tactic_id, spend_id)
        audit.record(actor, "tactic.spend_deleted", found, changes={"amount": [str(found), None]})
        found.delete()
