"""Settings, teams: groups of members with a lead (workspaces app)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.ui import actor, workspace_view
from vinculo.workspaces import selectors as ws_selectors
from vinculo.workspaces import services as ws_services


def _teams_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    team_list = list(ws_selectors.teams(a))
    for team in team_list:
        team.seat_ids = {seat.user_id for seat in team.team_members.all()}  # type: ignore[attr-defined]
    return page(
        request,
        "web/settings/teams.html",
        "teams",
        {
            "teams": team_list,
            "users": [m.user for m in ws_selectors.members(a).order_by("user__email")],
            "can_change": can(a, "teams.manage"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


def _team_data(request: HttpRequest) -> dict[str, Any]:
    lead = request.POST.get("lead_id", "")
    return {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "lead_id": int(lead) if lead.isdigit() else None,
    }


@workspace_view
def teams(request: HttpRequest) -> HttpResponse:
    return _teams_page(request)


@workspace_view
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    data = _team_data(request)
    try:
        team = ws_services.create_team(actor=actor(request), data=data)
    except ServiceError as exc:
        return _teams_page(request, status=422, errors=form_errors(exc), failed="new", posted=data)
    messages.success(request, _("Team %(name)s created.") % {"name": team.name})
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_update(request: HttpRequest, team_id: int) -> HttpResponse:
    data = _team_data(request)
    try:
        ws_services.update_team(actor=actor(request), team_id=team_id, data=data)
    except ServiceError as exc:
        return _teams_page(
            request, status=422, errors=form_errors(exc), failed=team_id, posted=data
        )
    messages.success(request, _("Team saved."))
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    ws_services.delete_team(actor=actor(request), team_id=team_id)
    messages.success(request, _("Team deleted; its members keep their access."))
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_member_add(request: HttpRequest, team_id: int) -> HttpResponse:
    raw = request.POST.get("user_id", "")
    try:
        ws_services.add_team_member(
            actor=actor(request), team_id=team_id, user_id=int(raw) if raw.isdigit() else 0
        )
    except ServiceError as exc:
        return _teams_page(
            request, status=422, errors=form_errors(exc), failed=team_id, posted={"user_id": raw}
        )
    messages.success(request, _("Added to the team."))
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_member_remove(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    ws_services.remove_team_member(actor=actor(request), team_id=team_id, user_id=user_id)
    messages.success(request, _("Removed from the team."))
    return redirect("web:settings:teams")
