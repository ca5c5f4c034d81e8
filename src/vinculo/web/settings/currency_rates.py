"""Settings, currency rates: what one unit of another currency was worth in the workspace's
currency, month by month, so money KPIs can convert (``vinculo.core.currency``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core import currency
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.ui import actor, workspace_view
from vinculo.web.settings.workspace import CURRENCIES

FIELDS = ("currency", "month", "rate")


def _rates_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return page(
        request,
        "web/settings/currency_rates.html",
        "currency_rates",
        {
            "rates": list(currency.currency_rates(a)),
            "default_currency": a.workspace.default_currency,
            "currencies": [c for c in CURRENCIES if c != a.workspace.default_currency],
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


def _data(request: HttpRequest) -> dict[str, Any]:
    return {name: request.POST.get(name, "") for name in FIELDS}


@workspace_view
def currency_rates(request: HttpRequest) -> HttpResponse:
    return _rates_page(request)


@workspace_view
@require_POST
def currency_rate_create(request: HttpRequest) -> HttpResponse:
    data = _data(request)
    try:
        currency.create_currency_rate(actor=actor(request), data=data)
    except ServiceError as exc:
        return _rates_page(request, status=422, errors=form_errors(exc), failed="new", posted=data)
    messages.success(request, _("Rate saved."))
    return redirect("web:settings:currency_rates")


@workspace_view
@require_POST
def currency_rate_update(request: HttpRequest, rate_id: int) -> HttpResponse:
    data = _data(request)
    try:
        currency.update_currency_rate(actor=actor(request), rate_id=rate_id, data=data)
    except ServiceError as exc:
        return _rates_page(
            request, status=422, errors=form_errors(exc), failed=rate_id, posted=data
        )
    messages.success(request, _("Rate saved."))
    return redirect("web:settings:currency_rates")


@workspace_view
@require_POST
def currency_rate_delete(request: HttpRequest, rate_id: int) -> HttpResponse:
    currency.delete_currency_rate(actor=actor(request), rate_id=rate_id)
    messages.success(request, _("Rate deleted."))
    return redirect("web:settings:currency_rates")
