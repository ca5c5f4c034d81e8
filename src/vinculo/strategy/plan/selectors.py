"""Reads of the plan, always scoped to the workspace: its items one by one, and the whole tree
(objectives, strategies, tactics, the goals under them with their stored status) with the
budget totals and the orphans, read in a fixed number of queries whatever the plan's size.
Nothing here measures a KPI: goals show what their last measurement stored."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max, Model, QuerySet, Sum
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.strategy.models import (
    Function,
    Goal,
    Objective,
    Plan,
    PlanVersion,
    Strategy,
    Tactic,
    TacticSpend,
    TacticStatus,
)

ZERO = Decimal(0)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")


def plan_of(actor: Actor) -> Plan | None:
    """The workspace's plan (None until something is written to it)."""
    require(actor, "insights.view")
    return Plan.objects.for_workspace(actor.workspace).first()


def plan_or_draft(actor: Actor) -> Plan:
    """The plan, or an unsaved empty one (the first write saves it)."""
    return plan_of(actor) or Plan(workspace=actor.workspace, title="")


def plan_title(plan: Plan) -> str:
    """The plan's title, or "CRM plan of <workspace>" in the reader's language when it has
    none (the default is never stored: it is worded when read)."""
    return plan.title or _("CRM plan of %(workspace)s") % {"workspace": plan.workspace.name}


def objectives(actor: Actor) -> QuerySet[Objective]:
    require(actor, "insights.view")
    return Objective.objects.for_workspace(actor.workspace)


def strategies(actor: Actor) -> QuerySet[Strategy]:
    require(actor, "insights.view")
    return Strategy.objects.for_workspace(actor.workspace)


def tactics(actor: Actor) -> QuerySet[Tactic]:
    require(actor, "insights.view")
    return Tactic.objects.for_workspace(actor.workspace)


def _one(qs: QuerySet, pk: int, lock: bool, message: str) -> Any:
    if lock:
        qs = qs.select_for_update()
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(message % {"id": pk})
    return found


def get_objective(actor: Actor, objective_id: int, *, lock: bool = False) -> Objective:
    return _one(objectives(actor), objective_id, lock, _("No objective with id %(id)s."))


def get_strategy(actor: Actor, strategy_id: int, *, lock: bool = False) -> Strategy:
    return _one(strategies(actor), strategy_id, lock, _("No strategy with id %(id)s."))


def get_tactic(actor: Actor, tactic_id: int, *, lock: bool = False) -> Tactic:
    return _one(tactics(actor), tactic_id, lock, _("No tactic with id %(id)s."))


def spend_of(actor: Actor, tactic_id: int) -> QuerySet[TacticSpend]:
    """A tactic's spend entries, newest first (404 for a tactic of another workspace)."""
    get_tactic(actor, tactic_id)
    return TacticSpend.objects.for_workspace(actor.workspace).filter(tactic_id=tactic_id)


def get_spend(actor: Actor, tactic_id: int, spend_id: int) -> TacticSpend:
    return _one(spend_of(actor, tactic_id), spend_id, False, _("No spend entry with id %(id)s."))


def versions(actor: Actor) -> QuerySet[PlanVersion]:
    require(actor, "insights.view")
    return PlanVersion.objects.for_workspace(actor.workspace).order_by("-number")


def get_version(actor: Actor, number: int) -> PlanVersion:
    found = versions(actor).filter(number=number).first()
    if found is None:
        raise NotFound(_("No version %(number)s of the plan.") % {"number": number})
    return found


def next_position(actor: Actor, model: type[Model], **parent: Any) -> int:
    """One past the last position among the workspace's siblings under ``parent``."""
    siblings = model.objects.for_workspace(actor.workspace).filter(**parent)  # type: ignore[attr-defined]
    top = siblings.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


# --- budgets ----------------------------------------------------------------------------------


@dataclass
class Budget:
    """Planned against spent: money per currency (never added across currencies) and hours."""

    money: dict[str, list[Decimal]] = field(default_factory=dict)  # currency: [planned, spent]
    hours_planned: Decimal = ZERO
    hours_spent: Decimal = ZERO

    def add(self, other: Budget) -> None:
        for currency, (planned, spent) in other.money.items():
            row = self.money.setdefault(currency, [ZERO, ZERO])
            row[0] += planned
            row[1] += spent
        self.hours_planned += other.hours_planned
        self.hours_spent += other.hours_spent

    def rows(self) -> list[dict[str, Any]]:
        """One row per currency: planned, spent, what is left and the share spent (percent,
        None without a planned amount)."""
        return [
            {
                "currency": currency,
                "planned": planned.quantize(CENT),
                "spent": spent.quantize(CENT),
                "left": (planned - spent).quantize(CENT),
                "percent": _percent(spent, planned),
            }
            for currency, (planned, spent) in sorted(self.money.items())
        ]

    def hours(self) -> dict[str, Any]:
        return {
            "planned": self.hours_planned.quantize(TENTH),
            "spent": self.hours_spent.quantize(TENTH),
            "left": (self.hours_planned - self.hours_spent).quantize(TENTH),
            "percent": _percent(self.hours_spent, self.hours_planned),
        }

    def as_json(self) -> dict[str, Any]:
        return {"money": self.rows(), "hours": self.hours()}


def _percent(spent: Decimal, planned: Decimal) -> float | None:
    return round(float(spent / planned * 100), 1) if planned else None


# --- the tree ---------------------------------------------------------------------------------


@dataclass
class TacticNode:
    tactic: Tactic
    goals: list[Goal]
    budget: Budget


@dataclass
class StrategyNode:
    strategy: Strategy
    tactics: list[TacticNode]
    budget: Budget


@dataclass
class ObjectiveNode:
    objective: Objective
    strategies: list[StrategyNode]
    budget: Budget


@dataclass
class Orphan:
    kind: str  # goal, tactic, strategy or objective
    id: int
    title: str
    code: str

    @property
    def why(self) -> str:
        return orphan_reason(self.code)


@dataclass
class PlanTree:
    plan: Plan
    objectives: list[ObjectiveNode]
    budget: Budget
    by_function: dict[str, Budget]
    orphans: list[Orphan]
    goals_without_tactic: list[Goal]


def orphan_reason(code: str) -> str:
    """Why an orphan matters (seed 003/004: every goal hangs from a tactic, every tactic from
    a strategy and an objective), in the reader's language."""
    reasons = {
        "goal_without_tactic": _(
            "A goal no tactic serves measures work nobody planned: hang it from the tactic "
            "that moves it, or drop it."
        ),
        "tactic_without_goals": _(
            "A tactic without a goal cannot show whether it works: give it a goal with a KPI, "
            "a target and a deadline."
        ),
        "strategy_without_tactics": _(
            "A strategy without tactics is an intention: add the concrete actions, with owners "
            "and budgets, that carry it out."
        ),
        "objective_without_strategies": _(
            "An objective no function has a strategy for is reached by chance, if at all: say "
            "how marketing, sales or service will serve it."
        ),
    }
    return reasons.get(code, code)


def _spend_totals(actor: Actor) -> tuple[dict[int, dict[str, Decimal]], dict[int, Decimal]]:
    money: dict[int, dict[str, Decimal]] = defaultdict(dict)
    hours: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rows = (
        TacticSpend.objects.for_workspace(actor.workspace)
        .values("tactic_id", "currency")
        .annotate(amount=Sum("amount"), hours=Sum("hours"))
        .order_by()
    )
    for row in rows:
        if row["amount"] is not None and row["currency"]:
            money[row["tactic_id"]][row["currency"]] = Decimal(row["amount"])
        if row["hours"] is not None:
            hours[row["tactic_id"]] += Decimal(row["hours"])
    return money, hours


def _tactic_budget(tactic: Tactic, money: dict[str, Decimal], hours: Decimal) -> Budget:
    budget = Budget(hours_planned=tactic.budget_hours or ZERO, hours_spent=hours)
    if tactic.budget_amount is not None and tactic.budget_currency:
        budget.money[tactic.budget_currency] = [tactic.budget_amount, ZERO]
    for currency, spent in money.items():
        budget.money.setdefault(currency, [ZERO, ZERO])[1] += spent
    return budget


def plan_tree(actor: Actor) -> PlanTree:
    """The whole plan with the goals under each tactic, the budget totals (per tactic,
    strategy, objective, function and the whole plan) and the orphans: six queries."""
    plan = plan_or_draft(actor)
    ws = actor.workspace
    objective_rows = list(Objective.objects.for_workspace(ws).select_related("owner"))
    strategy_rows = list(Strategy.objects.for_workspace(ws).select_related("owner"))
    tactic_rows = list(Tactic.objects.for_workspace(ws).select_related("owner", "team"))
    goal_rows = list(Goal.objects.for_workspace(ws).select_related("owner").order_by("title", "id"))
    spent_money, spent_hours = _spend_totals(actor)

    goals_by_tactic: dict[int, list[Goal]] = defaultdict(list)
    for goal in goal_rows:
        if goal.tactic_id is not None:
            goals_by_tactic[goal.tactic_id].append(goal)
    tactics_by_strategy: dict[int, list[TacticNode]] = defaultdict(list)
    for tactic in tactic_rows:
        tactics_by_strategy[tactic.strategy_id].append(
            TacticNode(
                tactic,
                goals_by_tactic.get(tactic.pk, []),
                _tactic_budget(tactic, spent_money.get(tactic.pk, {}), spent_hours[tactic.pk]),
            )
        )
    strategies_by_objective: dict[int, list[StrategyNode]] = defaultdict(list)
    by_function = {f: Budget() for f in Function.values}
    for strategy in strategy_rows:
        node = StrategyNode(strategy, tactics_by_strategy.get(strategy.pk, []), Budget())
        for t in node.tactics:
            node.budget.add(t.budget)
        by_function.setdefault(strategy.function, Budget()).add(node.budget)
        strategies_by_objective[strategy.objective_id].append(node)
    nodes, total = [], Budget()
    for objective in objective_rows:
        onode = ObjectiveNode(objective, strategies_by_objective.get(objective.pk, []), Budget())
        for s in onode.strategies:
            onode.budget.add(s.budget)
        total.add(onode.budget)
        nodes.append(onode)
    orphans = [
        Orphan("goal", g.pk, g.title, "goal_without_tactic")
        for g in goal_rows
        if g.tactic_id is None and g.parent_id is None  # a rep's quota hangs from its team goal
    ]
    for onode in nodes:
        if not onode.strategies:
            orphans.append(
                Orphan("objective", onode.objective.pk, onode.objective.title, _OBJ_CODE)
            )
        for snode in onode.strategies:
            if not snode.tactics:
                orphans.append(
                    Orphan("strategy", snode.strategy.pk, snode.strategy.title, _STRAT_CODE)
                )
            for tnode in snode.tactics:
                if not tnode.goals and tnode.tactic.status != TacticStatus.CANCELLED:
                    orphans.append(
                        Orphan("tactic", tnode.tactic.pk, tnode.tactic.title, _TACTIC_CODE)
                    )
    order = {"objective": 0, "strategy": 1, "tactic": 2, "goal": 3}
    orphans.sort(key=lambda o: order[o.kind])
    return PlanTree(
        plan=plan,
        objectives=nodes,
        budget=total,
        by_function=by_function,
        orphans=orphans,
        goals_without_tactic=[g for g in goal_rows if g.tactic_id is None],
    )


_OBJ_CODE = "objective_without_strategies"
_STRAT_CODE = "strategy_without_tactics"
_TACTIC_CODE = "tactic_without_goals"
