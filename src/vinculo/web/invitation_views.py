"""The invitee's page (accept, or create an account and accept) and withdrawing invitations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from vinculo.core.errors import NotFound, PermissionDenied, ServiceError
from vinculo.core.tenancy import Membership
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.workspaces import invitations
from vinculo.workspaces.middleware import SESSION_WORKSPACE_KEY, client_ip

BACKEND = "vinculo.workspaces.auth.EmailBackend"


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, "web/invitation.html", context, status=status)


def _joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session[SESSION_WORKSPACE_KEY] = membership.workspace_id
    messages.success(request, _("Welcome to %(name)s.") % {"name": membership.workspace.name})
    return redirect("web:home")


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Open an invitation link: a signed-in addressee accepts it; a newcomer sets a password.

    Someone signed in with another address sees nothing of the invitation (403).
    """
    found = invitations.invitation_for_token(token)
    if found is None:
        detail = _("This invitation link is not valid: it was used, withdrawn or expired.")
        return _page(request, {"detail": detail}, status=404)
    user = request.user
    if user.is_authenticated and user.email.casefold() != found.email.casefold():
        return _page(request, {"invitation": found, "wrong_user": True}, status=403)
    if request.method != "POST":
        return _page(request, {"invitation": found})
    try:
        if user.is_authenticated:
            membership = invitations.accept_invitation(
                token=token,
                user=user,
                ip=client_ip(request),
            )
        else:
            if request.POST.get("new_password1") != request.POST.get("new_password2"):
                errors = {"new_password2": [_("The two passwords differ.")]}
                return _page(
                    request,
                    {"invitation": found, "errors": errors, **_typed(request)},
                    status=422,
                )
            membership = invitations.accept_invitation_as_new_user(
                token=token,
                password=request.POST.get("new_password1", ""),
                full_name=request.POST.get("full_name", ""),
                ip=client_ip(request),
            )
            login(request, membership.user, backend=BACKEND)
    except (NotFound, PermissionDenied) as exc:
        return _page(request, {"detail": exc.detail}, status=exc.status)
    except ServiceError as exc:
        errors = field_errors(exc)
        context = {
            "invitation": found,
            "errors": errors,
            "general_errors": errors.get("", []),
            **_typed(request),
        }
        return _page(request, context, status=422)
    return _joined(request, membership)


def _typed(request: HttpRequest) -> dict[str, str]:
    return {"full_name": request.POST.get("full_name", "")}


@workspace_view
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    """Withdraw a pending invitation (its link stops working)."""
    invitations.revoke_invitation(actor=actor(request), invitation_id=invitation_id)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("web:settings:members")
