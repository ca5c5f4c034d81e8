"""The customer tiers screen (``/customer-value/tiers/``): the most valuable (MVC), most growable
(MGC) and problem customers, each with why in words, and the settings they read (the team's
hourly cost, the share per tier; ``settings.manage``)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.pagination import paginate
from vinculo.core.permissions import can, require
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.events import selectors
from vinculo.events.services import tiers
from vinculo.events.tier_text import problem_text, tier_text

TABS = ("mvc", "mgc", "problem")
FILTERS = {
    "mvc": {"field": "value_tier", "op": "eq", "value": "mvc"},
    "mgc": {"field": "value_tier", "op": "eq", "value": "mgc"},
    "problem": {"field": "problem_customer", "op": "is_true"},
}


def _rows(request: HttpRequest, tab: str) -> tuple[list[dict[str, Any]], str | None]:
    rows = selectors.customers_in_tier(actor(request), tab)
    order = "-growth_gap" if tab == "mgc" else "-value_at_stake"
    try:
        page = paginate(rows, cursor=request.GET.get("cursor"), limit=25, order=order)
    except ServiceError:
        page = paginate(rows, cursor=None, limit=25, order=order)
    items = [
        {
            "row": row,
            "why": (
                [problem_text(p, row.currency) for p in row.problems]
                if tab == "problem"
                else [tier_text(row.tier_reason, row.tier_params, row.currency)]
            ),
        }
        for row in page.items
    ]
    return items, page.next_cursor


def _page(
    request: HttpRequest, errors: dict[str, list[str]], form: dict[str, Any], status: int = 200
) -> HttpResponse:
    a = actor(request)
    tab = request.GET.get("tier", "mvc")
    tab = tab if tab in TABS else "mvc"
    items, next_cursor = _rows(request, tab)
    settings = tiers.settings_of(a.workspace)
    context = {
        "tab": tab,
        "counts": selectors.tier_counts(a),
        "items": items,
        "next_cursor": next_cursor,
        "people_url": reverse("contacts:people")
        + "?"
        + urlencode({"filter": json.dumps(FILTERS[tab])}),
        "settings": settings,
        "currency": a.workspace.default_currency,
        "can_manage": can(a, "settings.manage"),
        "errors": errors,
        "form": form,
    }
    return render(request, "events/customer_tiers.html", context, status=status)


@workspace_view
def customer_tiers(request: HttpRequest) -> HttpResponse:
    require(actor(request), "insights.view")
    return _page(request, {}, {})


@workspace_view
@require_POST
def save_settings(request: HttpRequest) -> HttpResponse:
    """Save the hourly cost and the share per tier (applied at the next recompute)."""
    a = actor(request)
    form = {
        "hourly_cost": request.POST.get("hourly_cost", "").strip(),
        "tier_percent": request.POST.get("tier_percent", "").strip(),
    }
    data = {k: v for k, v in form.items() if v or k == "hourly_cost"}  # an empty share: unchanged
    try:
        tiers.save_value_settings(a, data)
    except ServiceError as exc:
        return _page(request, field_errors(exc), form, status=422)
    messages.success(request, _("Saved. The tiers follow at the next recompute."))
    return redirect(reverse("events:customer_tiers"))
