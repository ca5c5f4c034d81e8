"""API of dashboards: ``/api/v1/dashboards`` (CRUD), their widgets (CRUD and reorder) and a
widget's numbers (``GET /dashboards/{id}/widgets/{wid}/data``). Another workspace's dashboards
are never listed and their ids answer 404."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import Actor, actor_of
from vinculo.core.kpis.api import GroupOut, Number, PointOut, measurement_json
from vinculo.core.reports_api import CohortRetentionOut, cohorts_out
from vinculo.core.schemas import ERRORS, Id, Int32
from vinculo.insights.dashboards import selectors, services
from vinculo.insights.dashboards.data import widget_data
from vinculo.insights.dashboards.models import Dashboard, Widget

router = Router(tags=["dashboards"])


class DashboardIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    scope: str = Field("personal", description="workspace, team or personal.")
    team_id: Id | None = Field(None, description="The team of a team dashboard.")


class DashboardPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None


class WidgetFilters(Schema):
    model_config = ConfigDict(extra="forbid")

    segment: dict[str, Any] | None = Field(None, description="A filter-language tree.")
    segment_object: str | None = Field(None, description="person (default) or deal.")
    pipeline_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    source: str | None = Field(None, max_length=60)
    lifecycle_stage: str | None = Field(None, max_length=40)


class WidgetIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="number, line, bar, area, funnel, leaderboard, table or cohort.")
    kpi: str = Field("", description="A KPI key (GET /kpis); blank for funnel and cohort.")
    basis: str = Field(
        "", description="A cohort heat map's: purchases or lifecycle (blank for other kinds)."
    )
    title: str = ""
    filters: WidgetFilters | None = None
    grain: str = Field("week", description="day, week, month or quarter.")
    period: str = Field(
        "last_30",
        description="last_30, last_90, this_month, last_month, this_quarter, this_year, "
        "last_12_months.",
    )
    group_by: str = Field("", description="A table's dimension (owner, pipeline, source…).")
    limit: Int32 = Field(5, description="A leaderboard's top N (1-50).")
    width: Int32 = Field(1, description="Columns of four (1-4).")


class WidgetPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    kpi: str | None = None
    basis: str | None = None
    title: str | None = None
    filters: WidgetFilters | None = None
    grain: str | None = None
    period: str | None = None
    group_by: str | None = None
    limit: Int32 | None = None
    width: Int32 | None = None


class WidgetOut(Schema):
    id: int
    dashboard_id: int
    kind: str
    kpi: str
    basis: str
    title: str
    filters: dict[str, Any]
    grain: str
    period: str
    group_by: str
    limit: int
    width: int
    position: int


class DashboardOut(Schema):
    id: int
    name: str = Field(description="A default dashboard's name in the reader's language.")
    kind: str = Field(description="sales, marketing, service, management for the defaults.")
    scope: str
    team_id: int | None
    owner_id: int | None
    position: int
    is_default: bool
    editable: bool = Field(description="Whether the caller may change it.")
    created_at: datetime
    widgets: list[WidgetOut]


class DashboardList(Schema):
    items: list[DashboardOut]


class ReorderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    widget_ids: list[Id] = Field(description="Every widget of the dashboard, in the new order.")


class StepOut(Schema):
    stage_id: int
    label: str
    kind: str
    deals: int
    from_previous: float | None
    overall: float | None


class WidgetDataOut(Schema):
    widget_id: int
    kind: str
    kpi: str
    available: bool = Field(
        description="False when nothing measures it (a KPI or cohort basis no longer registered)."
    )
    hidden: bool = Field(
        False,
        description="True for a leaderboard while the workspace's leaderboards are off "
        "(GET /dashboard-settings): nothing is measured.",
    )
    start: date
    end: date
    url: str = Field(description="The screen of the list or report behind the numbers.")
    unit: str | None = None
    grain: str | None = None
    value: Number = None
    previous_start: date | None = None
    previous_end: date | None = None
    previous: Number = None
    change: float | None = None
    currency: str = ""
    series: list[PointOut] = Field(default_factory=list)
    groups: list[GroupOut] = Field(default_factory=list)
    steps: list[StepOut] = Field(default_factory=list)
    cohorts: CohortRetentionOut | None = Field(
        None,
        description="A cohort heat map's cohort report for the months of its period, as "
        "GET /reports/cohort-retention gives it.",
    )


def widget_json(w: Widget) -> dict[str, Any]:
    return {f: getattr(w, f) for f in WidgetOut.model_fields if f != "dashboard_id"} | {
        "dashboard_id": w.dashboard_id
    }


def dashboard_json(
    actor: Actor, d: Dashboard, widgets: list[Widget], teams: set[int] | None = None
) -> dict[str, Any]:
    return {
        "id": d.pk,
        "name": selectors.name_of(d),
        "kind": d.kind,
        "scope": d.scope,
        "team_id": d.team_id,
        "owner_id": d.owner_id,
        "position": d.position,
        "is_default": d.is_default,
        "editable": selectors.may_edit(actor, d, teams),
        "created_at": d.created_at,
        "widgets": [widget_json(w) for w in widgets],
    }


def _one(actor: Actor, dashboard_id: int) -> dict[str, Any]:
    d = selectors.get_dashboard(actor, dashboard_id)
    return dashboard_json(actor, d, selectors.widgets(actor, d))


def _widget_in(payload: Schema, *, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    if "filters" in data and data["filters"] is not None:
        data["filters"] = {k: v for k, v in data["filters"].items() if v is not None}
    return data


@router.get("/dashboards", response={200: DashboardList, **ERRORS}, summary="The dashboards")
def list_dashboards(request: HttpRequest) -> dict[str, Any]:
    """The workspace's dashboards, the caller's teams' and the caller's own, with their widgets."""
    actor = actor_of(request)
    found = list(selectors.dashboards(actor))
    by_dashboard = selectors.widgets_of(actor, found)
    teams = selectors.team_ids(actor)
    return {"items": [dashboard_json(actor, d, by_dashboard[d.pk], teams) for d in found]}


@router.post("/dashboards", response={201: DashboardOut, **ERRORS}, summary="Make a dashboard")
def create_dashboard(request: HttpRequest, payload: DashboardIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    d = services.create_dashboard(actor=actor, data=payload.dict())
    return Status(201, _one(actor, d.pk))


@router.get(
    "/dashboards/{dashboard_id}", response={200: DashboardOut, **ERRORS}, summary="One dashboard"
)
def get_dashboard(request: HttpRequest, dashboard_id: Id) -> dict[str, Any]:
    return _one(actor_of(request), dashboard_id)


@router.patch(
    "/dashboards/{dashboard_id}",
    response={200: DashboardOut, **ERRORS},
    summary="Rename a dashboard",
)
def update_dashboard(request: HttpRequest, dashboard_id: Id, payload: DashboardPatch) -> Any:
    actor = actor_of(request)
    services.update_dashboard(
        actor=actor, dashboard_id=dashboard_id, data=payload.dict(exclude_unset=True)
    )
    return _one(actor, dashboard_id)


@router.delete(
    "/dashboards/{dashboard_id}",
    response={204: None, **ERRORS},
    summary="Delete a dashboard and its widgets",
)
def delete_dashboard(request: HttpRequest, dashboard_id: Id) -> Status[None]:
    services.delete_dashboard(actor=actor_of(request), dashboard_id=dashboard_id)
    return Status(204, None)


@router.get(
    "/dashboards/{dashboard_id}/widgets",
    response={200: list[WidgetOut], **ERRORS},
    summary="A dashboard's widgets, in order",
)
def list_widgets(request: HttpRequest, dashboard_id: Id) -> list[dict[str, Any]]:
    actor = actor_of(request)
    d = selectors.get_dashboard(actor, dashboard_id)
    return [widget_json(w) for w in selectors.widgets(actor, d)]


@router.post(
    "/dashboards/{dashboard_id}/widgets",
    response={201: WidgetOut, **ERRORS},
    summary="Add a widget at the end",
)
def add_widget(request: HttpRequest, dashboard_id: Id, payload: WidgetIn) -> Status[Any]:
    w = services.add_widget(
        actor=actor_of(request), dashboard_id=dashboard_id, data=_widget_in(payload, partial=False)
    )
    return Status(201, widget_json(w))


@router.post(
    "/dashboards/{dashboard_id}/widgets/reorder",
    response={200: list[WidgetOut], **ERRORS},
    summary="Reorder the widgets",
)
def reorder_widgets(request: HttpRequest, dashboard_id: Id, payload: ReorderIn) -> Any:
    done = services.reorder_widgets(
        actor=actor_of(request), dashboard_id=dashboard_id, widget_ids=list(payload.widget_ids)
    )
    return [widget_json(w) for w in done]


@router.get(
    "/dashboards/{dashboard_id}/widgets/{widget_id}",
    response={200: WidgetOut, **ERRORS},
    summary="One widget",
)
def get_widget(request: HttpRequest, dashboard_id: Id, widget_id: Id) -> dict[str, Any]:
    return widget_json(selectors.get_widget(actor_of(request), dashboard_id, widget_id))


@router.patch(
    "/dashboards/{dashboard_id}/widgets/{widget_id}",
    response={200: WidgetOut, **ERRORS},
    summary="Change (or resize) a widget",
)
def update_widget(
    request: HttpRequest, dashboard_id: Id, widget_id: Id, payload: WidgetPatch
) -> dict[str, Any]:
    w = services.update_widget(
        actor=actor_of(request),
        dashboard_id=dashboard_id,
        widget_id=widget_id,
        data=_widget_in(payload, partial=True),
    )
    return widget_json(w)


@router.delete(
    "/dashboards/{dashboard_id}/widgets/{widget_id}",
    response={204: None, **ERRORS},
    summary="Remove a widget",
)
def remove_widget(request: HttpRequest, dashboard_id: Id, widget_id: Id) -> Status[None]:
    services.remove_widget(actor=actor_of(request), dashboard_id=dashboard_id, widget_id=widget_id)
    return Status(204, None)


@router.get(
    "/dashboards/{dashboard_id}/widgets/{widget_id}/data",
    response={200: WidgetDataOut, **ERRORS},
    summary="A widget's numbers",
)
def get_widget_data(request: HttpRequest, dashboard_id: Id, widget_id: Id) -> dict[str, Any]:
    """The numbers the widget shows, as ``GET /kpis/{key}`` gives them for the widget's period
    (in the workspace's time zone), grain and filters; the funnel's steps for a funnel; for a
    cohort heat map, its cohort report over the months of its period."""
    actor = actor_of(request)
    found = widget_data(actor, selectors.get_widget(actor, dashboard_id, widget_id))
    w = found.widget
    out: dict[str, Any] = {
        "widget_id": w.pk,
        "kind": w.kind,
        "kpi": w.kpi,
        "available": found.available,
        "hidden": found.hidden,
        "start": found.start,
        "end": found.end,
        "url": found.url,
        "steps": found.steps,
    }
    if found.measurement is not None:
        out |= {k: v for k, v in measurement_json(found.measurement).items() if k != "key"}
    if found.cohorts is not None:
        out["cohorts"] = cohorts_out(found.cohorts)
    return out


# --- the workspace's dashboard settings ---------------------------------------------------------


class DashboardSettingsOut(Schema):
    show_leaderboards: bool = Field(
        description="Whether leaderboard widgets rank the members (off until turned on)."
    )


class DashboardSettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    show_leaderboards: bool = Field(description="Turn the workspace's leaderboards on or off.")


@router.get(
    "/dashboard-settings",
    response={200: DashboardSettingsOut, **ERRORS},
    summary="The workspace's dashboard settings",
)
def get_dashboard_settings(request: HttpRequest) -> dict[str, Any]:
    """Whether the workspace's leaderboard widgets are shown (everyone who sees insights)."""
    return {"show_leaderboards": selectors.dashboard_settings(actor_of(request))}


@router.put(
    "/dashboard-settings",
    response={200: DashboardSettingsOut, **ERRORS},
    summary="Change the workspace's dashboard settings",
)
def put_dashboard_settings(request: HttpRequest, payload: DashboardSettingsIn) -> dict[str, Any]:
    """Turn the leaderboards on or off (managers, admins and owners: ``dashboards.manage``)."""
    row = services.update_dashboard_settings(actor=actor_of(request), data=payload.dict())
    return {"show_leaderboards": row.show_leaderboards}
