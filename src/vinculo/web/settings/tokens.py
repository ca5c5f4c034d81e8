"""Settings, API tokens: create (the key shown once) and revoke (workspaces app)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.actor import Actor
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.ui import actor, render_once, show_once, workspace_view
from vinculo.workspaces import selectors as ws_selectors
from vinculo.workspaces import services as ws_services


def _tokens_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return page(
        request,
        "web/settings/tokens.html",
        "tokens",
        {
            "tokens": ws_selectors.api_tokens(a).order_by("-pk"),
            "sees_everyone": can(a, "tokens.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def tokens(request: HttpRequest) -> HttpResponse:
    return render_once(request, "token", _tokens_page, "created")


def _expiry(a: Actor, raw: str) -> datetime | None:
    """The end of the chosen day in the workspace's time zone; ``ValueError`` when unreadable."""
    raw = raw.strip()
    if not raw:
        return None
    day = datetime.strptime(raw, "%Y-%m-%d").date()  # noqa: DTZ007 (a date, made aware below)
    return datetime.combine(day, time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(a.workspace.timezone))


@workspace_view
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token for the signed-in user; its plaintext is shown once, after the redirect."""
    a = actor(request)
    data = {"name": request.POST.get("name", ""), "expires_at": request.POST.get("expires_at", "")}
    try:
        expires_at = _expiry(a, data["expires_at"])
    except ValueError:
        return _tokens_page(
            request,
            status=422,
            errors={"expires_at": [_("Enter a date such as 2030-12-31.")]},
            data=data,
        )
    try:
        new = ws_services.create_api_token(actor=a, name=data["name"], expires_at=expires_at)
    except ServiceError as exc:
        return _tokens_page(request, status=422, errors=form_errors(exc), data=data)
    show_once(request, "token", {"name": new.token.name, "plaintext": new.plaintext})
    return redirect("web:settings:tokens")


@workspace_view
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ws_services.revoke_api_token(actor=actor(request), token_id=token_id)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("web:settings:tokens")
