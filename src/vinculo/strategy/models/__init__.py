"""The strategy app's tables, one module per part: the plan (objectives, strategies,
tactics, budgets), goals, customer-experience gaps and the touchpoint map, the glossary."""

from vinculo.strategy.models.experience import (
    Gap,
    GapStatus,
    PolicyKind,
    PolicyUnit,
    Touchpoint,
    TouchpointChannel,
)
from vinculo.strategy.models.glossary import GlossaryTerm
from vinculo.strategy.models.goals import Goal, GoalMeasure, GoalReading, GoalStatus
from vinculo.strategy.models.plan import (
    Function,
    Objective,
    ObjectiveKind,
    Plan,
    PlanVersion,
    Strategy,
    Tactic,
    TacticSpend,
    TacticStatus,
)
from vinculo.strategy.models.reviews import Decision, Review, ReviewStatus

__all__ = [
    "Decision",
    "Function",
    "Gap",
    "GapStatus",
    "GlossaryTerm",
    "Goal",
    "GoalMeasure",
    "GoalReading",
    "GoalStatus",
    "Objective",
    "ObjectiveKind",
    "Plan",
    "PlanVersion",
    "PolicyKind",
    "PolicyUnit",
    "Review",
    "ReviewStatus",
    "Strategy",
    "Tactic",
    "TacticSpend",
    "TacticStatus",
    "Touchpoint",
    "TouchpointChannel",
]
