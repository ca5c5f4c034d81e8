"""The plan API's schemas (names start with "Plan": unique across the apps' OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from vinculo.core.schemas import Id

Number = str | int | float  # a decimal, sent as a string or a JSON number


class PlanMoneyOut(Schema):
    currency: str
    planned: str
    spent: str
    left: str
    percent: float | None = Field(description="Spent as a share of planned (None: no plan).")


class PlanHoursOut(Schema):
    planned: str
    spent: str
    left: str
    percent: float | None


class PlanBudgetOut(Schema):
    money: list[PlanMoneyOut] = Field(description="One row per currency, never added across.")
    hours: PlanHoursOut


class PlanPersonOut(Schema):
    id: int
    name: str


class PlanGoalOut(Schema):
    id: int
    title: str
    kpi_key: str
    status: str
    status_label: str
    current: str | None = Field(description="The last measurement's value (stored).")
    target: str
    deadline: date
    owner: PlanPersonOut | None


class PlanObjectiveOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    kind_label: str
    new_customers: int | None
    customer_value: str | None
    customer_value_source: str
    cost_reduced: str | None
    currency: str
    target_value: str | None = Field(description="New customers times their value, or cost.")
    owner_id: int | None
    due_on: date | None
    position: int


class PlanStrategyOut(Schema):
    id: int
    objective_id: int
    function: str
    function_label: str
    title: str
    description: str
    owner_id: int | None
    position: int


class PlanTacticOut(Schema):
    id: int
    strategy_id: int
    title: str
    description: str
    owner_id: int | None
    team_id: int | None
    budget_amount: str | None
    budget_currency: str
    budget_hours: str | None
    starts_on: date | None
    ends_on: date | None
    status: str
    status_label: str
    position: int


class PlanTeamOut(Schema):
    id: int
    name: str


class PlanTacticNodeOut(PlanTacticOut):
    owner: PlanPersonOut | None
    team: PlanTeamOut | None
    budget: PlanBudgetOut
    goals: list[PlanGoalOut]


class PlanStrategyNodeOut(PlanStrategyOut):
    owner: PlanPersonOut | None
    budget: PlanBudgetOut
    tactics: list[PlanTacticNodeOut]


class PlanObjectiveNodeOut(PlanObjectiveOut):
    owner: PlanPersonOut | None
    budget: PlanBudgetOut
    strategies: list[PlanStrategyNodeOut]


class PlanHeadOut(Schema):
    id: int | None = Field(description="None until the first item is added.")
    title: str
    summary: str
    version: int
    review_every_months: int
    next_review_on: date | None


class PlanFunctionBudgetOut(Schema):
    function: str
    budget: PlanBudgetOut


class PlanOrphanOut(Schema):
    kind: str = Field(description="goal, tactic, strategy or objective")
    id: int
    title: str
    code: str
    why: str = Field(description="Why it matters, in the request's language.")


class PlanOut(Schema):
    plan: PlanHeadOut
    objectives: list[PlanObjectiveNodeOut]
    totals: PlanBudgetOut
    by_function: list[PlanFunctionBudgetOut]
    orphans: list[PlanOrphanOut]
    goals_without_tactic: list[PlanGoalOut]


class PlanPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    summary: str | None = None
    review_every_months: int | None = None
    next_review_on: date | str | None = None


class PlanObjectiveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    description: str = ""
    kind: str = "other"
    new_customers: int | None = None
    customer_value: Number | None = None
    customer_value_source: str = Field("", description="average_clv, … or empty (typed in).")
    cost_reduced: Number | None = None
    currency: str = Field("", description="Default: the workspace's currency.")
    owner_id: Id | None = None
    due_on: date | str | None = None


class PlanObjectivePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    description: str | None = None
    kind: str | None = None
    new_customers: int | None = None
    customer_value: Number | None = None
    customer_value_source: str | None = None
    cost_reduced: Number | None = None
    currency: str | None = None
    owner_id: Id | None = None
    due_on: date | str | None = None


class PlanStrategyIn(Schema):
    model_config = ConfigDict(extra="forbid")

    objective_id: Id
    function: str = Field(description="marketing, sales, service or management")
    title: str
    description: str = ""
    owner_id: Id | None = None


class PlanStrategyPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    objective_id: Id | None = None
    function: str | None = None
    title: str | None = None
    description: str | None = None
    owner_id: Id | None = None


class PlanTacticIn(Schema):
    model_config = ConfigDict(extra="forbid")

    strategy_id: Id
    title: str
    description: str = ""
    owner_id: Id | None = None
    team_id: Id | None = None
    budget_amount: Number | None = None
    budget_currency: str = Field("", description="Default: the workspace's, with an amount.")
    budget_hours: Number | None = None
    starts_on: date | str | None = None
    ends_on: date | str | None = None
    status: str = "planned"


class PlanTacticPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    strategy_id: Id | None = None
    title: str | None = None
    description: str | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    budget_amount: Number | None = None
    budget_currency: str | None = None
    budget_hours: Number | None = None
    starts_on: date | str | None = None
    ends_on: date | str | None = None
    status: str | None = None


class PlanReorderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    ids: list[Any] = Field(description="Every sibling's id, each once, in the new order.")


class PlanSpendIn(Schema):
    model_config = ConfigDict(extra="forbid")

    spent_on: date | str
    amount: Number | None = None
    currency: str = Field("", description="Default: the budget's. Another is converted.")
    hours: Number | None = None
    note: str = ""


class PlanSpendOut(Schema):
    id: int
    tactic_id: int
    spent_on: date
    amount: str | None = Field(description="In the budget's currency.")
    currency: str
    hours: str | None
    note: str
    entered_amount: str | None = Field(description="As typed, when converted.")
    entered_currency: str
    rate: str | None
    created_at: datetime


class PlanVersionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = ""


class PlanVersionOut(Schema):
    number: int
    note: str
    created_at: datetime
    created_by: PlanPersonOut | None


class PlanVersionDetailOut(PlanVersionOut):
    snapshot: dict[str, Any]


class PlanDiffItemOut(Schema):
    kind: str
    id: int
    title: str


class PlanDiffFieldOut(Schema):
    field: str
    old: Any
    new: Any


class PlanDiffChangedOut(PlanDiffItemOut):
    fields: list[PlanDiffFieldOut]


class PlanDiffOut(Schema):
    from_number: int
    to_number: int | None = Field(description="None: the plan as it is now.")
    added: list[PlanDiffItemOut]
    removed: list[PlanDiffItemOut]
    changed: list[PlanDiffChangedOut]


class PlanCalculatorOptionOut(Schema):
    key: str
    name: str
    definition: str
    value: str | None


class PlanCalculatorOut(Schema):
    currency: str
    start: date
    end: date
    options: list[PlanCalculatorOptionOut]
    used: str | None = Field(description="The KPI whose value is suggested (None: no data).")
    value: str | None
