"""The dashboards' screens: ``/insights/dashboards/`` lists them by scope (the workspace's, the
teams', one's own) with a form to make one; ``/insights/dashboards/<id>/`` draws its widgets in a
grid of four columns (``?edit=1``: the controls to add, resize, reorder and remove); each widget's
CSV file. Charts are drawn by ``insights/dashboards.js`` (ECharts) from ``json_script`` data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from vinculo.core.actor import Actor
from vinculo.core.kpis import DIMENSIONS, all_kpis, get
from vinculo.core.permissions import can
from vinculo.core.reports import cohort_bases
from vinculo.core.ui import actor, workspace_view
from vinculo.insights import presenting
from vinculo.insights.dashboards import downloads, selectors
from vinculo.insights.dashboards.catalogue import PERIODS, SUGGESTED, WIDTHS
from vinculo.insights.dashboards.data import widget_data
from vinculo.insights.dashboards.models import Dashboard, DashboardScope, WidgetKind
from vinculo.insights.dashboards.tiles import tile_of, title_of
from vinculo.insights.periods import GRAINS
from vinculo.sales import selectors as sales_selectors
from vinculo.workspaces.selectors import members, teams


def _grouped(a: Actor, found: list[Dashboard]) -> list[tuple[str, str, list[Any]]]:
    labels = dict(DashboardScope.choices)
    out: list[tuple[str, str, list[Any]]] = []
    for scope in (DashboardScope.WORKSPACE, DashboardScope.TEAM, DashboardScope.PERSONAL):
        mine = [(d, selectors.name_of(d)) for d in found if d.scope == scope]
        out.append((str(scope), str(labels[scope]), mine))
    return out


@workspace_view
@require_GET
def dashboard_list(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    found = list(selectors.dashboards(a))
    context = {
        "groups": _grouped(a, found),
        "scopes": DashboardScope.choices,
        "teams": list(teams(a)) if a.user else [],
        "can_manage": can(a, "dashboards.manage"),
    }
    return render(request, "insights/dashboards/list.html", context)


def _kpi_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    by_app: dict[str, list[tuple[str, str]]] = {}
    for kpi in sorted(all_kpis(), key=lambda k: presenting.app_order(k.app)):
        by_app.setdefault(kpi.app, []).append((kpi.key, str(kpi.name)))
    return [(presenting.app_label(app), kpis) for app, kpis in by_app.items()]


def editor_context(a: Actor) -> dict[str, Any]:
    """The choices of the add-a-widget form."""
    dimensions = sorted({*DIMENSIONS, "pipeline", "lifecycle_stage"} - {"segment", "team"})
    return {
        "kinds": WidgetKind.choices,
        "kpi_groups": _kpi_choices(),
        "bases": cohort_bases(),
        "grains": GRAINS,
        "periods": PERIODS,
        "widths": WIDTHS,
        "dimensions": [(d, presenting.dimension_label(d)) for d in dimensions],
        "pipelines": list(sales_selectors.pipelines(a)),
        "owners": [m.user for m in members(a).select_related("user")],
        "suggestions": [
            (key, label, [(name, value) for name, value in fields.items()])
            for key, label, fields in SUGGESTED
            if get(fields["kpi"]) is not None
        ],
        "leaderboards_shown": selectors.leaderboards_shown(a),
    }


@workspace_view
@require_GET
def dashboard_detail(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    a = actor(request)
    dashboard = selectors.get_dashboard(a, dashboard_id)
    editable = selectors.may_edit(a, dashboard)
    editing = editable and request.GET.get("edit") == "1"
    tiles = [tile_of(a, w) for w in selectors.widgets(a, dashboard)]
    context: dict[str, Any] = {
        "dashboard": dashboard,
        "name": selectors.name_of(dashboard),
        "tiles": tiles,
        "editable": editable,
        "editing": editing,
        "widths": WIDTHS,
        "charts": {str(t.widget.pk): t.chart for t in tiles if t.chart},
        "others": [(d, selectors.name_of(d)) for d in selectors.dashboards(a)],
    }
    if editing:
        context |= editor_context(a)
    return render(request, "insights/dashboards/detail.html", context)


@workspace_view
@require_GET
def widget_csv(request: HttpRequest, dashboard_id: int, widget_id: int) -> HttpResponseBase:
    a = actor(request)
    widget = selectors.get_widget(a, dashboard_id, widget_id)
    found = widget_data(a, widget)
    response = HttpResponse(
        downloads.widget_csv(found).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = downloads.file_name(found, title_of(widget))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
