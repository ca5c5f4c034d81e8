"""Tier reasons and problems in words, in the reader's language: what
:mod:`vinculo.events.services.tiers` stores is a code plus parameters (docs/kpis.md, "Most
valuable, most growable and problem customers")."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vinculo.core.formats import format_money, format_number


def tier_text(code: str, params: dict[str, Any] | None, currency: str) -> str:
    """Why the customer is in their tier ("" for none)."""
    p = params or {}
    if code in {"mvc_clv", "mvc_spend"}:
        values = {
            "value": format_money(p.get("value", 0), currency),
            "rank": format_number(p.get("rank", 0)),
            "customers": format_number(p.get("customers", 0)),
            "percent": format_number(p.get("percent", 0)),
        }
        if code == "mvc_clv":
            return (
                _(
                    "Expected to bring %(value)s in the next 12 months: number %(rank)s of "
                    "%(customers)s customers (the top %(percent)s%%)."
                )
                % values
            )
        return (
            _(
                "Spends %(value)s a year: number %(rank)s of %(customers)s customers (the top "
                "%(percent)s%%)."
            )
            % values
        )
    if code == "mgc_gap":
        years = int(p.get("years", 0))
        tenure = (
            _("in their first year")
            if years == 0
            else ngettext(
                "with %(n)s year or more as customers",
                "with %(n)s years or more as customers",
                years,
            )
            % {"n": format_number(years)}
        )
        source = p.get("source") or _("no source")
        return _(
            "Spends %(spend)s a year; the top fifth of the %(peers)s customers like them "
            "(source: %(source)s, %(tenure)s) spend %(potential)s: %(gap)s to grow."
        ) % {
            "spend": format_money(p.get("spend", 0), currency),
            "peers": format_number(p.get("peers", 0)),
            "source": source,
            "tenure": tenure,
            "potential": format_money(p.get("potential", 0), currency),
            "gap": format_money(p.get("gap", 0), currency),
        }
    return ""


def problem_text(problem: dict[str, Any], currency: str) -> str:
    """One stored problem in words ("" for an unknown code)."""
    code, p = problem.get("code", ""), problem.get("params") or {}
    if code == "late_payments":
        count = int(p.get("count", 0))
        last = p.get("last")
        when = date_format(date.fromisoformat(last), "SHORT_DATE_FORMAT") if last else ""
        return ngettext(
            "%(n)s late payment in the last 12 months (the last on %(when)s).",
            "%(n)s late payments in the last 12 months (the last on %(when)s).",
            count,
        ) % {"n": format_number(count), "when": when}
    if code == "unprofitable":
        return _(
            "Costs more to serve than they bring: %(hours)s h of logged work at %(rate)s an hour "
            "is %(cost)s, against %(revenue)s a year."
        ) % {
            "hours": format_number(p.get("hours", 0), 1),
            "rate": format_money(p.get("hourly_cost", 0), currency),
            "cost": format_money(p.get("cost", 0), currency),
            "revenue": format_money(p.get("revenue", 0), currency),
        }
    return ""
