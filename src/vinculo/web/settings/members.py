"""Settings, members and roles: invite, change a role, remove (workspaces app)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.actor import Actor
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.tenancy import Role
from vinculo.core.ui import actor, field_errors, is_htmx, render_once, show_once, workspace_view
from vinculo.workspaces import invitations
from vinculo.workspaces import selectors as ws_selectors
from vinculo.workspaces import services as ws_services


def _role_choices(a: Actor) -> list[tuple[str, Any]]:
    """The roles this actor may hand out (only owners grant the owner role)."""
    return [
        (value, label)
        for value, label in Role.choices
        if value != Role.OWNER or can(a, "owners.manage")
    ]


def _members_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return page(
        request,
        "web/settings/members.html",
        "members",
        {
            "memberships": ws_selectors.members(a).order_by("user__email"),
            "invitations": invitations.pending_invitations(a),
            "roles": _role_choices(a),
            "all_roles": Role.choices,
            "can_change": can(a, "members.manage"),
            "can_manage_owners": can(a, "owners.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def members(request: HttpRequest) -> HttpResponse:
    return render_once(request, "member", _members_page, "added")


@workspace_view
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    """Invite a member; the link (when it was not emailed) is shown once, after the redirect."""
    a = actor(request)
    data = {
        "email": request.POST.get("email", ""),
        "full_name": request.POST.get("full_name", ""),
        "role": request.POST.get("role", ""),
    }
    try:
        new = invitations.invite_member(
            actor=a, email=data["email"], role=data["role"], full_name=data["full_name"]
        )
    except ServiceError as exc:
        return _members_page(request, status=422, errors=form_errors(exc), data=data)
    added = {
        "email": new.invitation.email,
        "emailed": new.emailed,
        "url": None if new.emailed else new.url,
    }
    show_once(request, "member", added)
    return redirect("web:settings:members")


def _member_row(
    request: HttpRequest, membership_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    a = actor(request)
    return render(
        request,
        "web/settings/_member_row.html",
        {
            "m": ws_selectors.get_member(a, membership_id),
            "roles": _role_choices(a),
            "can_change": can(a, "members.manage"),
            "can_manage_owners": can(a, "owners.manage"),
            **extra,
        },
        status=status,
    )


@workspace_view
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Change a member's role (htmx swaps the row; without JavaScript, back to the list)."""
    a = actor(request)
    role = request.POST.get("role", "")
    try:
        ws_services.change_member_role(actor=a, membership_id=membership_id, role=role)
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        # The detail says why (e.g. "a workspace needs at least one owner"); show it as it comes.
        if is_htmx(request):
            return _member_row(
                request, membership_id, status=422, row_error=exc.detail, posted_role=role
            )
        messages.error(request, exc.detail)
        return redirect("web:settings:members")
    if is_htmx(request):
        return _member_row(request, membership_id, saved=True)
    messages.success(request, _("Role changed."))
    return redirect("web:settings:members")


@workspace_view
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    a = actor(request)
    try:
        ws_services.remove_member(actor=a, membership_id=membership_id)
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Member removed; their API tokens were revoked."))
    return redirect("web:settings:members")
