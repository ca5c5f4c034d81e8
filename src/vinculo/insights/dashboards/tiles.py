"""How a widget is shown: its title, the value as the reader reads it with the previous
period's and the change, its rows (groups, funnel steps, cohorts) in words, and the plain
numbers its chart draws (never localised: the browser formats them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import ServiceError
from vinculo.core.formats import format_number, format_percent
from vinculo.core.kpis import get
from vinculo.insights import presenting
from vinculo.insights.dashboards.data import WidgetData, query_of_filters, widget_data
from vinculo.insights.dashboards.models import Widget, WidgetKind
from vinculo.insights.presenting import Change
from vinculo.insights.report_screens import cohort_chart


@dataclass
class Row:
    label: str
    value: str
    url: str = ""
    extra: str = ""


@dataclass
class Tile:
    widget: Widget
    title: str
    available: bool = True
    hidden: bool = False  # a leaderboard while the workspace's leaderboards are off
    error: str = ""
    value: str = ""
    previous: str = ""
    change: Change | None = None
    rows: list[Row] = field(default_factory=list)
    url: str = ""
    csv_url: str = ""
    start: Any = None
    end: Any = None
    chart: dict[str, Any] | None = None


def title_of(widget: Widget) -> str:
    if widget.title:
        return widget.title
    if widget.kind == WidgetKind.FUNNEL:
        return _("Pipeline funnel")
    if widget.kind == WidgetKind.COHORT:
        return _("Cohort retention")
    found = get(widget.kpi)
    return str(found.name) if found else widget.kpi


def _percent(value: float | None) -> str:
    if value is None:
        return presenting.NOTHING
    return format_percent(round(Decimal(str(value)) * 100, 1))


def _funnel_tile(tile: Tile, found: WidgetData) -> None:
    tile.url = found.url
    tile.rows = [
        Row(s["label"], format_number(s["deals"]), extra=_percent(s["overall"]))
        for s in found.steps
    ]
    tile.chart = {
        "kind": "funnel",
        "unit": "count",
        "names": {"deals": _("Deals")},
        "steps": [{"label": s["label"], "value": s["deals"]} for s in found.steps],
    }


def _cohort_tile(tile: Tile, found: WidgetData) -> None:
    """The heat map the cohort report's screen draws, and its rows in words (each cohort's
    month, its people, the share retained month by month) for those who do not see it."""
    cohorts = found.cohorts
    if cohorts is None:
        return
    tile.url = found.url
    tile.rows = [
        Row(
            date_format(row.month, "YEAR_MONTH_FORMAT"),
            format_number(row.size),
            extra=" · ".join(_percent(share) for share in row.shares),
        )
        for row in cohorts.rows
    ]
    tile.chart = {**cohort_chart(cohorts), "kind": "cohort"}


def _group_url(found: WidgetData, key: Any) -> str:
    """The KPI page narrowed to one owner (a leaderboard's row)."""
    w = found.widget
    if w.group_by != "owner" or key is None:
        return ""
    params = {
        "period": "custom",
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "grain": w.grain,
        **query_of_filters(w.filters or {}),
        "owner_id": str(key),
    }
    return f"{reverse('insights:kpi', args=[w.kpi])}?{urlencode(params)}"


def _kpi_tile(tile: Tile, found: WidgetData) -> None:
    m, kpi = found.measurement, found.kpi
    if m is None or kpi is None:
        return
    tile.url = found.url
    tile.value = presenting.shown(kpi, m.value, m.currency)
    tile.previous = presenting.shown(kpi, m.previous, m.currency)
    tile.change = presenting.change_of(m)
    tile.rows = [
        Row(str(label), presenting.shown(kpi, value, m.currency), _group_url(found, key))
        for key, label, value in m.groups
    ]
    if tile.widget.kind == WidgetKind.TABLE:
        return  # the table is the widget
    tile.chart = {
        "kind": tile.widget.kind,
        "unit": kpi.unit,
        "currency": m.currency,
        "grain": m.grain,
        "names": {"value": str(kpi.name), "days": _("days"), "quarter": _("Q%(quarter)s %(year)s")},
        "series": [
            {"start": p.start.isoformat(), "value": presenting.plain(kpi, p.value)}
            for p in m.series
        ],
        "groups": [
            {"label": str(label), "value": presenting.plain(kpi, value)}
            for _key, label, value in m.groups
        ],
    }


def tile_of(actor: Actor, widget: Widget) -> Tile:
    """The widget measured and put in words; a saved filter that no longer compiles (a field
    deleted since) is said on the tile, never a 500."""
    tile = Tile(widget, title_of(widget))
    tile.csv_url = reverse("insights:widget_csv", args=[widget.dashboard_id, widget.pk])
    try:
        found = widget_data(actor, widget)
    except ServiceError as exc:
        tile.error = exc.detail
        return tile
    tile.start, tile.end = found.start, found.end
    tile.available, tile.hidden = found.available, found.hidden
    if not found.available or found.hidden:
        return tile
    if widget.kind == WidgetKind.FUNNEL:
        _funnel_tile(tile, found)
    elif widget.kind == WidgetKind.COHORT:
        _cohort_tile(tile, found)
    else:
        _kpi_tile(tile, found)
    return tile
