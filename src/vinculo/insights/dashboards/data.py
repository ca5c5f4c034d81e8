"""A widget's numbers: its KPI measured by :func:`vinculo.core.kpis.measure` over the widget's
period, grain and filters (the value with the previous period's, the series, the groups), the
pipeline funnel report, or a cohort report (:func:`vinculo.core.reports.cohort_report`) over the
months of the period; and the link to the list or report behind them. Plain values (money in cents
as :class:`~decimal.Decimal`, percentages as shares, durations in seconds) as the KPI API gives
them; the screens format them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Grain, Kpi, Measurement, Scope, get, measure
from vinculo.core.reports import Cohorts, cohort_bases, cohort_report
from vinculo.insights import presenting
from vinculo.insights.dashboards import selectors
from vinculo.insights.dashboards.catalogue import period_days
from vinculo.insights.dashboards.models import Widget, WidgetKind
from vinculo.sales import reports

FUNNEL_REPORT = "pipeline-funnel"


@dataclass
class WidgetData:
    """What a widget shows. ``available`` is False when nothing measures it (a KPI or a cohort
    basis no longer registered); ``hidden`` is True for a leaderboard while the workspace's
    leaderboards are off (nothing is measured)."""

    widget: Widget
    start: date
    end: date
    kpi: Kpi | None = None
    measurement: Measurement | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    cohorts: Cohorts | None = None
    available: bool = True
    hidden: bool = False
    url: str = ""


def scope_of(actor: Actor, widget: Widget) -> Scope:
    """The KPI scope of the widget's filters."""
    f = widget.filters or {}
    return Scope(
        actor=actor,
        owner_id=f.get("owner_id"),
        team_id=f.get("team_id"),
        pipeline_id=f.get("pipeline_id"),
        source=f.get("source") or None,
        lifecycle_stage=f.get("lifecycle_stage") or None,
        segment=f.get("segment") or None,
    )


def days_of(actor: Actor, widget: Widget, today: date | None = None) -> tuple[date, date]:
    return period_days(widget.period, today or workspace_today(actor))


def _kpi_url(widget: Widget, start: date, end: date) -> str:
    """The KPI page with the same period, grain, group and filters."""
    params: dict[str, Any] = {
        "period": "custom",
        "from": start.isoformat(),
        "to": end.isoformat(),
        "grain": widget.grain,
    }
    if widget.group_by:
        params["group_by"] = widget.group_by
    params.update(query_of_filters(widget.filters or {}))
    return f"{reverse('insights:kpi', args=[widget.kpi])}?{urlencode(params)}"


def query_of_filters(filters: dict[str, Any]) -> dict[str, str]:
    """The filters as the KPI page reads them from its query string."""
    out: dict[str, str] = {}
    for name in ("owner_id", "team_id", "pipeline_id", "source", "lifecycle_stage"):
        if filters.get(name) not in (None, ""):
            out[name] = str(filters[name])
    if filters.get("segment"):
        out["filter"] = _json(filters["segment"])
        out["segment_object"] = str(filters.get("segment_object") or "person")
    return out


def _json(tree: Any) -> str:
    return json.dumps(tree, separators=(",", ":"), ensure_ascii=False)


def _funnel(actor: Actor, widget: Widget, found: WidgetData) -> None:
    pipeline_id = (widget.filters or {}).get("pipeline_id")
    f = reports.pipeline_funnel(actor, pipeline_id=pipeline_id, start=found.start, end=found.end)
    steps = [*f.steps, *(s for s in (f.won, f.lost) if s is not None)]
    found.steps = [
        {
            "stage_id": s.stage.pk,
            "label": s.stage.name,
            "kind": s.stage.kind,
            "deals": s.deals,
            "from_previous": s.from_previous,
            "overall": s.overall,
        }
        for s in steps
    ]
    params = {"period": "custom", "from": found.start.isoformat(), "to": found.end.isoformat(),
              "pipeline": str(f.pipeline.pk)}  # fmt: skip
    found.url = f"{reverse('insights:report', args=[FUNNEL_REPORT])}?{urlencode(params)}"


def _cohorts(actor: Actor, widget: Widget, found: WidgetData) -> None:
    """The cohorts of the months of the widget's period (its first day's month to its last's)
    on the widget's basis; the cohort report's screen for the same months and basis."""
    if widget.basis not in {key for key, _label in cohort_bases()}:
        found.available = False
        return
    first, last = found.start.replace(day=1), found.end.replace(day=1)
    found.cohorts = cohort_report(actor, widget.basis, first=first, last=last)
    params = {"basis": widget.basis, "from": first.strftime("%Y-%m"), "to": last.strftime("%Y-%m")}
    found.url = f"{reverse('insights:cohort_retention')}?{urlencode(params)}"


def widget_data(actor: Actor, widget: Widget, *, today: date | None = None) -> WidgetData:
    """The widget's numbers (raises :class:`~vinculo.core.errors.ValidationFailed` or
    ``BadFilter`` when a saved filter no longer compiles: the caller shows why)."""
    start, end = days_of(actor, widget, today)
    found = WidgetData(widget, start, end)
    if widget.kind == WidgetKind.COHORT:
        _cohorts(actor, widget, found)
        return found
    if widget.kind == WidgetKind.FUNNEL:
        _funnel(actor, widget, found)
        return found
    found.kpi = get(widget.kpi)
    if found.kpi is None:  # a KPI no longer registered
        found.available = False
        return found
    if widget.kind == WidgetKind.LEADERBOARD and not selectors.leaderboards_shown(actor):
        found.hidden = True
        return found
    grain = Grain(widget.grain)
    m = measure(
        widget.kpi,
        scope_of(actor, widget),
        start=start,
        end=end,
        grain=grain,
        group_by=widget.group_by or None,
        segment_object=(widget.filters or {}).get("segment_object") or "person",
    )
    if widget.group_by in {"pipeline", "lifecycle_stage"}:
        names = presenting.group_names(actor, widget.group_by, [g[0] for g in m.groups])
        m.groups = [(key, names.get(key, label), value) for key, label, value in m.groups]
    if widget.kind == WidgetKind.LEADERBOARD:
        m.groups = m.groups[: widget.limit]
    found.measurement = m
    found.url = _kpi_url(widget, start, end)
    return found
