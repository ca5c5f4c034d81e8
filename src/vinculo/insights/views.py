"""Insights screens: the KPI overview at ``/insights/`` and one KPI at
``/insights/kpis/<key>/`` (with its CSV file). Charts are drawn by ``insights/charts.js`` from
the numbers the page gives with ``json_script``; the tables beside them say the same in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from vinculo.core.errors import NotFound
from vinculo.core.kpis import Kpi, Unit, get
from vinculo.core.permissions import require
from vinculo.core.ui import actor, workspace_view
from vinculo.insights import downloads, presenting
from vinculo.insights.periods import CUSTOM, GRAINS, PRESETS, Picked
from vinculo.insights.presenting import Change
from vinculo.insights.reading import Reading, read_kpi, read_overview
from vinculo.insights.report_views import REPORTS, report_url


@dataclass
class Card:
    kpi: Kpi
    value: str
    previous: str
    change: Change | None
    url: str


def _period_form(request: HttpRequest, picked: Picked) -> dict[str, Any]:
    """The picker's fields: the presets, and the days shown in the custom inputs (the period's
    own, or what was typed when it could not be read)."""
    return {
        "presets": PRESETS,
        "preset": picked.preset,
        "custom": CUSTOM,
        "from_value": picked.start.isoformat() if picked.start else request.GET.get("from", ""),
        "to_value": picked.end.isoformat() if picked.end else request.GET.get("to", ""),
        "picked": picked,
    }


def _errors_list(errors: dict[str, list[str]]) -> list[str]:
    return [message for messages in errors.values() for message in messages]


@workspace_view
def overview(request: HttpRequest) -> HttpResponse:
    """One card per KPI, grouped by app: the value, the previous period's, the change (coloured
    by whether it is good), the definition and a weekly sparkline; each opens its page."""
    a = actor(request)
    require(a, "insights.view")
    found = read_overview(a, request.GET)
    query = urlencode(found.picked.query())
    sections: dict[str, list[Card]] = {}
    sparklines: dict[str, list[Any]] = {}
    for m in found.measurements:
        kpi = m.kpi
        sections.setdefault(kpi.app, []).append(
            Card(
                kpi=kpi,
                value=presenting.shown(kpi, m.value, m.currency),
                previous=presenting.shown(kpi, m.previous, m.currency),
                change=presenting.change_of(m),
                url=f"{reverse('insights:kpi', args=[kpi.key])}?{query}",
            )
        )
        sparklines[kpi.key] = [presenting.plain(kpi, p.value) for p in m.series]
    first = found.measurements[0] if found.measurements else None
    context = {
        **_period_form(request, found.picked),
        "errors": _errors_list(found.errors),
        "sections": [(app, presenting.app_label(app), cards) for app, cards in sections.items()],
        "first": first,
        "chart_data": {"sparklines": sparklines},
        # The reports keep the period, unless it could not be read.
        "reports": [
            (r, report_url(r.name) + ("" if found.errors else f"?{query}"))
            for r in REPORTS.values()
        ],
    }
    return render(request, "insights/overview.html", context, status=400 if found.errors else 200)


def _kpi_or_404(kpi_key: str) -> Kpi:
    kpi = get(kpi_key)
    if kpi is None:
        raise NotFound(_("No KPI is called %(key)s.") % {"key": kpi_key})
    return kpi


def _chart_data(reading: Reading) -> dict[str, Any]:
    """The numbers the charts draw (plain numbers and ISO days, formatted by the browser)."""
    m = reading.measurement
    if m is None:
        return {}
    kpi = reading.kpi
    return {
        "unit": kpi.unit,
        "currency": m.currency,
        "kind": "bar" if kpi.unit is Unit.COUNT else "line",
        "grain": reading.grain,
        "names": {
            "current": _("This period"),
            "previous": _("Previous period"),
            "days": _("days"),
            "quarter": _("Q%(quarter)s %(year)s"),
        },
        "series": [
            {
                "start": point.start.isoformat(),
                "end": point.end.isoformat(),
                "value": presenting.plain(kpi, point.value),
                "previous": presenting.plain(kpi, previous.value if previous else None),
            }
            for point, previous in zip(m.series, reading.previous_points(), strict=True)
        ],
        "groups": [
            {"label": str(label), "value": presenting.plain(kpi, value)}
            for _key, label, value in m.groups
        ],
    }


def _rows(reading: Reading) -> dict[str, Any]:
    m = reading.measurement
    if m is None:
        return {}
    kpi = reading.kpi
    series = [
        (
            p.start,
            p.end,
            presenting.shown(kpi, p.value, m.currency),
            presenting.shown(kpi, previous.value, m.currency) if previous else presenting.NOTHING,
            previous,
        )
        for p, previous in zip(m.series, reading.previous_points(), strict=True)
    ]
    groups = [(label, presenting.shown(kpi, value, m.currency)) for _key, label, value in m.groups]
    return {
        "value": presenting.shown(kpi, m.value, m.currency),
        "previous": presenting.shown(kpi, m.previous, m.currency),
        "change": presenting.change_of(m),
        "series_rows": series,
        "group_rows": groups,
    }


def _query(reading: Reading) -> str:
    params = reading.picked.query()
    params["grain"] = reading.grain
    if reading.group_by:
        params["group_by"] = reading.group_by
    if reading.currency:
        params["currency"] = reading.currency
    params.update(reading.narrowing)
    return urlencode(params)


@workspace_view
def kpi_detail(request: HttpRequest, kpi_key: str) -> HttpResponse:
    """One KPI: period, grain, group and currency; its series as a chart with the previous
    period beside it and as a table; its groups as a bar chart and a table; its CSV file."""
    a = actor(request)
    require(a, "insights.view")
    kpi = _kpi_or_404(kpi_key)
    reading = read_kpi(a, kpi, request.GET)
    context = {
        **_period_form(request, reading.picked),
        **_rows(reading),
        "kpi": kpi,
        "reading": reading,
        "m": reading.measurement,
        "errors": _errors_list(reading.errors),
        "grains": GRAINS,
        "dimensions": [(key, presenting.dimension_label(key)) for key in sorted(kpi.dimensions)],
        "group_label": presenting.dimension_label(reading.group_by) if reading.group_by else "",
        "app_label": presenting.app_label(kpi.app),
        "csv_query": _query(reading),
        "chart_data": _chart_data(reading),
    }
    status = 400 if reading.errors else 200
    return render(request, "insights/kpi.html", context, status=status)


@workspace_view
def kpi_csv(request: HttpRequest, kpi_key: str) -> HttpResponseBase:
    """The page's series and groups as a CSV file; input the page cannot use goes back to the
    page, which says why."""
    a = actor(request)
    require(a, "insights.view")
    kpi = _kpi_or_404(kpi_key)
    reading = read_kpi(a, kpi, request.GET)
    m = reading.measurement
    if m is None:
        page = reverse("insights:kpi", args=[kpi.key])
        return redirect(f"{page}?{request.GET.urlencode()}")
    response = HttpResponse(
        downloads.kpi_csv(reading, m).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{downloads.file_name(m)}"'
    return response
