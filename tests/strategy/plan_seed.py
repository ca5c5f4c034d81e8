"""The plan's part of tests/one_of_everything.py: an objective, a strategy, a tactic with a
budget and a spend entry, and a saved version; the ids the screens and API paths take."""

from __future__ import annotations

from typing import Any

from tests.conftest import Persona
from vinculo.strategy.plan import services, spend, versions


def seed_plan(persona: Persona, team_id: int) -> dict[str, Any]:
    actor = persona.actor
    objective = services.create_objective(
        actor=actor,
        data={"title": "Crescer a receita", "kind": "grow_revenue", "new_customers": 30,
              "customer_value": "2400", "owner_id": persona.user.pk},
    )  # fmt: skip
    strategy = services.create_strategy(
        actor=actor,
        data={"objective_id": objective.pk, "function": "marketing", "title": "Conteúdo"},
    )
    tactic = services.create_tactic(
        actor=actor,
        data={"strategy_id": strategy.pk, "title": "Blog", "budget_amount": "5000",
              "budget_hours": "40", "team_id": team_id, "owner_id": persona.user.pk,
              "status": "active"},
    )  # fmt: skip
    spent = spend.add_spend(
        actor=actor,
        tactic_id=tactic.pk,
        data={"spent_on": "2026-03-05", "amount": "1200", "hours": "6", "note": "Redação"},
    )
    version = versions.save_version(actor=actor, note="Aprovado")
    return {
        "objective_id": objective.pk,
        "strategy_id": strategy.pk,
        "tactic_id": tactic.pk,
        "tactic_spend_id": spent.pk,
        "plan_version_id": version.pk,
        "plan_version_number": version.number,
    }
