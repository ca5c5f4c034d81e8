"""Applying a draft plan (:mod:`.catalogue`) to a workspace: its objectives, strategies and
tactics through the plan's services, its goals through the goals' services (each target set from
the baseline measured on the workspace's own data), its touchpoints through the map's services
and the first review scheduled. One transaction: a draft is applied whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from vinculo.contacts.models import LifecycleStage
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Scope, get, measure
from vinculo.core.kpis.registry import Direction, Grain, Unit
from vinculo.core.permissions import require
from vinculo.strategy.goals.services import create_goal
from vinculo.strategy.models import GoalMeasure, Objective, Touchpoint
from vinculo.strategy.plan.services import (
    create_objective,
    create_strategy,
    create_tactic,
    ensure_plan,
    update_plan,
)
from vinculo.strategy.reviews.services import add_months, schedule_next
from vinculo.strategy.starters.catalogue import GoalDraft, Starter, starter
from vinculo.strategy.touchpoint_services import create_touchpoint

WINDOW = 90  # days a level goal is measured over


@dataclass
class Applied:
    objectives: int = 0
    strategies: int = 0
    tactics: int = 0
    goals: int = 0
    touchpoints: int = 0


def _baseline(actor: Actor, draft: GoalDraft, start: date, deadline: date) -> Decimal | None:
    """The KPI over the period a goal's baseline is measured on (as the goals measure it)."""
    days = WINDOW if draft.level else (deadline - start).days + 1
    m = measure(
        draft.kpi,
        Scope(actor=actor),
        start=start - timedelta(days=days),
        end=start - timedelta(days=1),
        grain=Grain.MONTH,
    )
    return None if m.value is None else Decimal(str(m.value))


def target_for(actor: Actor, draft: GoalDraft, start: date, deadline: date) -> Decimal:
    """The draft's target from the baseline: moved by ``points`` (percentages) or by ``lift``
    (its share of the baseline), in the KPI's good direction; ``floor`` without a baseline.
    Counts are whole numbers; shares stay between 0 and 1."""
    kpi = get(draft.kpi)
    base = _baseline(actor, draft, start, deadline) if kpi is not None else None
    if kpi is None or not base:
        return draft.floor
    if draft.points is not None:
        sign = 1 if kpi.good is Direction.UP else -1
        target = base + sign * draft.points
    else:
        target = base * (1 + draft.lift)
    if kpi.unit is Unit.PERCENT:
        target = min(max(target, Decimal("0.01")), Decimal("1"))
    if kpi.unit is Unit.COUNT:
        target = max(Decimal(int(target.to_integral_value())), Decimal(1))
    return target.quantize(Decimal("0.0001"))


def apply_starter(actor: Actor, key: str, *, start: date | None = None) -> Applied:
    """Write the draft ``key`` into the workspace's plan (refused, 409, when the plan already
    has objectives: a draft starts a plan, it never mixes into one). Its tactics and goals
    start on ``start`` (today by default; the demo starts them weeks ago)."""
    require(actor, "strategy.manage")
    draft = starter(key)
    if draft is None:
        raise ValidationFailed.field("business_type", _("Choose one of the kinds of business."))
    if Objective.objects.for_workspace(actor.workspace).exists():
        raise Conflict(_("The plan has objectives already: a draft starts an empty plan."))
    # The draft's texts become the workspace's own data, in its language.
    with transaction.atomic(), translation.override(actor.workspace.locale):
        return _apply(actor, draft, start or workspace_today(actor))


def _apply(actor: Actor, draft: Starter, today: date) -> Applied:
    done = Applied()
    currency = actor.workspace.default_currency
    plan = ensure_plan(actor)
    update_plan(
        actor=actor,
        data={"business_type": draft.key, "review_every_months": draft.review_every_months},
    )
    for o in draft.objectives:
        objective = create_objective(
            actor=actor,
            data={"title": str(o.title), "description": str(o.description), "kind": o.kind,
                  "new_customers": o.new_customers, "owner_id": actor.user.pk if actor.user
                  else None},
        )  # fmt: skip
        done.objectives += 1
        for s in o.strategies:
            strategy = create_strategy(
                actor=actor,
                data={"objective_id": objective.pk, "function": s.function,
                      "title": str(s.title)},
            )  # fmt: skip
            done.strategies += 1
            for t in s.tactics:
                deadline = add_months(today, t.months) - timedelta(days=1)
                tactic = create_tactic(
                    actor=actor,
                    data={"strategy_id": strategy.pk, "title": str(t.title),
                          "description": str(t.description), "budget_amount": t.budget,
                          "budget_currency": currency if t.budget is not None else "",
                          "budget_hours": t.hours, "starts_on": today, "ends_on": deadline,
                          "status": "active"},
                )  # fmt: skip
                done.tactics += 1
                for g in t.goals:
                    create_goal(
                        actor=actor,
                        data={"title": str(g.title), "kpi_key": g.kpi,
                              "measure": GoalMeasure.LEVEL if g.level else GoalMeasure.CUMULATIVE,
                              "window_days": WINDOW, "starts_on": today, "deadline": deadline,
                              "target": target_for(actor, g, today, deadline),
                              "tactic_id": tactic.pk, "currency": currency
                              if _money(g.kpi) else "",
                              "owner_id": actor.user.pk if actor.user else None},
                    )  # fmt: skip
                    done.goals += 1
    stages = _stage_keys(actor)
    for tp in draft.touchpoints:
        taken = Touchpoint.objects.for_workspace(actor.workspace).filter(
            lifecycle_stage=tp.stage, department=tp.department, channel=tp.channel
        )
        if tp.stage not in stages or taken.exists():
            continue  # the workspace renamed its stages, or has this cell already
        create_touchpoint(
            actor=actor,
            data={"lifecycle_stage": tp.stage, "department": tp.department,
                  "channel": tp.channel, "policy_kind": tp.policy_kind,
                  "policy_amount": tp.amount, "policy_unit": tp.unit,
                  "policy_note": str(tp.note), "kpi_key": tp.kpi},
        )  # fmt: skip
        done.touchpoints += 1
    plan.refresh_from_db()
    schedule_next(actor, plan)
    return done


def _money(key: str) -> bool:
    kpi = get(key)
    return kpi is not None and kpi.unit is Unit.MONEY


def _stage_keys(actor: Actor) -> set[str]:
    stages = LifecycleStage.objects.for_workspace(actor.workspace)
    return set(stages.values_list("key", flat=True))
