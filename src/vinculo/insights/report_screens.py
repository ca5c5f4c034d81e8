"""The screens of the cohort retention report (a heat map of cohort by month offset and a table)
and of the activity per rep (a bar chart and a table), at ``/insights/reports/<name>/``.

The cohorts come from :func:`vinculo.core.reports.cohort_report`, which the apps owning the data
fill (purchases: ``events``, which this feature app may not import; the lifecycle: ``contacts``).
Numbers reach the charts raw through ``json_script``; the tables say the same in words. Input
the page cannot use is said on the page (400), never a 500."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.activities import reports as activity_reports
from vinculo.core.actor import Actor
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.core.formats import format_money, format_number, format_percent
from vinculo.core.permissions import require
from vinculo.core.reports import Cohorts, add_months, cohort_bases, cohort_report, parse_month
from vinculo.core.ui import actor, workspace_view
from vinculo.insights import presenting
from vinculo.insights.periods import CUSTOM, PRESETS, read_period
from vinculo.insights.report_views import ACTIVITY, COHORTS, REPORTS, csv_url

DEFAULT_MONTHS = 12
PEOPLE, REVENUE = "people", "revenue"
MEASURES = [(PEOPLE, gettext_lazy("People retained")), (REVENUE, gettext_lazy("Revenue retained"))]
COLUMN_NAMES = {
    "calls": gettext_lazy("Calls"),
    "meetings": gettext_lazy("Meetings"),
    "emails": gettext_lazy("Emails"),
    "notes": gettext_lazy("Notes"),
    "tasks_done": gettext_lazy("Tasks done"),
    "tasks_overdue": gettext_lazy("Tasks overdue"),
}


def _errors_of(exc: ValidationFailed) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for e in exc.errors:
        errors.setdefault(e.field or "period", []).append(str(e.message))
    return errors or {"period": [exc.detail]}


# --- cohort retention -----------------------------------------------------------------------------


@dataclass
class CohortAsk:
    """What the cohort page asks for, read from its query string."""

    basis: str
    measure: str
    currency: str
    first: date | None = None
    last: date | None = None
    errors: dict[str, list[str]] | None = None


def read_cohorts(a: Actor, params: QueryDict) -> tuple[CohortAsk, Cohorts | None]:
    """The cohorts the query asks for (basis, months ``from``/``to``, currency), or errors."""
    bases = [key for key, _label in cohort_bases()]
    ask = CohortAsk(
        basis=params.get("basis", "").strip() or (bases[0] if bases else ""),
        measure=params.get("measure", "").strip() or PEOPLE,
        currency=params.get("currency", "").strip().upper(),
        errors={},
    )
    errors: dict[str, list[str]] = {}
    if ask.basis not in bases:
        errors["basis"] = [_("Choose a basis from the list.")]
    if ask.measure not in dict(MEASURES):
        errors["measure"] = [_("Choose what to measure from the list.")]
    try:
        ask.last = parse_month(params.get("to"), "to", workspace_today(a))
        ask.first = parse_month(
            params.get("from"), "from", add_months(ask.last, 1 - DEFAULT_MONTHS)
        )
    except ValidationFailed as exc:
        errors.update(_errors_of(exc))
    found = None
    if not errors and ask.first and ask.last:
        try:
            found = cohort_report(
                a, ask.basis, first=ask.first, last=ask.last, currency=ask.currency or None
            )
        except ValidationFailed as exc:
            errors.update(_errors_of(exc))
    ask.errors = errors
    return ask, found


def _month(day: date) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT")


def _percent(value: float | None) -> str:
    if value is None:
        return presenting.NOTHING
    return format_percent(round(Decimal(str(value)) * 100, 1))


def cohort_chart(found: Cohorts, *, revenue: bool = False) -> dict[str, Any]:
    """The heat map's plain numbers (web/charts.js, kind ``heatmap``): per cell [month offset,
    cohort row, share in percent, people]; the report's screen and a dashboard's cohort widget
    draw it alike."""
    cells = []
    for y, row in enumerate(found.rows):
        shares = row.revenue_shares if revenue and row.revenue is not None else row.shares
        for x, value in enumerate(shares or []):
            if value is not None:
                cells.append([x, y, round(value * 100, 1), row.retained[x]])
    return {
        "report": COHORTS,
        "kind": "heatmap",
        "unit": "percent",
        "names": {
            "offset": _("Month %(n)s"),
            "share": _("Revenue retained") if revenue else _("People retained"),
            "people": _("People"),
        },
        "cohorts": [row.month.isoformat() for row in found.rows],
        "offsets": found.offsets,
        "cells": cells,
    }


def _cohort_context(found: Cohorts, measure: str) -> dict[str, Any]:
    revenue = measure == REVENUE and found.basis == "purchases"
    rows = []
    for row in found.rows:
        shares = row.revenue_shares if revenue and row.revenue is not None else row.shares
        amounts = row.revenue if revenue and row.revenue is not None else None
        shown = []
        for x, value in enumerate(shares or []):
            count = (
                format_money(amounts[x], found.currency)
                if amounts is not None
                else format_number(row.retained[x])
            )
            shown.append({"share": _percent(value), "count": count})
        rows.append({"month": _month(row.month), "size": format_number(row.size), "cells": shown})
    return {
        "cohorts": found,
        "revenue": revenue,
        "rows": rows,
        "average": [_percent(v) for v in found.average],
        "offsets": list(range(found.offsets)),
        "chart_data": cohort_chart(found, revenue=revenue),
    }


@workspace_view
def cohort_retention(request: HttpRequest) -> HttpResponse:
    """Monthly cohorts on a basis (purchases or lifecycle), a heat map and a table."""
    a = actor(request)
    require(a, "insights.view")
    ask, found = read_cohorts(a, request.GET)
    context: dict[str, Any] = {
        "report": REPORTS[COHORTS],
        "bases": cohort_bases(),
        "measures": MEASURES,
        "ask": ask,
        "from_value": ask.first.strftime("%Y-%m") if ask.first else request.GET.get("from", ""),
        "to_value": ask.last.strftime("%Y-%m") if ask.last else request.GET.get("to", ""),
        "currencies": presenting.currencies(a),
        "currency": found.currency if found else ask.currency,
        "csv_url": csv_url(COHORTS, request),
    }
    if found is not None:
        context.update(_cohort_context(found, ask.measure))
    errors = ask.errors or {}
    context["errors"] = [m for messages in errors.values() for m in messages]
    status = 400 if errors else 200
    return render(request, "insights/report_cohort_retention.html", context, status=status)


# --- activity per rep -----------------------------------------------------------------------------


def read_activity(
    a: Actor, params: QueryDict
) -> tuple[Any, activity_reports.ActivityPerRep | None, dict[str, list[str]]]:
    """(the period picked, the report or None, errors by field)."""
    picked = read_period(params, workspace_today(a))
    errors = dict(picked.errors)
    if errors or picked.start is None or picked.end is None:
        return picked, None, errors
    try:
        found = activity_reports.activity_per_rep(a, start=picked.start, end=picked.end)
    except ValidationFailed as exc:
        return picked, None, _errors_of(exc)
    return picked, found, {}


@workspace_view
def activity_per_rep(request: HttpRequest) -> HttpResponse:
    """Each member's activities in the period: a bar chart and a table."""
    a = actor(request)
    require(a, "insights.view")
    picked, found, errors = read_activity(a, request.GET)
    columns = list(activity_reports.COLUMNS)
    context: dict[str, Any] = {
        "report": REPORTS[ACTIVITY],
        "presets": PRESETS,
        "preset": picked.preset,
        "custom": CUSTOM,
        "from_value": picked.start.isoformat() if picked.start else request.GET.get("from", ""),
        "to_value": picked.end.isoformat() if picked.end else request.GET.get("to", ""),
        "columns": [COLUMN_NAMES[c] for c in columns],
        "csv_url": csv_url(ACTIVITY, request),
    }
    if found is not None:
        context["found"] = found
        context["rows"] = [
            {
                "name": r.name,
                "cells": [format_number(r.counts[c]) for c in columns],
                "total": format_number(r.total),
            }
            for r in [*found.reps, found.totals]
        ]
        context["chart_data"] = {
            "report": ACTIVITY,
            "unit": "count",
            "names": {c: str(COLUMN_NAMES[c]) for c in columns},
            "columns": columns,
            "reps": [r.name for r in found.reps],
            "values": {c: [r.counts[c] for r in found.reps] for c in columns},
        }
    context["errors"] = [m for messages in errors.values() for m in messages]
    status = 400 if errors else 200
    return render(request, "insights/report_activity_per_rep.html", context, status=status)
