"""Settings of the workspace itself: name, currency, language, time zone (workspaces app)."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.ui import actor, workspace_view
from vinculo.workspaces import services as ws_services

CURRENCIES = ["BRL", "USD", "EUR", "GBP", "ARS", "CLP", "COP", "MXN", "PEN", "UYU", "PYG", "BOB"]


WORKSPACE_FIELDS = ("name", "default_currency", "locale", "timezone", "country")


@workspace_view
def workspace(request: HttpRequest) -> HttpResponse:
    """The workspace's name, currency, language and time zone (read-only without the right)."""
    a = actor(request)
    errors: dict[str, list[str]] = {}
    current = a.workspace
    data = {name: getattr(current, name) for name in WORKSPACE_FIELDS}
    if request.method == "POST":
        posted = {name: request.POST[name] for name in WORKSPACE_FIELDS if name in request.POST}
        data = {**data, **posted}
        try:
            ws_services.update_workspace(actor=a, data=posted)
        except ServiceError as exc:
            errors = form_errors(exc)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("web:settings:workspace")
    return page(
        request,
        "web/settings/workspace.html",
        "workspace",
        {
            "data": data,
            "country": current.country,
            "errors": errors,
            "can_change": can(a, "workspace.manage"),
            "languages": settings.LANGUAGES,
            "currencies": CURRENCIES,
            "timezones": sorted(zoneinfo.available_timezones()),
        },
        status=422 if errors else 200,
    )
