"""Settings → Dashboards (``/insights/settings/``): whether the workspace's leaderboard widgets
rank its members. Everyone who sees insights reads it; those who manage dashboards change it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import page
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.insights.dashboards import selectors, services

SECTION = "dashboards"


@workspace_view
def settings_view(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    shown = selectors.dashboard_settings(a)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data = {"show_leaderboards": request.POST.get("show_leaderboards") == "on"}
        try:
            services.update_dashboard_settings(actor=a, data=data)
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Dashboard settings saved."))
            return redirect("insights:settings")
    context = {
        "show_leaderboards": shown,
        "can_change": can(a, "dashboards.manage"),
        "errors": errors,
    }
    return page(request, "insights/dashboards/settings.html", SECTION, context, status=status)
