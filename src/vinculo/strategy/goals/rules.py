"""The arithmetic of a goal, without the database: its shape, progress, forecast and status
(docs/goals.md says the same in words, with these constants).

A goal has one of three shapes:

- **total**: a count or sum (an additive KPI) accumulated since the start, good when it goes
  up (deals won this quarter). Progress starts at 0: ``current / target``.
- **ceiling**: the same accumulation for a KPI whose good direction is down (customers
  churned this quarter): the target is a ceiling not to pass by the deadline; progress is the
  share of it used, ``current / target``.
- **level**: anything else, a level to move from the baseline to the target (win rate over
  the last 90 days, median lead response time): ``(current - baseline) / (target -
  baseline)``, whichever way is good.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from vinculo.core.kpis import Aggregate, Direction, Kpi, Unit
from vinculo.strategy.models import GoalMeasure, GoalStatus

# A forecast at least this share of the way to the target is "at risk" (below: "off track");
# for a ceiling, a forecast at most this much over it (1 / 0.9 would be the mirror; 10 % is
# what a reader expects).
AT_RISK_SHARE = Decimal("0.9")
CEILING_MARGIN = Decimal("0.1")
# The first days of a goal are too early to judge: on track ("too early to say") unless reached.
TOO_EARLY_DAYS = 7
# The trend is the least-squares slope of the readings of the last TREND_DAYS days; with fewer
# than MIN_READINGS of them: a total's run rate since the start, a level's current value.
TREND_DAYS = 28
MIN_READINGS = 3
# The aggregates a team goal may add up from its quotas (a record has one owner).
ROLL_UP = frozenset({Aggregate.COUNT, Aggregate.SUM, Aggregate.DISTINCT})
# The aggregates whose days add up to the period (readings can be filled in from a daily series).
DAILY_ADDITIVE = frozenset({Aggregate.COUNT, Aggregate.SUM})
ZERO = Decimal(0)


class Shape(StrEnum):
    TOTAL = "total"
    CEILING = "ceiling"
    LEVEL = "level"


def rolls_up(kpi: Kpi) -> bool:
    """A KPI whose values per rep add up to the team's: counts, sums, distinct counts."""
    return kpi.aggregate in ROLL_UP and kpi.compute is None


def shape_of(kpi: Kpi, measure: str) -> Shape:
    if measure == GoalMeasure.CUMULATIVE and rolls_up(kpi) and not kpi.is_snapshot:
        return Shape.CEILING if kpi.good is Direction.DOWN else Shape.TOTAL
    return Shape.LEVEL


def direction_of(kpi: Kpi, shape: Shape) -> Direction:
    return Direction.UP if shape is Shape.TOTAL else kpi.good


def number(value: Any) -> Decimal | None:
    """A KPI's value as a Decimal (durations are seconds, shares 0..1), None for nothing."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.0001"))


def reached(value: Decimal | None, target: Decimal, direction: Direction) -> bool:
    if value is None:
        return False
    return value >= target if direction is Direction.UP else value <= target


def origin_of(shape: Shape, baseline: Decimal | None) -> Decimal:
    """Where progress is counted from: 0 for totals and ceilings, the baseline for levels (0
    when there was nothing to measure before the start)."""
    if shape is Shape.LEVEL and baseline is not None:
        return baseline
    return ZERO


def share(value: Decimal | None, target: Decimal, shape: Shape, baseline: Decimal | None,
          direction: Direction) -> Decimal | None:  # fmt: skip
    """How far ``value`` is along the way to the target (1 = there), None for no value."""
    if value is None:
        return None
    origin = origin_of(shape, baseline)
    if target == origin:
        return Decimal(1) if reached(value, target, direction) else ZERO
    return ((value - origin) / (target - origin)).quantize(Decimal("0.0001"))


def slope(readings: Sequence[tuple[date, Decimal | None]], until: date) -> Decimal | None:
    """The least-squares slope (per day) of the readings of the TREND_DAYS days to ``until``;
    None with fewer than MIN_READINGS of them."""
    since = until - timedelta(days=TREND_DAYS - 1)
    points = [
        ((d - since).days, float(v)) for d, v in readings if v is not None and since <= d <= until
    ]
    if len(points) < MIN_READINGS:
        return None
    n = len(points)
    mean_x = sum(x for x, _y in points) / n
    mean_y = sum(y for _x, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _y in points)
    if spread == 0:
        return None
    b = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
    return Decimal(str(round(b, 6)))


def bounded(kpi: Kpi, value: Decimal) -> Decimal:
    """A level's forecast kept to what the KPI can be: never below 0, a share at most 1."""
    value = max(value, ZERO)
    if kpi.unit is Unit.PERCENT:
        value = min(value, Decimal(1))
    return value


def forecast(
    kpi: Kpi,
    shape: Shape,
    current: Decimal | None,
    readings: Sequence[tuple[date, Decimal | None]],
    *,
    starts_on: date,
    deadline: date,
    day: date,
) -> Decimal | None:
    """The value expected at the deadline, measured on ``day`` (≤ deadline): the current value
    plus the trend's slope times the days left. Totals and ceilings: the slope of the cumulative
    readings (never negative), else the run rate since the start (``current / elapsed days``);
    levels: the slope of the readings (else flat), the result bounded."""
    if current is None:
        return None
    left = (deadline - day).days
    if left <= 0:
        return current
    per_day = slope(readings, day)
    if shape is Shape.LEVEL:
        if per_day is None:
            return current
        return bounded(kpi, current + per_day * left).quantize(Decimal("0.0001"))
    if per_day is None:
        per_day = current / ((day - starts_on).days + 1)
    return (current + max(per_day, ZERO) * left).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class Judgement:
    status: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def reason(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


def _s(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def judge(
    *,
    shape: Shape,
    direction: Direction,
    target: Decimal,
    baseline: Decimal | None,
    current: Decimal | None,
    forecast_value: Decimal | None,
    starts_on: date,
    deadline: date,
    today: date,
) -> Judgement:
    """The status and its reason, in this order: not started before the start; after the
    deadline achieved or missed; a ceiling already passed is off track; a target reached is
    achieved; the first TOO_EARLY_DAYS days are too early to say (on track); then the forecast:
    reaching the target on track, AT_RISK_SHARE of the way (a ceiling: at most CEILING_MARGIN
    over) at risk, else off track."""
    numbers = {"target": _s(target), "current": _s(current), "deadline": deadline.isoformat()}
    if today < starts_on:
        return Judgement(
            GoalStatus.NOT_STARTED, "not_started", {"starts_on": starts_on.isoformat()}
        )
    if current is None:
        return Judgement(GoalStatus.ON_TRACK, "no_value", numbers)
    if today > deadline:
        if reached(current, target, direction):
            return Judgement(GoalStatus.ACHIEVED, "achieved_by_deadline", numbers)
        return Judgement(GoalStatus.MISSED, "missed", numbers)
    if shape is Shape.CEILING and current > target:
        return Judgement(GoalStatus.OFF_TRACK, "ceiling_passed", numbers)
    if shape is not Shape.CEILING and reached(current, target, direction):
        return Judgement(GoalStatus.ACHIEVED, "reached", numbers)
    elapsed = (today - starts_on).days + 1
    if elapsed < TOO_EARLY_DAYS:
        return Judgement(GoalStatus.ON_TRACK, "too_early", numbers | {"days": TOO_EARLY_DAYS})
    numbers["forecast"] = _s(forecast_value)
    if shape is Shape.CEILING:
        limit = (target * (1 + CEILING_MARGIN)).quantize(Decimal("0.0001"))
        numbers["limit"] = _s(limit)
        if forecast_value is None or forecast_value <= target:
            return Judgement(GoalStatus.ON_TRACK, "forecast_under_ceiling", numbers)
        if forecast_value <= limit:
            return Judgement(GoalStatus.AT_RISK, "forecast_near_ceiling", numbers)
        return Judgement(GoalStatus.OFF_TRACK, "forecast_over_ceiling", numbers)
    if reached(forecast_value, target, direction):
        return Judgement(GoalStatus.ON_TRACK, "forecast_reaches", numbers)
    way = share(forecast_value, target, shape, baseline, direction)
    numbers |= {"share": _s(way), "threshold": _s(AT_RISK_SHARE)}
    if way is not None and way >= AT_RISK_SHARE:
        return Judgement(GoalStatus.AT_RISK, "forecast_short", numbers)
    return Judgement(GoalStatus.OFF_TRACK, "forecast_far", numbers)
