"""Integration screens: the hub at ``/integrations/`` and outbound webhooks under
``/integrations/webhooks/`` (list, create/edit, detail with a live delivery log and an hourly
chart, delivery detail with every attempt, redeliver, ping, rotate secret)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core import filters
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, is_htmx, workspace_view
from vinculo.integrations import catalog, selectors, services
from vinculo.integrations.models import DeliveryState, WebhookSubscription

SECRET_SESSION_KEY = "webhook_secret_%s"  # noqa: S105  (a session key name)


@workspace_view
def hub(request: HttpRequest) -> HttpResponse:
    """One card per integration: webhooks (with notices of disabled ones), web forms, site
    tracking, events, inbound endpoints. The navigation has this one entry for all of them."""
    a = actor(request)
    manage = can(a, "webhooks.manage")
    subs = list(selectors.subscriptions(a)) if manage else []
    context = {
        "can_manage_webhooks": manage,
        "active_count": sum(1 for s in subs if s.is_active),
        "disabled": [s for s in subs if not s.is_active],
        # (card id, title, screen, what it is for): the integrations beside webhooks.
        "cards": [
            (
                "hub-forms",
                _("Web forms"),
                reverse("webforms:list"),
                _(
                    "Lead-capture forms for your site, hosted or embedded, with spam protection "
                    "and consent."
                ),
            ),
            (
                "hub-tracking",
                _("Site tracking"),
                reverse("webforms:tracking"),
                _(
                    "A script for your site: page views of known visitors reach their timeline, "
                    "and anonymous visits join it once the visitor sends a form."
                ),
            ),
            (
                "hub-events",
                _("Events"),
                reverse("events:list"),
                _(
                    "Purchases, bookings, page views and other behaviour sent by your systems "
                    "through the events API."
                ),
            ),
            (
                "hub-inbound",
                _("Inbound endpoints"),
                reverse("events:endpoints"),
                _(
                    "Endpoints where a shop or a scheduling tool posts its own payloads, mapped "
                    "to CRM fields."
                ),
            ),
        ],
    }
    return render(request, "integrations/hub.html", context)


@workspace_view
def webhook_list(request: HttpRequest) -> HttpResponse:
    """Every subscription with its state and the reason when disabled."""
    subs = list(selectors.subscriptions(actor(request)))
    return render(request, "integrations/webhooks/list.html", {"subscriptions": subs})


def _form_data(request: HttpRequest) -> dict[str, Any]:
    return {
        "name": request.POST.get("name", ""),
        "url": request.POST.get("url", ""),
        "event_types": request.POST.getlist("event_types"),
        "condition": request.POST.get("condition", ""),
        "condition_object": request.POST.get("condition_object", "person"),
    }


def _form(
    request: HttpRequest,
    *,
    sub: WebhookSubscription | None,
    data: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    condition = data.get("condition")
    if isinstance(condition, dict):
        condition = json.dumps(condition, ensure_ascii=False, indent=2)
    # Condition errors name nodes (condition.and.1.op); the form shows them under the textarea.
    errors = errors or {}
    condition_errors = [
        f"{field}: {msg}" if field != "condition" else msg
        for field, msgs in errors.items()
        if field.startswith("condition.") or field == "condition"
        for msg in msgs
    ]
    event_errors = [
        m for field, msgs in errors.items() if field.startswith("event_types") for m in msgs
    ]
    context = {
        "sub": sub,
        "data": {**data, "condition": condition or ""},
        "errors": errors,
        "condition_errors": condition_errors,
        "event_errors": event_errors,
        "groups": catalog.grouped_types(),
        "objects": [
            (o, str(filters.filter_object(o).label or o).capitalize())
            for o in filters.object_types()
        ],
    }
    return render(request, "integrations/webhooks/form.html", context, status=status)


@workspace_view
def webhook_new(request: HttpRequest) -> HttpResponse:
    """Create a subscription; its secret is shown once on the next page."""
    a = actor(request)
    selectors.subscriptions(a)  # the permission check, before showing a form
    if request.method != "POST":
        data = {"event_types": [], "condition_object": "person", "condition": ""}
        return _form(request, sub=None, data=data)
    data = _form_data(request)
    try:
        created = services.create_subscription(actor=a, data=data)
    except ServiceError as exc:
        return _form(request, sub=None, data=data, errors=field_errors(exc), status=422)
    request.session[SECRET_SESSION_KEY % created.subscription.pk] = created.secret
    messages.success(request, _("Webhook created."))
    return redirect("integrations:webhook_detail", subscription_id=created.subscription.pk)


@workspace_view
def webhook_edit(request: HttpRequest, subscription_id: int) -> HttpResponse:
    a = actor(request)
    sub = selectors.get_subscription(a, subscription_id)
    if request.method != "POST":
        data = {
            "name": sub.name,
            "url": sub.url,
            "event_types": sub.event_types,
            "condition": sub.condition,
            "condition_object": sub.condition_object,
        }
        return _form(request, sub=sub, data=data)
    data = _form_data(request)
    try:
        services.update_subscription(actor=a, subscription_id=sub.pk, data=data)
    except ServiceError as exc:
        return _form(request, sub=sub, data=data, errors=field_errors(exc), status=422)
    messages.success(request, _("Webhook saved."))
    return redirect("integrations:webhook_detail", subscription_id=sub.pk)


def hourly_chart(buckets: list[dict[str, Any]]) -> dict[str, Any]:
    """Attempts per hour, delivered under failed, as the shared chart set-up draws them
    (web/charts.js, ECharts): the hours (HH:MM in the current time zone) and plain counts."""
    return {
        "kind": "stacked-bar",
        "unit": "count",
        "labels": [timezone.localtime(b["hour"]).strftime("%H:%M") for b in buckets],
        "series": [
            {"name": str(_("delivered")), "values": [b["ok"] for b in buckets], "color": "#16a34a"},
            {
                "name": str(_("failed")),
                "values": [b["failed"] for b in buckets],
                "color": "#dc2626",
            },
        ],
        "total_ok": sum(b["ok"] for b in buckets),
        "total_failed": sum(b["failed"] for b in buckets),
    }


def _log_context(request: HttpRequest, sub: WebhookSubscription) -> dict[str, Any]:
    a = actor(request)
    status = request.GET.get("status") or None
    if status not in DeliveryState.values:
        status = None
    page = selectors.deliveries(
        a, subscription_id=sub.pk, status=status, cursor=request.GET.get("cursor"), limit=50
    )
    return {"sub": sub, "page": page, "status": status, "states": DeliveryState.choices}


@workspace_view
def webhook_detail(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """State (and why disabled), the secret right after creation or rotation, an hourly chart
    and the delivery log, refreshed by htmx every 5 seconds."""
    a = actor(request)
    sub = selectors.get_subscription(a, subscription_id)
    context = {
        **_log_context(request, sub),
        "secret": request.session.pop(SECRET_SESSION_KEY % sub.pk, None),
        "counts": selectors.counts(a, sub),
        "chart": hourly_chart(selectors.hourly(a, sub)),
        "condition": json.dumps(sub.condition, ensure_ascii=False, indent=2)
        if sub.condition
        else "",
    }
    return render(request, "integrations/webhooks/detail.html", context)


@workspace_view
def webhook_log(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """The delivery log table alone (what htmx polls)."""
    sub = selectors.get_subscription(actor(request), subscription_id)
    return render(request, "integrations/webhooks/_log.html", _log_context(request, sub))


def _after_action(request: HttpRequest, sub_id: int) -> HttpResponse:
    return redirect("integrations:webhook_detail", subscription_id=sub_id)


def _flash_errors(request: HttpRequest, exc: ServiceError) -> None:
    for msgs in field_errors(exc).values():
        for msg in msgs:
            messages.error(request, msg)


@workspace_view
@require_POST
def webhook_toggle(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Disable an active webhook, or enable a disabled one (its pending deliveries resume)."""
    a = actor(request)
    sub = selectors.get_subscription(a, subscription_id)
    services.update_subscription(
        actor=a, subscription_id=sub.pk, data={"is_active": not sub.is_active}
    )
    done = _("Webhook enabled.") if not sub.is_active else _("Webhook disabled.")
    messages.success(request, done)
    return _after_action(request, sub.pk)


@workspace_view
@require_POST
def webhook_rotate(request: HttpRequest, subscription_id: int) -> HttpResponse:
    a = actor(request)
    sub = selectors.get_subscription(a, subscription_id)
    rotated = services.rotate_secret(actor=a, subscription_id=sub.pk)
    request.session[SECRET_SESSION_KEY % sub.pk] = rotated.secret
    messages.success(request, _("New secret created; the old one keeps signing for 24 hours."))
    return _after_action(request, sub.pk)


@workspace_view
@require_POST
def webhook_ping(request: HttpRequest, subscription_id: int) -> HttpResponse:
    a = actor(request)
    sub = selectors.get_subscription(a, subscription_id)
    try:
        services.send_ping(actor=a, subscription_id=sub.pk)
    except ServiceError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Test event queued; it appears in the log below."))
    return _after_action(request, sub.pk)


@workspace_view
@require_POST
def webhook_delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    a = actor(request)
    sub = selectors.get_subscription(a, subscription_id)
    services.delete_subscription(actor=a, subscription_id=sub.pk)
    messages.success(request, _("Webhook deleted."))
    return redirect("integrations:webhooks")


@workspace_view
def delivery_detail(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """One delivery: the body sent and every attempt's request headers and response."""
    a = actor(request)
    item = selectors.get_delivery(a, delivery_id)
    try:
        body = json.dumps(json.loads(item.body), ensure_ascii=False, indent=2)
    except ValueError:
        body = item.body
    context = {"item": item, "body": body, "attempts": selectors.attempts(item)}
    if is_htmx(request):
        return render(request, "integrations/webhooks/_attempts.html", context)
    return render(request, "integrations/webhooks/delivery.html", context)


@workspace_view
@require_POST
def delivery_redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    a = actor(request)
    item = selectors.get_delivery(a, delivery_id)
    try:
        services.redeliver(actor=a, delivery_id=item.pk)
    except ServiceError as exc:
        _flash_errors(request, exc)
    else:
        messages.success(request, _("Delivery queued again."))
    return redirect("integrations:delivery_detail", delivery_id=item.pk)


urlpatterns: list[URLPattern] = [
    path("integrations/", hub, name="hub"),
    path("integrations/webhooks/", webhook_list, name="webhooks"),
    path("integrations/webhooks/new/", webhook_new, name="webhook_new"),
    path("integrations/webhooks/<int:subscription_id>/", webhook_detail, name="webhook_detail"),
    path("integrations/webhooks/<int:subscription_id>/edit/", webhook_edit, name="webhook_edit"),
    path("integrations/webhooks/<int:subscription_id>/log/", webhook_log, name="webhook_log"),
    path(
        "integrations/webhooks/<int:subscription_id>/toggle/", webhook_toggle, name="webhook_toggle"
    ),
    path(
        "integrations/webhooks/<int:subscription_id>/rotate/", webhook_rotate, name="webhook_rotate"
    ),
    path("integrations/webhooks/<int:subscription_id>/ping/", webhook_ping, name="webhook_ping"),
    path(
        "integrations/webhooks/<int:subscription_id>/delete/", webhook_delete, name="webhook_delete"
    ),
    path(
        "integrations/webhooks/deliveries/<int:delivery_id>/",
        delivery_detail,
        name="delivery_detail",
    ),
    path(
        "integrations/webhooks/deliveries/<int:delivery_id>/redeliver/",
        delivery_redeliver,
        name="delivery_redeliver",
    ),
]
