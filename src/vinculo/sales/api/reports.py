"""API of the sales reports (``/reports/...``): the pipeline funnel, the sales forecast and
win/loss, as :mod:`vinculo.sales.reports` computes them (mounted by :mod:`vinculo.sales.api`)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.filters.context import workspace_today
from vinculo.core.schemas import ERRORS, Id
from vinculo.sales import reports
from vinculo.sales.reports import Tally, Window

router = Router(tags=["sales"])


class ReportPeriodQuery(Schema):
    from_: date | None = Field(None, alias="from", description="First day (default: 30 days ago).")
    to: date | None = Field(None, description="Last day, inclusive (default: today).")
    pipeline_id: Id | None = Field(None, description="Default: the default pipeline.")


class WinLossQuery(ReportPeriodQuery):
    currency: str | None = Field(None, description="Default: the workspace's.", examples=["BRL"])


class ForecastQuery(Schema):
    pipeline_id: Id | None = Field(None, description="Default: the default pipeline.")
    currency: str | None = Field(None, description="Default: the workspace's.", examples=["BRL"])


class ReportStageRef(Schema):
    id: int
    name: str
    kind: str


class FunnelStepOut(Schema):
    stage: ReportStageRef
    deals: int = Field(description="Deals that reached the stage or went beyond it.")
    from_previous: float | None = Field(description="deals / the previous step's (0-1).")
    overall: float | None = Field(description="deals / every deal created in the period (0-1).")
    median_seconds: float | None = Field(description="Median time in the stage; null: none left.")


class FunnelOut(Schema):
    pipeline_id: int
    start: date
    end: date
    created: int = Field(description="Deals of the pipeline created in the period.")
    steps: list[FunnelStepOut]
    won: FunnelStepOut | None
    lost: FunnelStepOut | None


class ForecastRowOut(Schema):
    key: str = Field(description="YYYY-MM, overdue, later or no_date.")
    month: date | None
    deals: int
    total: Decimal
    weighted: Decimal = Field(description="Amounts times the current stage's probability.")
    historical: Decimal = Field(description="Amounts times the stage's historical win rate.")


class StageRateOut(Schema):
    stage: ReportStageRef
    closed: int
    won: int
    rate: float | None = Field(description="won / closed over the last 12 months (0-1).")
    used: float = Field(description="The rate applied: rate, else the stage's probability.")


class ForecastOut(Schema):
    pipeline_id: int
    currency: str
    today: date
    rows: list[ForecastRowOut]
    totals: ForecastRowOut
    stage_win_rates: list[StageRateOut]


class TallyOut(Schema):
    key: int | str | None
    label: str
    won: int
    lost: int
    won_amount: Decimal
    lost_amount: Decimal
    win_rate: float | None = Field(description="won / (won + lost), 0-1.")


class WinLossOut(Schema):
    pipeline_id: int
    start: date
    end: date
    currency: str = Field(description="Amounts count only the deals in this currency.")
    totals: TallyOut
    lost_reasons: list[TallyOut]
    owners: list[TallyOut]
    sources: list[TallyOut]


def _days(request: HttpRequest, query: ReportPeriodQuery) -> tuple[date, date]:
    end = query.to or workspace_today(actor_of(request))
    return query.from_ or end - timedelta(days=29), end


def _stage(stage: Any) -> dict[str, Any]:
    return {"id": stage.pk, "name": stage.name, "kind": stage.kind}


def _step(step: reports.FunnelStep | None) -> dict[str, Any] | None:
    if step is None:
        return None
    return {
        "stage": _stage(step.stage),
        "deals": step.deals,
        "from_previous": step.from_previous,
        "overall": step.overall,
        "median_seconds": step.median_seconds,
    }


def _period(window: Window) -> dict[str, date]:
    return {"start": window.start, "end": window.end}


def _tally(t: Tally) -> dict[str, Any]:
    return {
        "key": t.key,
        "label": t.label,
        "won": t.won,
        "lost": t.lost,
        "won_amount": t.won_amount,
        "lost_amount": t.lost_amount,
        "win_rate": t.win_rate,
    }


@router.get("/reports/pipeline-funnel", response={200: FunnelOut, **ERRORS})
def pipeline_funnel(request: HttpRequest, query: Query[ReportPeriodQuery]) -> dict[str, Any]:
    """The deals created in the period, stage by stage (422 `to` before `from`)."""
    start, end = _days(request, query)
    f = reports.pipeline_funnel(
        actor_of(request), pipeline_id=query.pipeline_id, start=start, end=end
    )
    return {
        "pipeline_id": f.pipeline.pk,
        **_period(f.window),
        "created": f.created,
        "steps": [_step(s) for s in f.steps],
        "won": _step(f.won),
        "lost": _step(f.lost),
    }


def _row(row: reports.ForecastRow) -> dict[str, Any]:
    return {
        "key": row.key,
        "month": row.month,
        "deals": row.deals,
        "total": row.total,
        "weighted": row.weighted,
        "historical": row.historical,
    }


@router.get("/reports/sales-forecast", response={200: ForecastOut, **ERRORS})
def sales_forecast(request: HttpRequest, query: Query[ForecastQuery]) -> dict[str, Any]:
    """Open deals by expected close month, plain and weighted two ways."""
    f = reports.sales_forecast(
        actor_of(request), pipeline_id=query.pipeline_id, currency=query.currency
    )
    return {
        "pipeline_id": f.pipeline.pk,
        "currency": f.currency,
        "today": f.today,
        "rows": [_row(r) for r in f.rows],
        "totals": _row(f.totals),
        "stage_win_rates": [
            {
                "stage": _stage(r.stage),
                "closed": r.closed,
                "won": r.won,
                "rate": r.rate,
                "used": r.used,
            }
            for r in f.rates
        ],
    }


@router.get("/reports/win-loss", response={200: WinLossOut, **ERRORS})
def win_loss(request: HttpRequest, query: Query[WinLossQuery]) -> dict[str, Any]:
    """Deals closed in the period: won against lost, lost by reason, win rate by owner and
    source (422 `to` before `from`, `currency` not three letters)."""
    start, end = _days(request, query)
    w = reports.win_loss(
        actor_of(request),
        pipeline_id=query.pipeline_id,
        start=start,
        end=end,
        currency=query.currency,
    )
    return {
        "pipeline_id": w.pipeline.pk,
        **_period(w.window),
        "currency": w.currency,
        "totals": _tally(w.totals),
        "lost_reasons": [_tally(t) for t in w.reasons],
        "owners": [_tally(t) for t in w.owners],
        "sources": [_tally(t) for t in w.sources],
    }
