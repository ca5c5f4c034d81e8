"""Reading goals (never measuring them: a page shows the stored measurement): the list with its
filters, one goal, its readings and quotas, what the screens and the API show of it (progress,
status and its reason in words, the rule) and its chart's plain numbers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.kpis import Direction, Kpi, Unit, get
from vinculo.core.permissions import require
from vinculo.strategy.goals import rules, wording
from vinculo.strategy.models import Goal, GoalReading, GoalStatus

DAY = 86400
MAX_POINTS = 400


def goals(
    actor: Actor,
    *,
    status: str | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    parent_id: int | None = None,
) -> QuerySet[Goal]:
    """The workspace's goals by deadline, optionally of one status, owner, team or team goal."""
    require(actor, "insights.view")
    qs = Goal.objects.for_workspace(actor.workspace).select_related("owner", "team", "tactic")
    if status:
        qs = qs.filter(status=status)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    return qs


def get_goal(actor: Actor, goal_id: int) -> Goal:
    require(actor, "insights.view")
    found = (
        Goal.objects.for_workspace(actor.workspace)
        .select_related("owner", "team", "tactic", "parent")
        .filter(pk=goal_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No goal has this id in this workspace."))
    return found


def readings(goal: Goal) -> list[GoalReading]:
    return list(GoalReading.objects.filter(goal=goal).order_by("day"))


def quotas(actor: Actor, goal: Goal) -> list[Goal]:
    return list(goals(actor, parent_id=goal.pk).order_by("title", "pk"))


class Shown:
    """A goal as read: its KPI, shape and progress (a share, 1 = there); the values, status and
    reason in words, each worded only when a page or the API reads it (the list of 200 goals
    words four numbers a row, not the reasons)."""

    def __init__(self, goal: Goal) -> None:
        self.goal = goal
        self.kpi: Kpi | None = get(goal.kpi_key)
        self.shape = rules.shape_of(self.kpi, goal.measure) if self.kpi else rules.Shape.LEVEL
        direction = rules.direction_of(self.kpi, self.shape) if self.kpi else Direction.UP
        if self.shape is not rules.Shape.LEVEL and goal.current is not None and goal.target:
            progress: Decimal | None = goal.current / goal.target
        else:
            progress = rules.share(goal.current, goal.target, self.shape, goal.baseline, direction)
        self.progress = None if progress is None else progress.quantize(Decimal("0.0001"))

    @property
    def measured(self) -> bool:
        return self.goal.measured_at is not None

    @property
    def progress_percent(self) -> int:
        """The progress bar's value, 0..100 (a whole number, not localised)."""
        if self.progress is None:
            return 0
        return int(max(Decimal(0), min(Decimal(1), self.progress)) * 100)

    @cached_property
    def progress_text(self) -> str:
        return wording.share_shown(self.progress)

    @cached_property
    def status_label(self) -> str:
        return str(GoalStatus(self.goal.status).label)

    @cached_property
    def reason(self) -> str:
        if not self.measured:
            return _("Not measured yet.")
        return wording.reason_text(self.goal.kpi_key, self.goal.currency, self.goal.status_reason)

    def _value(self, value: Any) -> str:
        return wording.shown(self.kpi, value, self.goal.currency)

    @cached_property
    def current(self) -> str:
        return self._value(self.goal.current)

    @cached_property
    def target(self) -> str:
        return self._value(self.goal.target)

    @cached_property
    def baseline(self) -> str:
        return self._value(self.goal.baseline)

    @cached_property
    def forecast(self) -> str:
        return self._value(self.goal.forecast)


def shown(goal: Goal) -> Shown:
    return Shown(goal)


def plain(kpi: Kpi | None, value: Any) -> float | None:
    """A chart's number: percentages in percent, durations in days, others as they are."""
    if value is None:
        return None
    number = float(value)
    if kpi is not None and kpi.unit is Unit.PERCENT:
        return round(number * 100, 2)
    if kpi is not None and kpi.unit is Unit.DURATION:
        return round(number / DAY, 2)
    return round(number, 2)


def _days(start: date, end: date) -> list[date]:
    total = (end - start).days + 1
    step = max(1, -(-total // MAX_POINTS))
    out = [start + timedelta(days=i) for i in range(0, total, step)]
    return out if out[-1] == end else [*out, end]


def chart(goal: Goal, rows: list[GoalReading]) -> dict[str, Any]:
    """The goal's chart (web/charts.js spec): the readings, the straight line from where it
    starts to the target, and the forecast from the last reading to the deadline."""
    kpi = get(goal.kpi_key)
    s = shown(goal)
    days = _days(goal.starts_on, goal.deadline)
    index = {d: i for i, d in enumerate(days)}
    read: list[float | None] = [None] * len(days)
    for r in rows:
        slot = index.get(r.day)
        if slot is None:  # a day between two points: the next point shows it
            slot = next((i for i, d in enumerate(days) if d >= r.day), None)
        if slot is not None:
            read[slot] = plain(kpi, r.value)
    origin = rules.origin_of(s.shape, goal.baseline)
    span = max(1, (goal.deadline - goal.starts_on).days)
    ideal = [
        plain(kpi, origin + (goal.target - origin) * Decimal((d - goal.starts_on).days) / span)
        for d in days
    ]
    ahead: list[float | None] = [None] * len(days)
    if rows and goal.forecast is not None:
        last = max((i for i, v in enumerate(read) if v is not None), default=None)
        if last is not None and last < len(days) - 1:
            ahead[last], ahead[-1] = read[last], plain(kpi, goal.forecast)
    unit = str(kpi.unit) if kpi else "number"
    return {
        "kind": "line",
        "unit": unit,
        "currency": goal.currency or goal.workspace.default_currency,
        "grain": "day",
        "labels": [d.isoformat() for d in days],
        "names": {"days": _("days")},
        "series": [
            {"name": _("Readings"), "values": read},
            {
                "name": _("Straight line to the target"),
                "values": ideal,
                "dashed": True,
                "color": "#94a3b8",
            },
            {"name": _("Forecast"), "values": ahead, "dashed": True, "color": "#b45309"},
        ],
    }
