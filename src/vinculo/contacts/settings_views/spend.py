"""Settings, marketing spend: a year's grid of spend per channel (rows) and month (columns),
and the form that enters or changes one month's spend on a channel (``web:settings:spend…``).
What CAC divides by the new customers (docs/kpis.md)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contact_services
from vinculo.contacts.models import Spend
from vinculo.core.errors import ServiceError
from vinculo.core.filters.context import workspace_today
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.text import fold
from vinculo.core.ui import actor, workspace_view

FORM_FIELDS = ("month", "channel", "amount", "currency", "note")


@dataclass
class GridRow:
    """One channel in one currency: its entry per month (None: nothing entered) and total."""

    channel: str
    currency: str
    cells: list[Spend | None]
    total: Decimal = Decimal(0)


@dataclass
class Grid:
    months: list[date]
    rows: list[GridRow] = field(default_factory=list)
    totals: list[tuple[str, list[Decimal], Decimal]] = field(default_factory=list)


def _grid(entries: list[Spend], year: int) -> Grid:
    grid = Grid(months=[date(year, m, 1) for m in range(1, 13)])
    rows: dict[tuple[str, str], GridRow] = {}
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 12)
    for entry in entries:
        row = rows.setdefault(
            (entry.channel_key, entry.currency),
            GridRow(entry.channel, entry.currency, [None] * 12),
        )
        row.cells[entry.month.month - 1] = entry
        row.total += entry.amount
        sums[entry.currency][entry.month.month - 1] += entry.amount
    grid.rows = sorted(rows.values(), key=lambda r: (fold(r.channel), r.currency))
    grid.totals = [(code, sums[code], sum(sums[code], Decimal(0))) for code in sorted(sums)]
    return grid


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "") or request.POST.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return workspace_today(actor(request)).year


def _spend_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    year = _year(request)
    entries = contact_selectors.spend_entries(a, start=date(year, 1, 1), end=date(year, 12, 1))
    edit_id = request.GET.get("edit", "")
    editing = contact_selectors.get_spend(a, int(edit_id)) if edit_id.isdigit() else None
    return page(
        request,
        "contacts/settings/spend.html",
        "spend",
        {
            "year": year,
            "year_text": str(year),
            "previous_year": str(year - 1),
            "next_year": str(year + 1),
            "grid": _grid(entries, year),
            "editing": editing,
            "channels": contact_selectors.spend_channels(a, contact_services.SUGGESTED_CHANNELS),
            "default_currency": a.workspace.default_currency,
            "can_change": can(a, "marketing.write"),
            "errors": {},
            "failed": False,
            "posted": {},
            **extra,
        },
        status=status,
    )


def _back(year: int) -> HttpResponse:
    return redirect(f"{reverse('web:settings:spend')}?year={year}")


@workspace_view
def spend(request: HttpRequest) -> HttpResponse:
    return _spend_page(request)


@workspace_view
@require_POST
def spend_save(request: HttpRequest) -> HttpResponse:
    """Enter a month's spend on a channel, or (with ``spend_id``) change an entry."""
    data = {name: request.POST.get(name, "") for name in FORM_FIELDS}
    spend_id = request.POST.get("spend_id", "")
    a = actor(request)
    try:
        if spend_id.isdigit():
            saved = contact_services.update_spend(actor=a, spend_id=int(spend_id), data=data)
        else:
            saved = contact_services.create_spend(actor=a, data=data)
    except ServiceError as exc:
        editing = contact_selectors.get_spend(a, int(spend_id)) if spend_id.isdigit() else None
        return _spend_page(
            request,
            status=422,
            errors=form_errors(exc),
            failed=True,
            posted=data,
            editing=editing,
        )
    messages.success(request, _("Spend on %(channel)s saved.") % {"channel": saved.channel})
    return _back(saved.month.year)


@workspace_view
@require_POST
def spend_delete(request: HttpRequest, spend_id: int) -> HttpResponse:
    contact_services.delete_spend(actor=actor(request), spend_id=spend_id)
    messages.success(request, _("Spend entry deleted."))
    return _back(_year(request))
