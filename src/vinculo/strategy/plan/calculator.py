"""The objective calculator: a year's value of a customer, read from the KPI registry so a
revenue objective (new customers times that value) starts from the business's own numbers.

Two candidates over the last 12 months, in one currency: ``average_clv`` (the mean expected
12-month value of the customers, from the latest customer-value analysis: forward-looking,
preferred) and ``average_revenue_per_customer`` (won deal amounts per customer: what they
did pay). The first one with a value above zero is suggested; both are shown, and the user
may type another value instead."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Grain, Scope, get, measure
from vinculo.core.permissions import require
from vinculo.core.validators import clean_currency

CANDIDATES = ("average_clv", "average_revenue_per_customer")
DAYS = 365  # the last 12 months, today included


def customer_value(
    actor: Actor, currency: str | None = None, *, today: date | None = None
) -> dict[str, Any]:
    """Both candidates' values over the last 12 months in ``currency`` (the workspace's by
    default), which one is suggested (None when neither has data) and its value."""
    require(actor, "insights.view")
    code = clean_currency(currency, "currency") if currency else actor.workspace.default_currency
    end = today or workspace_today(actor)
    start = end - timedelta(days=DAYS - 1)
    options: list[dict[str, Any]] = []
    for key in CANDIDATES:
        kpi = get(key)
        if kpi is None:  # an app that registers it is not installed
            continue
        found = measure(
            key, Scope(actor=actor, currency=code), start=start, end=end, grain=Grain.MONTH
        )
        value = found.value if found.value is None else Decimal(found.value)
        options.append(
            {"key": key, "name": str(kpi.name), "definition": str(kpi.definition), "value": value}
        )
    used = next((o for o in options if o["value"] is not None and o["value"] > 0), None)
    return {
        "currency": code,
        "start": start,
        "end": end,
        "options": options,
        "used": used["key"] if used else None,
        "value": used["value"] if used else None,
    }
