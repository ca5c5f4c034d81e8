"""Changing dashboards: create, rename, delete; add, change (resize), remove and reorder
widgets; and the default dashboards (Sales, Marketing, Service, Management) every workspace is
made with. Each checks who may change the dashboard (:func:`selectors.may_edit`) and names the
field of any bad input."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from vinculo.core import audit, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import (
    FieldError,
    PermissionDenied,
    ValidationFailed,
    choice_error,
    collect,
    raise_if_any,
)
from vinculo.core.permissions import require
from vinculo.core.tenancy import Team
from vinculo.insights.dashboards import selectors, validation
from vinculo.insights.dashboards.catalogue import DEFAULTS, MAX_WIDGETS
from vinculo.insights.dashboards.models import (
    Dashboard,
    DashboardScope,
    DashboardSettings,
    Widget,
)

WIDGET_FIELDS = ("kind", "kpi", "basis", "title", "filters", "grain", "period", "group_by", "limit",
                 "width")  # fmt: skip
WIDGET_DEFAULTS: dict[str, Any] = {
    "kpi": "",
    "basis": "",
    "title": "",
    "filters": {},
    "grain": "week",
    "period": "last_30",
    "group_by": "",
    "limit": 5,
    "width": 1,
}


def _refuse_unless_editable(actor: Actor, dashboard: Dashboard) -> None:
    if not selectors.may_edit(actor, dashboard):
        raise PermissionDenied(_("You cannot change this dashboard."))


# --- dashboards ---------------------------------------------------------------------------------


def _clean_dashboard(actor: Actor, data: dict[str, Any], errors: list[FieldError]) -> None:
    scope = data.get("scope") or DashboardScope.PERSONAL
    if scope not in DashboardScope.values:
        errors.append(choice_error("scope", scope, DashboardScope.values))
        return
    data["scope"] = scope
    if scope == DashboardScope.TEAM:
        team_id = data.get("team_id")
        if not team_id:
            errors.append(FieldError("team_id", _("Choose a team."), "required"))
        elif not Team.objects.for_workspace(actor.workspace).filter(pk=team_id).exists():
            errors.append(FieldError("team_id", _("Not found in this workspace."), "unknown"))
    else:
        data["team_id"] = None
    if scope == DashboardScope.PERSONAL and actor.user is None:
        errors.append(FieldError("scope", _("Only a person has personal dashboards."), "invalid"))


def create_dashboard(*, actor: Actor, data: dict[str, Any]) -> Dashboard:
    """A dashboard named ``name`` with ``scope`` (workspace, team with ``team_id``, personal:
    the default), placed after the others."""
    require(actor, "insights.view")
    errors: list[FieldError] = []
    name = collect(errors, validators.clean_name, data.get("name"), "name", required=True,
                   max_length=120)  # fmt: skip
    _clean_dashboard(actor, data, errors)
    raise_if_any(errors)
    dashboard = Dashboard(
        workspace=actor.workspace,
        name=name,
        scope=data["scope"],
        team_id=data.get("team_id"),
        owner=actor.user if data["scope"] == DashboardScope.PERSONAL else None,
        created_by=actor.user,
    )
    _refuse_unless_editable(actor, dashboard)
    with transaction.atomic():
        top = Dashboard.objects.for_workspace(actor.workspace).aggregate(m=Max("position"))["m"]
        dashboard.position = 0 if top is None else top + 1
        dashboard.save()
        audit.record(actor, "dashboard.created", dashboard, changes={"name": [None, name]})
    return dashboard


def update_dashboard(*, actor: Actor, dashboard_id: int, data: dict[str, Any]) -> Dashboard:
    """Rename a dashboard (its scope stays: make a new one to share it otherwise)."""
    dashboard = selectors.get_dashboard(actor, dashboard_id)
    _refuse_unless_editable(actor, dashboard)
    if "name" in data:
        name = validators.clean_name(data["name"], "name", required=True, max_length=120)
        with transaction.atomic():
            before = dashboard.name
            dashboard.name = name
            dashboard.save(update_fields=["name", "updated_at"])
            audit.record(actor, "dashboard.updated", dashboard, changes={"name": [before, name]})
    return dashboard


def delete_dashboard(*, actor: Actor, dashboard_id: int) -> None:
    dashboard = selectors.get_dashboard(actor, dashboard_id)
    _refuse_unless_editable(actor, dashboard)
    with transaction.atomic():
        audit.record(actor, "dashboard.deleted", dashboard)
        dashboard.delete()


# --- widgets ------------------------------------------------------------------------------------


def clean_widget(actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """The widget's fields checked and normalised; every bad field at once (422)."""
    errors: list[FieldError] = []
    data = {**WIDGET_DEFAULTS, **{k: v for k, v in data.items() if k in WIDGET_FIELDS}}
    kpi = validation.check_kind_and_kpi(data, errors)
    validation.check_basis(data, errors)
    data["title"] = collect(errors, validators.clean_name, data.get("title"), "title",
                            max_length=120) or ""  # fmt: skip
    validation.check_period_and_grain(data, errors)
    validation.check_layout(data, errors)
    validation.check_group_by(data, kpi, errors)
    validation.check_filters(actor, data, kpi, errors)
    raise_if_any(errors)
    return data


def _editable(actor: Actor, dashboard_id: int) -> Dashboard:
    dashboard = selectors.get_dashboard(actor, dashboard_id)
    _refuse_unless_editable(actor, dashboard)
    return dashboard


def add_widget(*, actor: Actor, dashboard_id: int, data: dict[str, Any]) -> Widget:
    """A widget at the end of the dashboard."""
    dashboard = _editable(actor, dashboard_id)
    clean = clean_widget(actor, data)
    with transaction.atomic():
        mine = Widget.objects.for_workspace(actor.workspace).filter(dashboard=dashboard)
        if mine.count() >= MAX_WIDGETS:
            raise ValidationFailed.field(
                "dashboard", _("A dashboard holds at most %(n)s widgets.") % {"n": MAX_WIDGETS}
            )
        top = mine.aggregate(m=Max("position"))["m"]
        widget = Widget.objects.create(
            workspace=actor.workspace,
            dashboard=dashboard,
            position=0 if top is None else top + 1,
            created_by=actor.user,
            **clean,
        )
        audit.record(actor, "dashboard.widget_added", widget, changes={"kind": [None, widget.kind]})
    return widget


def update_widget(
    *, actor: Actor, dashboard_id: int, widget_id: int, data: dict[str, Any]
) -> Widget:
    """Change some of a widget's fields (``width`` alone resizes it)."""
    _editable(actor, dashboard_id)
    widget = selectors.get_widget(actor, dashboard_id, widget_id)
    before = {name: getattr(widget, name) for name in WIDGET_FIELDS}
    clean = clean_widget(actor, {**before, **data})
    with transaction.atomic():
        for name, value in clean.items():
            setattr(widget, name, value)
        widget.save()
        audit.record(actor, "dashboard.widget_updated", widget, changes=audit.diff(before, clean))
    return widget


def resize_widget(*, actor: Actor, dashboard_id: int, widget_id: int, width: Any) -> Widget:
    return update_widget(
        actor=actor, dashboard_id=dashboard_id, widget_id=widget_id, data={"width": width}
    )


def remove_widget(*, actor: Actor, dashboard_id: int, widget_id: int) -> None:
    _editable(actor, dashboard_id)
    widget = selectors.get_widget(actor, dashboard_id, widget_id)
    with transaction.atomic():
        audit.record(actor, "dashboard.widget_removed", widget)
        widget.delete()


def reorder_widgets(*, actor: Actor, dashboard_id: int, widget_ids: list[int]) -> list[Widget]:
    """Put the dashboard's widgets in the order of ``widget_ids`` (every one of them, once)."""
    dashboard = _editable(actor, dashboard_id)
    current = {w.pk: w for w in selectors.widgets(actor, dashboard)}
    if sorted(widget_ids) != sorted(current) or len(set(widget_ids)) != len(widget_ids):
        raise ValidationFailed.field(
            "widget_ids", _("List every widget of the dashboard once."), "invalid"
        )
    with transaction.atomic():
        for position, pk in enumerate(widget_ids):
            current[pk].position = position
        Widget.objects.bulk_update(current.values(), ["position"])
        audit.record(actor, "dashboard.widgets_reordered", dashboard,
                     changes={"widget_ids": [None, widget_ids]})  # fmt: skip
    return [current[pk] for pk in widget_ids]


def move_widget(*, actor: Actor, dashboard_id: int, widget_id: int, step: int) -> list[Widget]:
    """Move a widget one place earlier (``step`` -1) or later (+1)."""
    dashboard = _editable(actor, dashboard_id)
    order = [w.pk for w in selectors.widgets(actor, dashboard)]
    if widget_id not in order:
        selectors.get_widget(actor, dashboard_id, widget_id)  # the 404
    i = order.index(widget_id)
    j = max(0, min(len(order) - 1, i + (1 if step > 0 else -1)))
    order[i], order[j] = order[j], order[i]
    return reorder_widgets(actor=actor, dashboard_id=dashboard_id, widget_ids=order)


# --- the default dashboards ---------------------------------------------------------------------


def make_default_dashboards(actor: Actor) -> list[Dashboard]:
    """The Sales, Marketing, Service and Management dashboards, shared with the workspace; one
    already there (by its kind) is left as it is. Made with every workspace
    (:mod:`vinculo.core.workspace_defaults`); never on a read."""
    ws = actor.workspace
    have = set(
        Dashboard.objects.for_workspace(ws).filter(is_default=True).values_list("kind", flat=True)
    )
    made = []
    for position, (kind, widgets) in enumerate(DEFAULTS.items()):
        if kind in have:
            continue
        dashboard = Dashboard.objects.create(
            workspace=ws, kind=kind, scope=DashboardScope.WORKSPACE, position=position,
            is_default=True,
        )  # fmt: skip
        Widget.objects.bulk_create(
            [
                Widget(workspace=ws, dashboard=dashboard, position=i, **{**WIDGET_DEFAULTS, **w})
                for i, w in enumerate(widgets)
            ]
        )
        made.append(dashboard)
    return made


# --- the workspace's dashboard settings ---------------------------------------------------------


def update_dashboard_settings(*, actor: Actor, data: dict[str, Any]) -> DashboardSettings:
    """Turn the workspace's leaderboards on or off (``show_leaderboards``, a yes/no); those who
    manage dashboards (managers, admins, owners) may. 422 ``show_leaderboards`` when it is not
    a yes/no."""
    require(actor, "dashboards.manage")
    show = data.get("show_leaderboards")
    if not isinstance(show, bool):
        raise ValidationFailed.field(
            "show_leaderboards", _("Say yes (true) or no (false)."), "invalid"
        )
    with transaction.atomic():
        row, _made = DashboardSettings.objects.select_for_update().get_or_create(
            workspace=actor.workspace, defaults={"created_by": actor.user}
        )
        if row.show_leaderboards != show:
            before = row.show_leaderboards
            row.show_leaderboards = show
            row.save(update_fields=["show_leaderboards", "updated_at"])
            audit.record(
                actor,
                "dashboard_settings.updated",
                row,
                changes={"show_leaderboards": [before, show]},
            )
    return row
