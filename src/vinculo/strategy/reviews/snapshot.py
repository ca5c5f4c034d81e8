"""What a review freezes: every goal as last measured, every KPI the plan watches (the goals'
and the touchpoints') over the review's period with the period before, and every tactic's
budget against its spend. Numbers are stored as strings (exact decimals); names of KPIs and
statuses as keys, worded when read."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.kpis import Scope, get, measure
from vinculo.core.kpis.registry import Grain, Unit
from vinculo.core.tenancy import Membership
from vinculo.strategy.models import Goal, Review, Tactic, TacticSpend, Touchpoint

DEFAULT_DAYS = 90  # the first review looks back this far


CENT, TENTH = Decimal("0.01"), Decimal("0.1")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT))


def _hours(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(TENTH))


def period_of(review: Review) -> tuple[date, date]:
    """The days a review looks at: from the day after the previous review (or 90 days back)
    to the day before its own (the day itself is not over when it is held)."""
    end = review.held_on - timedelta(days=1)
    previous = (
        Review.objects.for_workspace(review.workspace_id)
        .filter(plan_id=review.plan_id, held_on__lt=review.held_on)
        .exclude(pk=review.pk)
        .order_by("-held_on", "-id")
        .values_list("held_on", flat=True)
        .first()
    )
    start = previous if previous is not None else end - timedelta(days=DEFAULT_DAYS - 1)
    return min(start, end), end


def _names(workspace_id: int) -> dict[int, str]:
    return {
        m.user_id: m.user.full_name or m.user.email
        for m in Membership.objects.for_workspace(workspace_id).select_related("user")
    }


def _goals(workspace_id: int, names: dict[int, str]) -> list[dict[str, Any]]:
    goals = (
        Goal.objects.for_workspace(workspace_id).select_related("tactic").order_by("deadline", "id")
    )
    return [
        {
            "id": g.pk,
            "title": g.title,
            "kpi": g.kpi_key,
            "tactic_id": g.tactic_id,
            "tactic": g.tactic.title if g.tactic else "",
            "parent_id": g.parent_id,
            "owner": names.get(g.owner_id or 0, ""),
            "starts_on": g.starts_on.isoformat(),
            "deadline": g.deadline.isoformat(),
            "baseline": _text(g.baseline),
            "current": _text(g.current),
            "target": _text(g.target),
            "forecast": _text(g.forecast),
            "currency": g.currency,
            "status": g.status,
            "measured_at": g.measured_at.isoformat() if g.measured_at else None,
        }
        for g in goals
    ]


def _kpi_keys(workspace_id: int) -> list[str]:
    keys = set(Goal.objects.for_workspace(workspace_id).values_list("kpi_key", flat=True))
    keys |= set(
        Touchpoint.objects.for_workspace(workspace_id)
        .exclude(kpi_key="")
        .values_list("kpi_key", flat=True)
    )
    return sorted(k for k in keys if get(k) is not None)


def _kpis(actor: Actor, start: date, end: date) -> list[dict[str, Any]]:
    out = []
    scope = Scope(actor=actor)
    for key in _kpi_keys(actor.workspace.pk):
        m = measure(key, scope, start=start, end=end, grain=Grain.MONTH)
        out.append(
            {
                "key": key,
                "value": _text(m.value),
                "previous": _text(m.previous),
                "currency": m.currency if m.kpi.unit is Unit.MONEY else "",
                "series": [[p.start.isoformat(), _text(p.value)] for p in m.series],
            }
        )
    return out


def _budgets(workspace_id: int) -> list[dict[str, Any]]:
    spent: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = (
        TacticSpend.objects.for_workspace(workspace_id)
        .values("tactic_id", "currency")
        .annotate(amount=Sum("amount"), hours=Sum("hours"))
        .order_by()
    )
    for row in rows:
        mine = spent[row["tactic_id"]]
        if row["amount"] is not None:
            by = mine.setdefault("amount", {})
            by[row["currency"]] = by.get(row["currency"], Decimal(0)) + row["amount"]
        if row["hours"] is not None:
            mine["hours"] = mine.get("hours", Decimal(0)) + row["hours"]
    tactics = (
        Tactic.objects.for_workspace(workspace_id)
        .select_related("strategy__objective")
        .order_by("strategy__objective__position", "strategy__position", "position", "id")
    )
    out = []
    for t in tactics:
        mine = spent.get(t.pk, {})
        out.append(
            {
                "tactic_id": t.pk,
                "title": t.title,
                "function": t.strategy.function,
                "objective": t.strategy.objective.title,
                "status": t.status,
                "planned": _money(t.budget_amount),
                "currency": t.budget_currency,
                "spent": {c: _money(v) for c, v in sorted(mine.get("amount", {}).items())},
                "planned_hours": _hours(t.budget_hours),
                "spent_hours": _hours(mine.get("hours")),
            }
        )
    return out


def take(actor: Actor, review: Review) -> dict[str, Any]:
    """The review's snapshot, as of now (written by the caller)."""
    if review.workspace_id != actor.workspace.pk:
        raise NotFound(_("No review has this id."))
    start, end = period_of(review)
    names = _names(review.workspace_id)
    return {
        "version": 1,
        "as_of": timezone.now().isoformat(),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "goals": _goals(review.workspace_id, names),
        "kpis": _kpis(actor, start, end),
        "budgets": _budgets(review.workspace_id),
    }
