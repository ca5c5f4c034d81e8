"""A hand-computed plan for Ana's workspace (the arithmetic in the comments of the tests):

O1 "Grow revenue" (grow_revenue): 40 new customers x 2,500.00 BRL = 100,000.00 BRL
  S1 marketing "Inbound"
    T1 "Blog" budget 10,000.00 BRL and 120 h; spend 2,500.00 BRL 10 h + 1,000.00 BRL 5.5 h
    T2 "Fairs" budget 4,000.00 BRL; spend 500.00 BRL
  S2 sales "Key accounts"
    T3 "Visits" budget 2,000.00 USD and 40 h; spend 300.00 USD 8 h
  S3 service "Onboarding" (no tactics: an orphan)
O2 "Cut service cost" (reduce_cost): 30,000.00 BRL (no strategies: an orphan)
Goals: G1 on T1; G2 on no tactic (an orphan); G3 a quota of G1 (not an orphan).
T2 and T3 have no goals (orphans)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from vinculo.strategy.models import Goal
from vinculo.strategy.plan import services, spend
from vinculo.workspaces import services as workspaces


def goal(persona, title, tactic=None, parent=None, **extra):
    return Goal.objects.create(
        workspace=persona.workspace,
        title=title,
        kpi_key="new_customers",
        starts_on=date(2026, 1, 1),
        deadline=date(2026, 12, 31),
        target=Decimal(40),
        tactic=tactic,
        parent=parent,
        **extra,
    )


def make_plan(ana, bruno) -> dict:
    a = ana.actor
    team = workspaces.create_team(actor=a, data={"name": "Inside sales"})
    o1 = services.create_objective(
        actor=a,
        data={
            "title": "Grow revenue",
            "kind": "grow_revenue",
            "new_customers": 40,
            "customer_value": "2500",
            "owner_id": ana.user.pk,
            "due_on": "2026-12-31",
        },
    )
    o2 = services.create_objective(
        actor=a, data={"title": "Cut service cost", "kind": "reduce_cost", "cost_reduced": 30000}
    )
    s1 = services.create_strategy(
        actor=a, data={"objective_id": o1.pk, "function": "marketing", "title": "Inbound"}
    )
    s2 = services.create_strategy(
        actor=a, data={"objective_id": o1.pk, "function": "sales", "title": "Key accounts"}
    )
    s3 = services.create_strategy(
        actor=a, data={"objective_id": o1.pk, "function": "service", "title": "Onboarding"}
    )
    t1 = services.create_tactic(
        actor=a,
        data={
            "strategy_id": s1.pk,
            "title": "Blog",
            "budget_amount": "10000",
            "budget_hours": 120,
            "owner_id": bruno.user.pk,
            "team_id": team.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "status": "active",
        },
    )
    t2 = services.create_tactic(
        actor=a, data={"strategy_id": s1.pk, "title": "Fairs", "budget_amount": "4000"}
    )
    t3 = services.create_tactic(
        actor=a,
        data={
            "strategy_id": s2.pk,
            "title": "Visits",
            "budget_amount": "2000",
            "budget_currency": "USD",
            "budget_hours": "40",
        },
    )
    for tactic, amount, hours in [
        (t1, "2500", "10"),
        (t1, "1000", "5.5"),
        (t2, "500", None),
        (t3, "300", "8"),
    ]:
        spend.add_spend(
            actor=a,
            tactic_id=tactic.pk,
            data={"spent_on": "2026-02-10", "amount": amount, "hours": hours},
        )
    g1 = goal(ana, "40 new customers", tactic=t1, status="on_track", current=Decimal(12))
    g2 = goal(ana, "Stray goal")
    g3 = goal(ana, "Bruno's quota", parent=g1)
    return {
        "o1": o1,
        "o2": o2,
        "s1": s1,
        "s2": s2,
        "s3": s3,
        "t1": t1,
        "t2": t2,
        "t3": t3,
        "g1": g1,
        "g2": g2,
        "g3": g3,
        "team": team,
    }
