"""Reading reviews: the plan's reviews, one with its decisions, and what changed since the
review before it (goals by id, KPIs by key, budgets by tactic), all from the frozen snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.tenancy import Membership
from vinculo.strategy.models import Decision, Review


def members_of(actor: Actor) -> list[tuple[int, str]]:
    """(user id, name) of the workspace's members, for a decision's owner."""
    return [
        (m.user_id, m.user.full_name or m.user.email)
        for m in Membership.objects.for_workspace(actor.workspace)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    ]


def reviews_of(actor: Actor) -> QuerySet[Review]:
    return Review.objects.for_workspace(actor.workspace).order_by("-held_on", "-id")


def review_of(actor: Actor, review_id: int) -> Review:
    review = reviews_of(actor).filter(pk=review_id).select_related("plan").first()
    if review is None:
        raise NotFound(_("No review has this id."))
    return review


def decisions_of(review: Review) -> QuerySet[Decision]:
    return (
        Decision.objects.for_workspace(review.workspace_id)
        .filter(review=review)
        .select_related("owner", "task")
        .order_by("id")
    )


def previous_of(review: Review) -> Review | None:
    """The latest frozen review held before this one."""
    return (
        Review.objects.for_workspace(review.workspace_id)
        .filter(plan_id=review.plan_id, held_on__lt=review.held_on, frozen_at__isnull=False)
        .exclude(pk=review.pk)
        .order_by("-held_on", "-id")
        .first()
    )


def _number(text: Any) -> Decimal | None:
    if text in (None, ""):
        return None
    try:
        return Decimal(str(text))
    except InvalidOperation:
        return None


def _delta(now: Any, then: Any) -> Decimal | None:
    a, b = _number(now), _number(then)
    return None if a is None or b is None else a - b


@dataclass
class Change:
    """One line of the comparison: a goal, KPI or tactic now and at the previous review."""

    key: Any
    label: str
    now: Any
    then: Any
    delta: Decimal | None
    status_now: str = ""
    status_then: str = ""


@dataclass
class Comparison:
    previous: Review | None
    goals: list[Change] = field(default_factory=list)
    kpis: list[Change] = field(default_factory=list)
    budgets: list[Change] = field(default_factory=list)


def _spent_total(row: dict[str, Any]) -> Decimal | None:
    spent = row.get("spent") or {}
    amount = spent.get(row.get("currency") or "")
    return _number(amount) if amount is not None else None


def compare(review: Review) -> Comparison:
    """What moved between the previous frozen review and this one (empty without either)."""
    previous = previous_of(review)
    out = Comparison(previous=previous)
    if previous is None or not review.snapshot:
        return out
    now, then = review.snapshot, previous.snapshot or {}
    before_goals = {g["id"]: g for g in then.get("goals", [])}
    for g in now.get("goals", []):
        old = before_goals.get(g["id"], {})
        out.goals.append(
            Change(
                key=g["id"],
                label=g["title"],
                now=g.get("current"),
                then=old.get("current"),
                delta=_delta(g.get("current"), old.get("current")),
                status_now=g.get("status", ""),
                status_then=old.get("status", ""),
            )
        )
    before_kpis = {k["key"]: k for k in then.get("kpis", [])}
    for k in now.get("kpis", []):
        old = before_kpis.get(k["key"], {})
        out.kpis.append(
            Change(
                key=k["key"],
                label=k["key"],
                now=k.get("value"),
                then=old.get("value"),
                delta=_delta(k.get("value"), old.get("value")),
            )
        )
    before_budgets = {b["tactic_id"]: b for b in then.get("budgets", [])}
    for b in now.get("budgets", []):
        old = before_budgets.get(b["tactic_id"], {})
        spent_now, spent_then = _spent_total(b), _spent_total(old) if old else None
        out.budgets.append(
            Change(
                key=b["tactic_id"],
                label=b["title"],
                now=spent_now,
                then=spent_then,
                delta=_delta(spent_now, spent_then),
            )
        )
    return out
