"""The dashboards' edit actions (forms posted from the dashboard page, each answered with a
redirect back; refused input comes back as messages naming the field): make and delete a
dashboard; add, resize, move and remove a widget. Moving is by buttons (one place up or down),
which the keyboard reaches like any other."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.insights.dashboards import services


def _page(dashboard_id: int, *, editing: bool = True) -> HttpResponse:
    url = reverse("insights:dashboard", args=[dashboard_id])
    return redirect(f"{url}?edit=1" if editing else url)


def _say(request: HttpRequest, exc: ServiceError) -> None:
    for field, problems in field_errors(exc).items():
        for problem in problems:
            messages.error(request, f"{field}: {problem}" if field else problem)


def _posted_widget(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    filters: dict[str, Any] = {
        name: post.get(name, "").strip()
        for name in ("pipeline_id", "owner_id", "source", "lifecycle_stage")
    }
    segment = post.get("segment", "").strip()
    if segment:
        try:
            filters["segment"] = json.loads(segment)
        except ValueError:
            filters["segment"] = segment  # refused by the service, naming filters.segment
    filters["segment_object"] = post.get("segment_object", "person")
    return {
        "kind": post.get("kind", ""),
        "kpi": post.get("kpi", ""),
        "basis": post.get("basis", ""),
        "title": post.get("title", ""),
        "grain": post.get("grain", "week"),
        "period": post.get("period", "last_30"),
        "group_by": post.get("group_by", ""),
        "limit": post.get("limit", "5") or "5",
        "width": post.get("width", "1") or "1",
        "filters": filters,
    }


@workspace_view
@require_POST
def create_dashboard(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    data = {
        "name": request.POST.get("name", ""),
        "scope": request.POST.get("scope", "personal"),
        "team_id": request.POST.get("team_id") or None,
    }
    try:
        dashboard = services.create_dashboard(actor=a, data=data)
    except ServiceError as exc:
        _say(request, exc)
        return redirect("insights:dashboards")
    return _page(dashboard.pk)


@workspace_view
@require_POST
def delete_dashboard(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    services.delete_dashboard(actor=actor(request), dashboard_id=dashboard_id)
    messages.success(request, _("Dashboard deleted."))
    return redirect("insights:dashboards")


@workspace_view
@require_POST
def add_widget(request: HttpRequest, dashboard_id: int) -> HttpResponse:
    try:
        services.add_widget(
            actor=actor(request), dashboard_id=dashboard_id, data=_posted_widget(request)
        )
    except ServiceError as exc:
        _say(request, exc)
    else:
        messages.success(request, _("Widget added."))
    return _page(dashboard_id)


@workspace_view
@require_POST
def resize_widget(request: HttpRequest, dashboard_id: int, widget_id: int) -> HttpResponse:
    try:
        services.resize_widget(
            actor=actor(request),
            dashboard_id=dashboard_id,
            widget_id=widget_id,
            width=request.POST.get("width", ""),
        )
    except ServiceError as exc:
        _say(request, exc)
    return _page(dashboard_id)


@workspace_view
@require_POST
def move_widget(request: HttpRequest, dashboard_id: int, widget_id: int) -> HttpResponse:
    step = -1 if request.POST.get("step") == "up" else 1
    services.move_widget(actor=actor(request), dashboard_id=dashboard_id, widget_id=widget_id,
                         step=step)  # fmt: skip
    return _page(dashboard_id)


@workspace_view
@require_POST
def remove_widget(request: HttpRequest, dashboard_id: int, widget_id: int) -> HttpResponse:
    services.remove_widget(actor=actor(request), dashboard_id=dashboard_id, widget_id=widget_id)
    messages.success(request, _("Widget removed."))
    return _page(dashboard_id)
