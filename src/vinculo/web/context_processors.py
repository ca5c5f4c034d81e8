from __future__ import annotations

from functools import cache, partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from vinculo.core.notifications import unread_count
from vinculo.core.permissions import permissions_of
from vinculo.core.tenancy import Role
from vinculo.workspaces.selectors import memberships_of

# The navigation every later capability fills: (url name or None while not built, label, icon,
# the URL namespaces whose screens light the entry besides its own page). Integrations is one
# entry: events, web forms, tracking and inbound endpoints are cards on its hub.
NAVIGATION = [
    ("web:home", _("Home"), "home", ()),
    ("contacts:people", _("People"), "people", ()),
    ("contacts:companies", _("Companies"), "companies", ()),
    ("sales:board", _("Deals"), "deals", ("sales",)),
    ("activities:tasks", _("Tasks"), "tasks", ("activities",)),
    ("quality:hub", _("Data quality"), "quality", ("quality",)),
    ("integrations:hub", _("Integrations"), "integrations", ("integrations", "events", "webforms")),
    (None, _("Tickets"), "tickets", ()),
    (None, _("Marketing"), "marketing", ()),
    ("insights:overview", _("Insights"), "insights", ("insights",)),
    ("strategy:plan", _("Strategy"), "strategy", ("strategy",)),
    ("web:settings:index", _("Settings"), "settings", ("web:settings",)),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    context: dict[str, Any] = {
        "LANGUAGES": settings.LANGUAGES,
        "navigation": NAVIGATION,
        "email_enabled": settings.EMAIL_ENABLED,
    }
    if actor is not None:
        context["actor"] = actor
        context["current_workspace"] = actor.workspace
        context["my_permissions"] = permissions_of(actor.role)
        context["can_require_two_factor"] = "owners.manage" in context["my_permissions"]
        context["my_role_label"] = Role(actor.role).label if actor.role in Role.values else ""
        context["my_workspaces"] = list(memberships_of(actor.user)) if actor.user else []
        # Counted only when a page shows the bell (fragments rendered with this context don't).
        context["unread_notifications"] = cache(partial(unread_count, actor))
    return context
