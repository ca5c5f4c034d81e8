"""The Adoption report's screen (``/insights/adoption/``, also ``/insights/reports/adoption/``):
a table per member and per team of the adoption KPIs over the period picked, with the previous
period's, and one KPI over time (the workspace and each team: a line chart drawn by
``web/charts.js`` from plain numbers). The CSV is ``/insights/reports/adoption/csv``. Input the
page cannot use is said on the page (400), never a 500."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Grain
from vinculo.core.permissions import require
from vinculo.core.ui import actor, workspace_view
from vinculo.insights import presenting
from vinculo.insights.adoption import KEYS, TEAM, USER, Adoption, Row, adoption, adoption_kpis
from vinculo.insights.dashboards.selectors import leaderboards_shown
from vinculo.insights.periods import CUSTOM, GRAINS, PRESETS, Picked, read_period
from vinculo.insights.report_views import ADOPTION, REPORTS, csv_url


def read_adoption(
    a: Actor, params: QueryDict
) -> tuple[Picked, str, str, Adoption | None, dict[str, list[str]]]:
    """(the period picked, the grain, the charted KPI, the report or None, errors by field)."""
    picked = read_period(params, workspace_today(a))
    errors = dict(picked.errors)
    grain = params.get("grain", "").strip() or Grain.WEEK
    if grain not in {g for g, _label in GRAINS}:
        errors["grain"] = [_("Choose how to group the points from the list.")]
    chart = params.get("kpi", "").strip() or KEYS[0]
    if chart not in {k.key for k in adoption_kpis()}:
        errors["kpi"] = [_("Choose a KPI from the list.")]
    lines = params.get("lines", "").strip() or TEAM
    if lines not in {TEAM, USER}:
        errors["lines"] = [_("Choose teams or members.")]
    if errors or picked.start is None or picked.end is None:
        return picked, grain, chart, None, errors
    try:
        found = adoption(
            a, start=picked.start, end=picked.end, grain=Grain(grain), chart=chart, lines=lines
        )
    except ValidationFailed as exc:
        out: dict[str, list[str]] = {}
        for e in exc.errors:
            out.setdefault(e.field or "period", []).append(str(e.message))
        return picked, grain, chart, None, out or {"period": [exc.detail]}
    return picked, grain, chart, found, {}


def _cells(found: Adoption, row: Row, query: str) -> list[dict[str, Any]]:
    cells = []
    for kpi in found.kpis:
        value, previous = row.values.get(kpi.key, (None, None))
        url = ""
        if row.section == "user" and row.key is not None:
            url = f"{reverse('insights:kpi', args=[kpi.key])}?{query}&owner_id={row.key}"
        elif row.section == "team" and row.key is not None:
            url = f"{reverse('insights:kpi', args=[kpi.key])}?{query}&team_id={row.key}"
        cells.append(
            {
                "value": presenting.shown(kpi, value),
                "previous": presenting.shown(kpi, previous),
                "url": url,
            }
        )
    return cells


def _chart(found: Adoption) -> dict[str, Any]:
    """The charted KPI over time (plain numbers: web/charts.js formats them)."""
    kpi = found.chart_kpi
    if kpi is None or not found.series:
        return {}
    first = found.series[0][3]
    return {
        "kind": "line",
        "unit": str(kpi.unit),
        "grain": str(found.grain),
        "labels": [p.start.isoformat() for p in first],
        "series": [
            {"name": name, "values": [presenting.plain(kpi, p.value) for p in points]}
            for _section, _key, name, points in found.series
        ],
        "names": {"days": _("days"), "quarter": _("Q%(quarter)s %(year)s")},
    }


@workspace_view
def adoption_view(request: HttpRequest) -> HttpResponse:
    """Each member's and team's adoption KPIs in the period, and one over time."""
    a = actor(request)
    require(a, "insights.view")
    picked, grain, chart, found, errors = read_adoption(a, request.GET)
    kpis = adoption_kpis()
    context: dict[str, Any] = {
        "report": REPORTS[ADOPTION],
        "presets": PRESETS,
        "preset": picked.preset,
        "custom": CUSTOM,
        "from_value": picked.start.isoformat() if picked.start else request.GET.get("from", ""),
        "to_value": picked.end.isoformat() if picked.end else request.GET.get("to", ""),
        "grains": GRAINS,
        "grain": grain,
        "chart_kpis": [(k.key, str(k.name)) for k in kpis],
        "chart_kpi": chart,
        "lines": request.GET.get("lines", "").strip() or TEAM,
        "line_choices": [(TEAM, _("Teams")), (USER, _("Members"))],
        "kpis": kpis,
        "csv_url": csv_url(ADOPTION, request),
        "leaderboards_shown": leaderboards_shown(a),
    }
    if found is not None:
        query = "&".join(f"{k}={v}" for k, v in {**picked.query(), "grain": grain}.items() if v)
        context["found"] = found
        context["user_rows"] = [(r, _cells(found, r, query)) for r in found.users]
        context["team_rows"] = [(r, _cells(found, r, query)) for r in found.teams]
        context["total_cells"] = _cells(found, found.total, query)
        context["chart_data"] = _chart(found) or {"kind": "line", "series": []}
        context["chart_name"] = str(found.chart_kpi.name) if found.chart_kpi else ""
    context["errors"] = [m for messages in errors.values() for m in messages]
    status = 400 if errors else 200
    return render(request, "insights/report_adoption.html", context, status=status)
