"""The customer-value screen (``/customer-value/``): RFM segments, the CLV models' fitted
parameters and diagnostics, a chart of the probability alive, the customers at risk (most value
at stake first, with the reason in words) and a recompute form (``records.write``)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.pagination import paginate
from vinculo.core.permissions import can, require
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.events import selectors
from vinculo.events.models import ChurnRisk
from vinculo.events.services.rfm import recompute_rfm

RISKS = {"high": [ChurnRisk.HIGH], "medium": [ChurnRisk.MEDIUM], "any": None}


def _chart(histogram: list[int]) -> dict[str, Any]:
    """The chart's plain numbers (json_script): customers per tenth of probability alive."""
    return {
        "counts": histogram,
        "names": {
            "x": _("Probability alive"),
            "y": _("Customers"),
        },
    }


def _people_url(risk: str) -> str:
    """The people list filtered to the same customers (the filter language's churn_risk)."""
    levels = [level.value for level in RISKS[risk] or [ChurnRisk.HIGH, ChurnRisk.MEDIUM]]
    conditions = [{"field": "churn_risk", "op": "eq", "value": level} for level in levels]
    tree = conditions[0] if len(conditions) == 1 else {"or": conditions}
    return reverse("contacts:people") + "?" + urlencode({"filter": json.dumps(tree)})


def _page(request: HttpRequest, errors: dict[str, list[str]], status: int = 200) -> HttpResponse:
    a = actor(request)
    summary = selectors.customer_value_summary(a)
    risk = request.GET.get("risk", "any")
    risk = risk if risk in RISKS else "any"
    rows = selectors.customers_at_risk(a, RISKS[risk])
    try:
        page = paginate(rows, cursor=request.GET.get("cursor"), limit=25, order="-value_at_stake")
    except ServiceError:
        page = paginate(rows, cursor=None, limit=25, order="-value_at_stake")
    context = {
        "summary": summary,
        "model": summary["model"],
        "at_risk": [(row, selectors.churn_reason_of(row)) for row in page.items],
        "next_cursor": page.next_cursor,
        "risk": risk,
        "people_url": _people_url(risk),
        "chart": _chart(selectors.p_alive_histogram(a)),
        "can_recompute": can(a, "records.write"),
        "errors": errors,
        "analysis_date": request.POST.get("analysis_date", ""),
    }
    return render(request, "events/customer_value.html", context, status=status)


@workspace_view
def customer_value(request: HttpRequest) -> HttpResponse:
    return _page(request, {})


@workspace_view
@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    """Recompute RFM, CLV and churn risk as of the form's analysis date (default today)."""
    a = actor(request)
    require(a, "records.write")
    raw = request.POST.get("analysis_date", "").strip()
    try:
        day = parse_date(raw) if raw else None
    except ValueError:
        day = None
    if raw and day is None:
        message = _("Enter a valid date (YYYY-MM-DD).")
        return _page(request, {"analysis_date": [message]}, status=422)
    try:
        recompute_rfm(a, day)
    except ServiceError as exc:
        return _page(request, field_errors(exc), status=422)
    messages.success(request, _("Customer value recomputed."))
    return redirect(reverse("events:customer_value"))
