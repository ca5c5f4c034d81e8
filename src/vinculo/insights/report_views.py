"""The sales reports' screens at ``/insights/reports/<name>/``: the pipeline funnel, the sales
forecast and win/loss, as :mod:`vinculo.sales.reports` computes them. Each has a chart (drawn by
``insights/charts.js`` from the numbers given with ``json_script``) and a table saying the same
in words. Input the page cannot use is said on the page (400), never a 500."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.core.formats import format_duration, format_money, format_number, format_percent
from vinculo.core.permissions import require
from vinculo.core.ui import actor, workspace_view
from vinculo.insights import presenting
from vinculo.insights.periods import CUSTOM, PRESETS, read_period
from vinculo.sales import reports, selectors

FUNNEL, FORECAST, WIN_LOSS = "pipeline-funnel", "sales-forecast", "win-loss"
COHORTS, ACTIVITY = "cohort-retention", "activity-per-rep"  # insights.report_screens
ADOPTION = "adoption"  # insights.adoption_views
SALES = (FUNNEL, FORECAST, WIN_LOSS)


@dataclass(frozen=True)
class Report:
    name: str
    title: Any
    summary: Any
    dated: bool  # asks for a period
    money: bool  # asks for a currency


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            FUNNEL,
            gettext_lazy("Pipeline funnel"),
            gettext_lazy(
                "The deals created in the period, stage by stage: how many reached each stage "
                "or went beyond it, the conversion and the median time spent in the stage."
            ),
            dated=True,
            money=False,
        ),
        Report(
            FORECAST,
            gettext_lazy("Sales forecast"),
            gettext_lazy(
                "The open deals by expected close month: their total, weighted by the stage's "
                "probability and weighted by the stage's win rate over the last 12 months."
            ),
            dated=False,
            money=True,
        ),
        Report(
            WIN_LOSS,
            gettext_lazy("Win/loss"),
            gettext_lazy(
                "The deals closed in the period: won against lost, why they were lost, and the "
                "win rate by owner and by source."
            ),
            dated=True,
            money=True,
        ),
        Report(
            COHORTS,
            gettext_lazy("Cohort retention"),
            gettext_lazy(
                "Customers grouped by the month they first bought or became customers: the "
                "share of each group retained month after month."
            ),
            dated=False,
            money=True,
        ),
        Report(
            ACTIVITY,
            gettext_lazy("Activity per rep"),
            gettext_lazy(
                "Calls, meetings, emails and notes logged by each member in the period, and the "
                "tasks they completed or let pass their due date."
            ),
            dated=True,
            money=False,
        ),
        Report(
            ADOPTION,
            gettext_lazy("Adoption"),
            gettext_lazy(
                "Who uses the CRM: activities logged, records created and updated, tasks done on "
                "time and the completeness of the records each member owns, per member and team."
            ),
            dated=True,
            money=False,
        ),
    )
}


def report_url(name: str) -> str:
    """A report's screen (the adoption report has its own address)."""
    if name == ADOPTION:
        return reverse("insights:adoption")
    return reverse("insights:report", args=[name])


def _percent(value: float | None) -> str:
    if value is None:
        return presenting.NOTHING
    return format_percent(round(Decimal(str(value)) * 100, 1))


def _plain_percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def read_pipeline_id(raw: str, errors: dict[str, list[str]]) -> int | None:
    if not raw.strip():
        return None
    try:
        return int(raw)
    except ValueError:
        errors["pipeline"] = [_("Choose a pipeline from the list.")]
        return None


def _funnel(a: Actor, days: tuple[date, date], pipeline_id: int | None) -> dict[str, Any]:
    f = reports.pipeline_funnel(a, pipeline_id=pipeline_id, start=days[0], end=days[1])
    steps = [*f.steps, *(s for s in (f.won, f.lost) if s is not None)]
    rows = [
        {
            "name": s.stage.name,
            "kind": s.stage.kind,
            "deals": format_number(s.deals),
            "from_previous": _percent(s.from_previous),
            "overall": _percent(s.overall),
            "median": format_duration(s.median_seconds)
            if s.median_seconds is not None
            else presenting.NOTHING,
        }
        for s in steps
    ]
    chart = {
        "report": FUNNEL,
        "unit": "count",
        "names": {"deals": _("Deals")},
        "steps": [{"label": s.stage.name, "value": s.deals} for s in steps],
    }
    return {"funnel": f, "pipeline": f.pipeline, "rows": rows, "chart_data": chart}


def _month_label(row: reports.ForecastRow) -> str:
    labels = {
        reports.OVERDUE: pgettext("expected close", "Overdue"),
        reports.LATER: pgettext("expected close", "Later"),
        reports.NO_DATE: pgettext("expected close", "No date"),
    }
    if row.month is not None:
        return date_format(row.month, "YEAR_MONTH_FORMAT")
    return str(labels.get(row.key, row.key))


def _forecast(a: Actor, pipeline_id: int | None, currency: str) -> dict[str, Any]:
    f = reports.sales_forecast(a, pipeline_id=pipeline_id, currency=currency or None)

    def money(value: Decimal) -> str:
        return format_money(value, f.currency)

    rows = [
        {
            "label": _month_label(r),
            "deals": format_number(r.deals),
            "total": money(r.total),
            "weighted": money(r.weighted),
            "historical": money(r.historical),
        }
        for r in [*f.rows, f.totals]
    ]
    rates = [
        {
            "name": r.stage.name,
            "closed": format_number(r.closed),
            "won": format_number(r.won),
            "rate": _percent(r.rate),
            "used": _percent(r.used),
        }
        for r in f.rates
    ]
    chart = {
        "report": FORECAST,
        "unit": "money",
        "currency": f.currency,
        "names": {
            "total": _("Total"),
            "weighted": _("Weighted by probability"),
            "historical": _("Weighted by win rate"),
        },
        "labels": [_month_label(r) for r in f.rows],
        "total": [float(r.total) for r in f.rows],
        "weighted": [float(r.weighted) for r in f.rows],
        "historical": [float(r.historical) for r in f.rows],
    }
    return {
        "forecast": f,
        "pipeline": f.pipeline,
        "currency": f.currency,
        "rows": rows,
        "rates": rates,
        "chart_data": chart,
    }


def _tally_rows(tallies: list[reports.Tally], currency: str) -> list[dict[str, str]]:
    return [
        {
            "label": t.label,
            "won": format_number(t.won),
            "lost": format_number(t.lost),
            "won_amount": format_money(t.won_amount, currency),
            "lost_amount": format_money(t.lost_amount, currency),
            "win_rate": _percent(t.win_rate),
        }
        for t in tallies
    ]


def _win_loss(
    a: Actor, days: tuple[date, date], pipeline_id: int | None, currency: str
) -> dict[str, Any]:
    w = reports.win_loss(
        a, pipeline_id=pipeline_id, start=days[0], end=days[1], currency=currency or None
    )
    chart = {
        "report": WIN_LOSS,
        "unit": "percent",
        "names": {"won": _("Won"), "lost": _("Lost"), "win_rate": _("Win rate")},
        "won": w.totals.won,
        "lost": w.totals.lost,
        "reasons": [{"label": t.label, "value": t.lost} for t in w.reasons],
        "owners": [{"label": t.label, "value": _plain_percent(t.win_rate)} for t in w.owners],
        "sources": [{"label": t.label, "value": _plain_percent(t.win_rate)} for t in w.sources],
    }
    return {
        "win_loss": w,
        "pipeline": w.pipeline,
        "currency": w.currency,
        "totals": _tally_rows([w.totals], w.currency)[0],
        "reasons": _tally_rows(w.reasons, w.currency),
        "owners": _tally_rows(w.owners, w.currency),
        "sources": _tally_rows(w.sources, w.currency),
        "owners_title": _("Win rate by owner"),
        "owner_heading": _("Owner"),
        "sources_title": _("Win rate by source"),
        "source_heading": _("Source"),
        "chart_data": chart,
    }


def csv_url(report_name: str, request: HttpRequest) -> str:
    """The report's CSV file with the page's query (its period, pipeline, currency...)."""
    query = request.GET.urlencode()
    return reverse("insights:report_csv", args=[report_name]) + (f"?{query}" if query else "")


@workspace_view
def report(request: HttpRequest, report_name: str) -> HttpResponse:
    """One sales report: its period (when it has one), pipeline and currency pickers, a chart
    and a table."""
    a = actor(request)
    require(a, "insights.view")
    found = REPORTS.get(report_name)
    if found is None or report_name not in SALES:
        raise NotFound(_("No report is called %(name)s.") % {"name": report_name})
    today = workspace_today(a)
    picked = read_period(request.GET, today)
    days = (picked.start or today, picked.end or today)  # both set when the period has no error
    errors: dict[str, list[str]] = dict(picked.errors) if found.dated else {}
    pipeline_id = read_pipeline_id(request.GET.get("pipeline", ""), errors)
    currency = request.GET.get("currency", "").strip()
    context: dict[str, Any] = {
        "report": found,
        "reports": REPORTS.values(),
        "presets": PRESETS,
        "preset": picked.preset,
        "custom": CUSTOM,
        "from_value": picked.start.isoformat() if picked.start else request.GET.get("from", ""),
        "to_value": picked.end.isoformat() if picked.end else request.GET.get("to", ""),
        "picked": picked,
        "pipelines": list(selectors.pipelines(a)),
        "currencies": presenting.currencies(a),
        "csv_url": csv_url(report_name, request),
    }
    if not errors:
        try:
            if report_name == FUNNEL:
                context.update(_funnel(a, days, pipeline_id))
            elif report_name == FORECAST:
                context.update(_forecast(a, pipeline_id, currency))
            else:
                context.update(_win_loss(a, days, pipeline_id, currency))
        except ValidationFailed as exc:
            for e in exc.errors:
                errors.setdefault(e.field, []).append(str(e.message))
    context["errors"] = [m for messages in errors.values() for m in messages]
    status = 400 if errors else 200
    template = f"insights/report_{report_name.replace('-', '_')}.html"
    return render(request, template, context, status=status)
