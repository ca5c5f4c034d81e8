"""The sales reports of the Insights screens and the API (issue 18 "Reports"): pure reads of the
actor's workspace, one pipeline at a time, money in one currency at a time (the workspace's
default unless asked), periods as first and last day in the workspace's time zone.

    pipeline_funnel   deals created in a period: how far they went, stage by stage
    sales_forecast    open deals by expected close month, plain and weighted two ways
    win_loss          deals closed in a period: won against lost, why lost, win rate by cut

The definitions are in docs/kpis.md ("Reports")."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters.context import workspace_today, workspace_tz
from vinculo.core.kpis.engine import check_days, moment
from vinculo.core.permissions import require
from vinculo.core.tenancy import User
from vinculo.sales.models import Deal, DealStatus, Pipeline, Stage, StageChange, StageKind
from vinculo.sales.selectors import get_pipeline, pipelines

FORECAST_MONTHS = 6
WIN_RATE_DAYS = 365  # the history a stage's win rate is measured over
CENTS = Decimal("0.01")


# --- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A period of whole days in the workspace's time zone: ``since`` included, ``until`` not."""

    start: date
    end: date
    since: datetime
    until: datetime


def window(actor: Actor, start: date, end: date) -> Window:
    """The moments of ``start``..``end`` (both included); 422 ``to`` when the end comes first,
    ``from`` beyond three years."""
    check_days(start, end)
    tz = workspace_tz(actor)
    return Window(start, end, moment(start, tz), moment(end + timedelta(days=1), tz))


def pick_pipeline(actor: Actor, pipeline_id: int | None) -> Pipeline:
    """The asked pipeline (404 outside the workspace), else the default one, else the first."""
    if pipeline_id is not None:
        return get_pipeline(actor, pipeline_id)
    qs = pipelines(actor).order_by("-is_default", "position", "id")
    found = qs.first() or pipelines(actor, include_archived=True).order_by("position", "id").first()
    if found is None:
        raise ValidationFailed.field("pipeline_id", _("The workspace has no pipeline."), "missing")
    return found


def pick_currency(actor: Actor, currency: str | None) -> str:
    """The asked currency (three letters, upper case), else the workspace's default."""
    code = (currency or "").strip().upper()
    if not code:
        return str(actor.workspace.default_currency)
    if len(code) != 3 or not code.isalpha():
        raise ValidationFailed.field(
            "currency", _("Give a currency as three letters, such as BRL."), "invalid"
        )
    return code


def _live(actor: Actor, pipeline: Pipeline) -> QuerySet[Deal]:
    return Deal.objects.for_workspace(actor.workspace).filter(
        pipeline=pipeline, deleted_at__isnull=True
    )


def _stages(pipeline: Pipeline) -> list[Stage]:
    return list(Stage.objects.filter(pipeline=pipeline).order_by("position", "id"))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- the funnel ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStep:
    stage: Stage
    deals: int  # reached the stage or went beyond it (won deals went beyond every open stage)
    from_previous: float | None  # deals / the previous step's deals
    overall: float | None  # deals / every deal created in the period
    median_seconds: float | None  # median time in the stage, of the moves out of it


@dataclass(frozen=True)
class Funnel:
    pipeline: Pipeline
    window: Window
    created: int
    steps: list[FunnelStep]
    won: FunnelStep | None
    lost: FunnelStep | None


def pipeline_funnel(actor: Actor, *, pipeline_id: int | None, start: date, end: date) -> Funnel:
    """How far the deals created in the period went: per open stage in order, how many were in
    it or a later open stage at some moment (history and current stage) or were won; the
    conversion from the step before and from every deal created; the median time spent in the
    stage; then how many were won and lost."""
    require(actor, "insights.view")
    period = window(actor, start, end)
    pipeline = pick_pipeline(actor, pipeline_id)
    stages = _stages(pipeline)
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    rank = {s.pk: i for i, s in enumerate(open_stages)}
    created = _live(actor, pipeline).filter(
        created_at__gte=period.since, created_at__lt=period.until
    )
    deals = list(created.values_list("pk", "stage_id", "status"))
    furthest = {pk: rank.get(stage_id, -1) for pk, stage_id, _status in deals}
    # A subquery, not a list of ids: a long period may hold more deals than SQL parameters.
    # In no order (their order changes neither a maximum nor a median): SQLite would sort them.
    changes = (
        StageChange.objects.for_workspace(actor.workspace)
        .filter(deal_id__in=created.values("pk"))
        .order_by()
    )
    seconds: dict[int, list[int]] = defaultdict(list)
    for deal_id, from_id, to_id, spent in changes.values_list(
        "deal_id", "from_stage_id", "to_stage_id", "seconds_in_previous"
    ):
        furthest[deal_id] = max(furthest[deal_id], rank.get(to_id, -1))
        if from_id in rank and spent is not None:
            seconds[from_id].append(spent)
    status = {pk: s for pk, _stage, s in deals}
    for pk, s in status.items():
        if s == DealStatus.WON:
            furthest[pk] = len(open_stages)
    steps: list[FunnelStep] = []
    previous = len(deals)
    for i, stage in enumerate(open_stages):
        count = sum(1 for f in furthest.values() if f >= i)
        median = statistics.median(seconds[stage.pk]) if seconds[stage.pk] else None
        steps.append(
            FunnelStep(stage, count, _rate(count, previous), _rate(count, len(deals)), median)
        )
        previous = count
    ends: dict[str, FunnelStep | None] = {}
    for kind, wanted in ((StageKind.WON, DealStatus.WON), (StageKind.LOST, DealStatus.LOST)):
        end_stage = next((s for s in stages if s.kind == kind), None)
        count = sum(1 for s in status.values() if s == wanted)
        base = previous if kind == StageKind.WON else len(deals)
        ends[kind] = (
            FunnelStep(end_stage, count, _rate(count, base), _rate(count, len(deals)), None)
            if end_stage
            else None
        )
    return Funnel(pipeline, period, len(deals), steps, ends[StageKind.WON], ends[StageKind.LOST])


# --- the forecast -------------------------------------------------------------------------------

OVERDUE = "overdue"
NO_DATE = "no_date"
LATER = "later"


@dataclass
class ForecastRow:
    key: str  # YYYY-MM, or overdue, no_date, later
    month: date | None  # the first day of the month
    deals: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)  # by the current stage's probability
    historical: Decimal = Decimal(0)  # by the current stage's historical win rate


@dataclass(frozen=True)
class StageRate:
    stage: Stage
    closed: int  # deals that were in the stage and closed in the last 12 months
    won: int
    rate: float | None  # won / closed
    used: float  # the rate applied: rate, or the stage's probability when nothing closed


@dataclass(frozen=True)
class Forecast:
    pipeline: Pipeline
    currency: str
    today: date
    rows: list[ForecastRow]
    totals: ForecastRow
    rates: list[StageRate] = field(default_factory=list)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def stage_win_rates(actor: Actor, pipeline: Pipeline, now: datetime) -> list[StageRate]:
    """Per open stage: of the deals of the pipeline that were in it and closed in the last
    ``WIN_RATE_DAYS`` days, the share won."""
    since = now - timedelta(days=WIN_RATE_DAYS)
    closed_deals = _live(actor, pipeline).filter(
        status__in=[DealStatus.WON, DealStatus.LOST], closed_at__gte=since
    )
    closed = dict(closed_deals.values_list("pk", "status"))
    visited: dict[int, set[int]] = defaultdict(set)
    for deal_id, to_id, from_id in (
        StageChange.objects.for_workspace(actor.workspace)
        .filter(deal_id__in=closed_deals.values("pk"))
        .values_list("deal_id", "to_stage_id", "from_stage_id")
    ):
        for stage_id in (to_id, from_id):
            if stage_id is not None:
                visited[stage_id].add(deal_id)
    out = []
    for stage in _stages(pipeline):
        if stage.kind != StageKind.OPEN:
            continue
        ids = visited.get(stage.pk, set())
        won = sum(1 for pk in ids if closed[pk] == DealStatus.WON)
        rate = _rate(won, len(ids))
        out.append(
            StageRate(
                stage, len(ids), won, rate, rate if rate is not None else stage.probability / 100
            )
        )
    return out


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENTS)


def sales_forecast(
    actor: Actor, *, pipeline_id: int | None, currency: str | None = None
) -> Forecast:
    """The open deals of a pipeline in one currency by expected close month: overdue (before
    today), this month and the five after it, later, and no date; per group the total amount,
    the amount weighted by the current stage's probability and by its historical win rate."""
    require(actor, "insights.view")
    pipeline = pick_pipeline(actor, pipeline_id)
    code = pick_currency(actor, currency)
    day = workspace_today(actor)
    first = day.replace(day=1)
    rows = {OVERDUE: ForecastRow(OVERDUE, None)}
    for i in range(FORECAST_MONTHS):
        month = _add_months(first, i)
        rows[month.strftime("%Y-%m")] = ForecastRow(month.strftime("%Y-%m"), month)
    rows[LATER] = ForecastRow(LATER, None)
    rows[NO_DATE] = ForecastRow(NO_DATE, None)
    rates = stage_win_rates(actor, pipeline, timezone.now())
    used = {r.stage.pk: Decimal(str(r.used)) for r in rates}
    totals = ForecastRow("total", None)
    deals = (
        _live(actor, pipeline).filter(status=DealStatus.OPEN, currency=code).select_related("stage")
    )
    for deal in deals:
        expected = deal.expected_close_date
        if expected is None:
            key = NO_DATE
        elif expected < day:
            key = OVERDUE
        elif expected >= _add_months(first, FORECAST_MONTHS):
            key = LATER
        else:
            key = expected.strftime("%Y-%m")
        amount = deal.amount
        weighted = amount * deal.stage.probability / 100
        historical = amount * used.get(deal.stage_id, Decimal(deal.stage.probability) / 100)
        for row in (rows[key], totals):
            row.deals += 1
            row.total += amount
            row.weighted += weighted
            row.historical += historical
    for row in [*rows.values(), totals]:
        row.total, row.weighted = _cents(row.total), _cents(row.weighted)
        row.historical = _cents(row.historical)
    return Forecast(pipeline, code, day, list(rows.values()), totals, rates)


# --- win/loss -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Won and lost deals of a group (amounts in the report's currency only)."""

    key: Any
    label: str
    won: int = 0
    lost: int = 0
    won_amount: Decimal = Decimal(0)
    lost_amount: Decimal = Decimal(0)

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        return _rate(self.won, self.closed)


@dataclass(frozen=True)
class WinLoss:
    pipeline: Pipeline
    window: Window
    currency: str
    totals: Tally
    reasons: list[Tally]  # lost deals only, the most first
    owners: list[Tally]
    sources: list[Tally]


def _tallied(groups: dict[Any, Tally]) -> list[Tally]:
    return sorted(groups.values(), key=lambda t: (-t.closed, -t.won, t.label))


def win_loss(
    actor: Actor,
    *,
    pipeline_id: int | None,
    start: date,
    end: date,
    currency: str | None = None,
) -> WinLoss:
    """The deals of a pipeline closed (won or lost) in the period: counts of every deal, money
    of those in the report's currency; lost by lost reason; win rate by owner and by source."""
    require(actor, "insights.view")
    period = window(actor, start, end)
    pipeline = pick_pipeline(actor, pipeline_id)
    code = pick_currency(actor, currency)
    deals = (
        _live(actor, pipeline)
        .filter(
            status__in=[DealStatus.WON, DealStatus.LOST],
            closed_at__gte=period.since,
            closed_at__lt=period.until,
        )
        .select_related("lost_reason")
    )
    totals = Tally("total", _("Every closed deal"))
    reasons: dict[Any, Tally] = {}
    owners: dict[Any, Tally] = {}
    sources: dict[Any, Tally] = {}
    for deal in deals:
        won = deal.status == DealStatus.WON
        amount = deal.amount if deal.currency.upper() == code else Decimal(0)
        groups = [
            totals,
            owners.setdefault(deal.owner_id, Tally(deal.owner_id, "")),
            sources.setdefault(deal.source, Tally(deal.source, deal.source or _("No source"))),
        ]
        if not won:
            reason = deal.lost_reason
            label = reason.display if reason else _("No reason given")
            groups.append(reasons.setdefault(reason.pk if reason else None, Tally(None, label)))
            groups[-1].key = reason.pk if reason else None
        for tally in groups:
            if won:
                tally.won += 1
                tally.won_amount += amount
            else:
                tally.lost += 1
                tally.lost_amount += amount
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=[k for k in owners if k is not None])}
    for key, tally in owners.items():
        tally.label = names.get(key, _("No owner"))
    return WinLoss(
        pipeline, period, code, totals, _tallied(reasons), _tallied(owners), _tallied(sources)
    )
