"""Screens of tracked events (``/events/…``) and the public inbound webhook URL
(``/hooks/in/<token>``)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any, TypedDict

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.core import pickers
from vinculo.core.errors import ServiceError
from vinculo.core.pagination import paginate
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.events import selectors, services
from vinculo.events.models import EventSource, event_name_label
from vinculo.events.presets import PRESETS
from vinculo.events.services.cleaning import STANDARD_NAMES
from vinculo.events.services.summaries import summary_of


def _day(value: str, *, end: bool = False) -> datetime | None:
    day = parse_date(value or "") if value else None
    if day is None:
        return None
    moment = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    return moment + timedelta(days=1) if end else moment


def chart_of(points: list[tuple[Any, int]]) -> dict[str, Any]:
    """Events per day as the shared chart set-up draws them (web/charts.js, ECharts): ISO days
    and plain counts."""
    return {
        "kind": "bar",
        "unit": "count",
        "grain": "day",
        "labels": [day.isoformat() for day, _n in points],
        "series": [{"name": str(_("Events")), "values": [n for _day, n in points]}],
        "total": sum(n for _day, n in points),
    }


@workspace_view
def event_list(request: HttpRequest) -> HttpResponse:
    """Recent events with filters (name, person, dates), counts per name and a chart per day."""
    a = actor(request)
    name = request.GET.get("name", "").strip()
    person = request.GET.get("person", "").strip()
    person_id = int(person) if person.isdigit() else None
    since = _day(request.GET.get("since", ""))
    until = _day(request.GET.get("until", ""), end=True)
    qs = selectors.events(a, name=name or None, person_id=person_id, since=since, until=until)
    try:
        page = paginate(
            qs.select_related("person", "purchase"),
            cursor=request.GET.get("cursor"),
            limit=50,
            order="-occurred_at",
        )
    except ServiceError:
        page = paginate(
            qs.select_related("person", "purchase"), cursor=None, limit=50, order="-occurred_at"
        )
    for event in page.items:
        # Worded in the reader's language, not the sender's (the stored summary).
        event.summary_text = summary_of(event, selectors.purchase_of(event))
    query = request.GET.copy()
    query.pop("cursor", None)
    query.pop("q", None)  # the person picker's text
    return render(
        request,
        "events/list.html",
        {
            "page": page,
            "filters": {
                "name": name,
                "person": person,
                "person_pick": pickers.picked(a, "person", person),
                "since": request.GET.get("since", ""),
                "until": request.GET.get("until", ""),
            },
            "names": [(n, event_name_label(n)) for n in STANDARD_NAMES],
            "counts": [
                (n, event_name_label(n), c) for n, c in selectors.counts_by_name(a, since=since)
            ],
            "chart": chart_of(
                selectors.per_day(a, days=30, name=name or None, person_id=person_id)
            ),
            "query": query.urlencode(),
            "can_manage": can(a, "settings.manage"),
        },
    )


@workspace_view
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    a = actor(request)
    event = selectors.get_event(a, event_id)
    purchase = selectors.purchase_of(event)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "summary": summary_of(event, purchase),
            "purchase": purchase,
            "properties": json.dumps(event.properties, indent=2, ensure_ascii=False),
            "source_label": dict(EventSource.choices).get(event.source, event.source),
        },
    )


@workspace_view
def person_purchases(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's purchase history with totals (reachable from the person's page)."""
    a = actor(request)
    person = selectors.get_person(a, person_id)
    totals = selectors.purchase_totals(a, person_id)
    purchases = selectors.purchases(a, person_id).order_by("-occurred_at", "-id")[:200]
    return render(
        request,
        "events/purchases.html",
        {"person": person, "totals": totals, "purchases": purchases},
    )


@workspace_view
def settings_page(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    current = services.settings_of(a.workspace.pk)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data = {
            "create_unknown_people": request.POST.get("create_unknown_people") == "on",
            "lead_stage": request.POST.get("lead_stage", ""),
            "lead_source": request.POST.get("lead_source", ""),
        }
        try:
            services.update_event_settings(actor=a, data=data)
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
            for key, value in data.items():
                setattr(current, key, value)
        else:
            messages.success(request, _("Settings saved."))
            return redirect(reverse("events:settings"))
    return render(
        request,
        "events/settings.html",
        {
            "settings": current,
            "stages": contact_selectors.lifecycle_stages(a),
            "errors": errors,
            "can_change": can(a, "settings.manage"),
        },
        status=status,
    )


# --- inbound endpoints ----------------------------------------------------------------------


@workspace_view
def endpoint_list(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    return render(
        request,
        "events/endpoints.html",
        {
            "endpoints": selectors.endpoints(a),
            "presets": PRESETS.values(),
            "preset_labels": {k: str(p.label) for k, p in PRESETS.items()},
        },
    )


class _EndpointData(TypedDict):
    """What the endpoint form shows: the endpoint's values, or those just posted."""

    name: str
    preset: str
    secret: str
    is_active: bool
    mapping: str  # JSON text
    sample: str  # JSON text


def _endpoint_form(request: HttpRequest, endpoint: Any = None) -> HttpResponse:
    a = actor(request)
    errors: dict[str, list[str]] = {}
    preview = None
    status = 200
    preset_key = request.GET.get("preset", "") if endpoint is None else endpoint.preset
    preset = PRESETS.get(preset_key)
    data: _EndpointData = {
        "name": endpoint.name if endpoint else (str(preset.label) if preset else ""),
        "preset": preset_key,
        "secret": endpoint.secret if endpoint else "",
        "is_active": endpoint.is_active if endpoint else True,
        "mapping": json.dumps(
            endpoint.mapping if endpoint else (preset.mapping if preset else {"fields": {}}),
            indent=2,
            ensure_ascii=False,
        ),
        "sample": json.dumps(preset.sample, indent=2, ensure_ascii=False) if preset else "",
    }
    if request.method == "POST":
        data.update(
            {
                "name": request.POST.get("name", ""),
                "secret": request.POST.get("secret", ""),
                "is_active": request.POST.get("is_active") == "on",
                "mapping": request.POST.get("mapping", ""),
                "sample": request.POST.get("sample", ""),
            }
        )
        try:
            mapping = json.loads(data["mapping"] or "{}")
        except ValueError:
            mapping = None
            errors["mapping"] = [_("The mapping is not valid JSON.")]
        if "preview" in request.POST:
            try:
                sample = json.loads(data["sample"] or "null")
            except ValueError:
                errors["sample"] = [_("The sample payload is not valid JSON.")]
            else:
                if mapping is not None:
                    preview = services.preview_mapping(actor=a, mapping=mapping, payload=sample)
        elif mapping is not None:
            fields = {
                "name": data["name"],
                "secret": data["secret"],
                "mapping": mapping,
                "is_active": data["is_active"],
            }
            try:
                if endpoint is None:
                    saved = services.create_inbound_endpoint(
                        actor=a, data={**fields, "preset": data["preset"]}
                    )
                else:
                    saved = services.update_inbound_endpoint(
                        actor=a, endpoint_id=endpoint.pk, data=fields
                    )
            except ServiceError as exc:
                errors = field_errors(exc)
            else:
                messages.success(request, _("Endpoint saved."))
                return redirect(reverse("events:endpoint_detail", args=[saved.pk]))
        if errors:
            status = 422
    return render(
        request,
        "events/endpoint_form.html",
        {
            "endpoint": endpoint,
            "data": data,
            "errors": errors,
            "preview": preview,
            "preset": preset,
        },
        status=status,
    )


@workspace_view
def endpoint_create(request: HttpRequest) -> HttpResponse:
    selectors.endpoints(actor(request))  # settings.manage
    return _endpoint_form(request)


@workspace_view
def endpoint_edit(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    return _endpoint_form(request, selectors.get_endpoint(actor(request), endpoint_id))


@workspace_view
def endpoint_detail(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    """The endpoint's public URL, its mapping and its receipt log."""
    a = actor(request)
    endpoint = selectors.get_endpoint(a, endpoint_id)
    receipts = selectors.receipts(a, endpoint_id).order_by("-id")[:100]
    return render(
        request,
        "events/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "url": request.build_absolute_uri(reverse("events:hook", args=[endpoint.token])),
            "mapping": json.dumps(endpoint.mapping, indent=2, ensure_ascii=False),
            "receipts": [
                {
                    "r": r,
                    "payload": json.dumps(r.payload, indent=2, ensure_ascii=False)[:5000]
                    if r.payload is not None
                    else r.raw_body[:5000],
                }
                for r in receipts
            ],
        },
    )


@workspace_view
@require_POST
def endpoint_delete(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    services.delete_inbound_endpoint(actor=actor(request), endpoint_id=endpoint_id)
    messages.success(request, _("Endpoint deleted."))
    return redirect(reverse("events:endpoints"))


@csrf_exempt
def hook(request: HttpRequest, token: str) -> HttpResponse:
    """The public URL another tool posts to: no session, no CSRF; the token is the secret of
    the address, the optional HMAC signature proves the sender."""
    if request.method != "POST":
        return JsonResponse({"detail": _("Send a POST request.")}, status=405)
    endpoint = services.find_endpoint(token)
    if endpoint is None:
        raise Http404
    receipt = services.receive_webhook(endpoint=endpoint, body=request.body, meta=request.META)
    return JsonResponse(receipt.body, status=receipt.status)
