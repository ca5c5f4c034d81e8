"""The plan tree as plain JSON: what the API answers and what a saved version freezes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from vinculo.strategy.models import Goal, Objective, Strategy, Tactic
from vinculo.strategy.plan.selectors import Orphan, PlanTree, plan_title


def plain(value: Any) -> Any:
    """Decimals as strings (exact), days as ISO text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _person(user: Any) -> dict[str, Any] | None:
    return None if user is None else {"id": user.pk, "name": str(user)}


def objective_json(o: Objective) -> dict[str, Any]:
    return {
        "id": o.pk,
        "title": o.title,
        "description": o.description,
        "kind": o.kind,
        "kind_label": str(o.get_kind_display()),
        "new_customers": o.new_customers,
        "customer_value": o.customer_value,
        "customer_value_source": o.customer_value_source,
        "cost_reduced": o.cost_reduced,
        "currency": o.currency,
        "target_value": o.target_value,
        "owner_id": o.owner_id,
        "due_on": o.due_on,
        "position": o.position,
    }


def strategy_json(s: Strategy) -> dict[str, Any]:
    return {
        "id": s.pk,
        "objective_id": s.objective_id,
        "function": s.function,
        "function_label": str(s.get_function_display()),
        "title": s.title,
        "description": s.description,
        "owner_id": s.owner_id,
        "position": s.position,
    }


def tactic_json(t: Tactic) -> dict[str, Any]:
    return {
        "id": t.pk,
        "strategy_id": t.strategy_id,
        "title": t.title,
        "description": t.description,
        "owner_id": t.owner_id,
        "team_id": t.team_id,
        "budget_amount": t.budget_amount,
        "budget_currency": t.budget_currency,
        "budget_hours": t.budget_hours,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "status": t.status,
        "status_label": str(t.get_status_display()),
        "position": t.position,
    }


def goal_json(g: Goal) -> dict[str, Any]:
    return {
        "id": g.pk,
        "title": g.title,
        "kpi_key": g.kpi_key,
        "status": g.status,
        "status_label": str(g.get_status_display()),
        "current": g.current,
        "target": g.target,
        "deadline": g.deadline,
        "owner": _person(g.owner),
    }


def orphan_json(o: Orphan) -> dict[str, Any]:
    return {"kind": o.kind, "id": o.id, "title": o.title, "code": o.code, "why": o.why}


def tree_json(tree: PlanTree) -> dict[str, Any]:
    """The plan, its items nested with their budgets, the totals and the orphans (plain)."""
    plan = tree.plan
    body = {
        "plan": {
            "id": plan.pk,
            "title": plan_title(plan),
            "summary": plan.summary,
            "version": plan.version,
            "review_every_months": plan.review_every_months,
            "next_review_on": plan.next_review_on,
        },
        "objectives": [
            objective_json(o.objective)
            | {
                "owner": _person(o.objective.owner),
                "budget": o.budget.as_json(),
                "strategies": [
                    strategy_json(s.strategy)
                    | {
                        "owner": _person(s.strategy.owner),
                        "budget": s.budget.as_json(),
                        "tactics": [
                            tactic_json(t.tactic)
                            | {
                                "owner": _person(t.tactic.owner),
                                "team": None
                                if t.tactic.team is None
                                else {"id": t.tactic.team.pk, "name": t.tactic.team.name},
                                "budget": t.budget.as_json(),
                                "goals": [goal_json(g) for g in t.goals],
                            }
                            for t in s.tactics
                        ],
                    }
                    for s in o.strategies
                ],
            }
            for o in tree.objectives
        ],
        "totals": tree.budget.as_json(),
        "by_function": [
            {"function": f, "budget": b.as_json()} for f, b in tree.by_function.items()
        ],
        "orphans": [orphan_json(o) for o in tree.orphans],
        "goals_without_tactic": [goal_json(g) for g in tree.goals_without_tactic],
    }
    return plain(body)
