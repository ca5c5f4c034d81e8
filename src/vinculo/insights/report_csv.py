"""The CSV file of every report (``/insights/reports/<name>/csv`` with the page's query): what
the page shows, one self-describing row per line, for a spreadsheet or a script.

UTF-8 with a BOM, every field quoted, as the KPI file and the exports are; headers are English
identifiers (the API's field names); days ISO, months ``YYYY-MM``; numbers plain (a point for
decimals, shares between 0 and 1 as the API gives them, money to the cent, durations in
seconds); text a spreadsheet would run as a formula is escaped. Input the page cannot use goes
back to the page, which says why."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from vinculo.activities.reports import COLUMNS
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.exports import safe_text
from vinculo.core.filters.context import workspace_today
from vinculo.core.permissions import require
from vinculo.core.reports import Cohorts
from vinculo.core.ui import actor, workspace_view
from vinculo.insights.adoption_views import read_adoption
from vinculo.insights.periods import read_period
from vinculo.insights.report_screens import read_activity, read_cohorts
from vinculo.insights.report_views import (
    ACTIVITY,
    ADOPTION,
    COHORTS,
    FORECAST,
    FUNNEL,
    REPORTS,
    WIN_LOSS,
    read_pipeline_id,
)
from vinculo.sales import reports

Rows = tuple[list[str], Iterable[list[Any]]]


def _plain(value: Any) -> str:
    """A cell: empty for nothing, text escaped, numbers in plain form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(round(value, 6))
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def csv_text(headers: list[str], rows: Iterable[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_plain(v) for v in row])
    return "\ufeff" + out.getvalue()


def _days(a: Actor, request: HttpRequest) -> tuple[date, date]:
    picked = read_period(request.GET, workspace_today(a))
    if not picked.ok or picked.start is None or picked.end is None:
        raise ValidationFailed.field("period", _("Choose a period from the list."), "invalid")
    return picked.start, picked.end


def _funnel(a: Actor, request: HttpRequest, pipeline_id: int | None) -> Rows:
    start, end = _days(a, request)
    f = reports.pipeline_funnel(a, pipeline_id=pipeline_id, start=start, end=end)
    steps = [*f.steps, *(s for s in (f.won, f.lost) if s is not None)]
    headers = [
        "pipeline_id",
        "start",
        "end",
        "stage_id",
        "stage",
        "kind",
        "deals",
        "from_previous",
        "overall",
        "median_seconds",
    ]
    return headers, (
        [
            f.pipeline.pk,
            start,
            end,
            s.stage.pk,
            s.stage.name,
            s.stage.kind,
            s.deals,
            s.from_previous,
            s.overall,
            s.median_seconds,
        ]
        for s in steps
    )


def _forecast(a: Actor, request: HttpRequest, pipeline_id: int | None) -> Rows:
    currency = request.GET.get("currency", "").strip() or None
    f = reports.sales_forecast(a, pipeline_id=pipeline_id, currency=currency)
    headers = [
        "pipeline_id",
        "currency",
        "today",
        "key",
        "month",
        "deals",
        "total",
        "weighted",
        "historical",
    ]
    return headers, (
        [
            f.pipeline.pk,
            f.currency,
            f.today,
            r.key,
            r.month,
            r.deals,
            r.total,
            r.weighted,
            r.historical,
        ]
        for r in [*f.rows, f.totals]
    )


def _win_loss(a: Actor, request: HttpRequest, pipeline_id: int | None) -> Rows:
    start, end = _days(a, request)
    currency = request.GET.get("currency", "").strip() or None
    w = reports.win_loss(a, pipeline_id=pipeline_id, start=start, end=end, currency=currency)
    headers = [
        "pipeline_id",
        "start",
        "end",
        "currency",
        "section",
        "key",
        "label",
        "won",
        "lost",
        "won_amount",
        "lost_amount",
        "win_rate",
    ]
    sections = [
        ("total", [w.totals]),
        ("lost_reason", w.reasons),
        ("owner", w.owners),
        ("source", w.sources),
    ]
    return headers, (
        [
            w.pipeline.pk,
            start,
            end,
            w.currency,
            section,
            t.key,
            t.label,
            t.won,
            t.lost,
            t.won_amount,
            t.lost_amount,
            t.win_rate,
        ]
        for section, tallies in sections
        for t in tallies
    )


def _cohorts(a: Actor, request: HttpRequest) -> Rows:
    _ask, found = read_cohorts(a, request.GET)
    if found is None:
        raise ValidationFailed.field("from", _("Give a month as YYYY-MM."), "invalid")
    return cohort_rows(found)


def cohort_rows(found: Cohorts) -> Rows:
    """The cohort table, one row per cohort and month offset (the report's file and a
    dashboard's cohort widget's)."""
    headers = [
        "basis",
        "cohort",
        "size",
        "offset",
        "month",
        "retained",
        "churned",
        "share",
        "revenue",
        "revenue_share",
        "currency",
    ]
    rows = []
    for row in found.rows:
        money = row.revenue_shares
        for k, retained in enumerate(row.retained):
            rows.append(
                [
                    found.basis,
                    row.month.strftime("%Y-%m"),
                    row.size,
                    k,
                    _month_after(row.month, k),
                    retained,
                    row.size - retained,
                    row.shares[k],
                    row.revenue[k] if row.revenue is not None else None,
                    money[k] if money is not None else None,
                    found.currency or None,
                ]
            )
    return headers, rows


def _month_after(month: date, k: int) -> str:
    index = month.month - 1 + k
    return f"{month.year + index // 12:04d}-{index % 12 + 1:02d}"


def _activity(a: Actor, request: HttpRequest) -> Rows:
    _picked, found, errors = read_activity(a, request.GET)
    if found is None or errors:
        raise ValidationFailed.field("period", _("Choose a period from the list."), "invalid")
    headers = ["section", "start", "end", "user_id", "name", *COLUMNS, "total"]
    return headers, (
        [
            section,
            found.window.start,
            found.window.end,
            r.user_id,
            r.name,
            *(r.counts[c] for c in COLUMNS),
            r.total,
        ]
        for section, r in [*(("rep", r) for r in found.reps), ("total", found.totals)]
    )


def _adoption(a: Actor, request: HttpRequest) -> Rows:
    """One line per member, team and the whole workspace and KPI (value and the previous
    period's), then the charted KPI's series (the workspace and each team)."""
    _picked, _grain, _chart, found, errors = read_adoption(a, request.GET)
    if found is None or errors:
        raise ValidationFailed.field("period", _("Choose a period from the list."), "invalid")
    headers = ["section", "start", "end", "id", "name", "kpi", "value", "previous"]
    rows: list[list[Any]] = []
    for row in [*found.users, *found.teams, found.total]:
        for kpi in found.kpis:
            value, previous = row.values.get(kpi.key, (None, None))
            rows.append([row.section, found.start, found.end, row.key, row.name, kpi.key,
                         _seconds(value), _seconds(previous)])  # fmt: skip
    if found.chart_kpi is not None:
        for section, key, name, points in found.series:
            rows += [
                [f"series_{section}", p.start, p.end, key, name, found.chart_kpi.key,
                 _seconds(p.value), None]
                for p in points
            ]  # fmt: skip
    return headers, rows


def _seconds(value: Any) -> Any:
    return value.total_seconds() if hasattr(value, "total_seconds") else value


def _rows(a: Actor, request: HttpRequest, report_name: str) -> Rows:
    if report_name == ADOPTION:
        return _adoption(a, request)
    if report_name == COHORTS:
        return _cohorts(a, request)
    if report_name == ACTIVITY:
        return _activity(a, request)
    errors: dict[str, list[str]] = {}
    pipeline_id = read_pipeline_id(request.GET.get("pipeline", ""), errors)
    if errors:
        raise ValidationFailed.field("pipeline", _("Choose a pipeline from the list."), "invalid")
    maker = {FUNNEL: _funnel, FORECAST: _forecast, WIN_LOSS: _win_loss}[report_name]
    return maker(a, request, pipeline_id)


@workspace_view
def report_csv(request: HttpRequest, report_name: str) -> HttpResponseBase:
    """The report's CSV file; input the page cannot use goes back to the page."""
    a = actor(request)
    require(a, "insights.view")
    if report_name not in REPORTS:
        raise NotFound(_("No report is called %(name)s.") % {"name": report_name})
    try:
        headers, rows = _rows(a, request, report_name)
        text = csv_text(headers, rows)
    except ValidationFailed:
        page = reverse("insights:report", args=[report_name])
        return redirect(f"{page}?{request.GET.urlencode()}")
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    stamp = workspace_today(a).isoformat()
    name = report_name.replace("-", "_")
    response["Content-Disposition"] = f'attachment; filename="{name}_{stamp}.csv"'
    return response
