"""Reads of outbound webhooks shared by the UI and the API, always scoped to the workspace."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.pagination import Page, paginate
from vinculo.core.permissions import require
from vinculo.integrations.models import (
    DeliveryState,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

PERMISSION = "webhooks.manage"


def subscriptions(actor: Actor) -> QuerySet[WebhookSubscription]:
    """The workspace's subscriptions by name; needs ``webhooks.manage``."""
    require(actor, PERMISSION)
    return WebhookSubscription.objects.for_workspace(actor.workspace).order_by("name", "pk")


def get_subscription(actor: Actor, subscription_id: int) -> WebhookSubscription:
    """One subscription of the workspace (404 for another workspace's)."""
    sub = subscriptions(actor).filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound(_("Webhook not found."))
    return sub


def deliveries(
    actor: Actor,
    *,
    subscription_id: int | None = None,
    status: str | None = None,
    event_type: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[WebhookDelivery]:
    """Deliveries, newest first, one keyset page; refuses an unknown ``status``."""
    require(actor, PERMISSION)
    qs = WebhookDelivery.objects.for_workspace(actor.workspace).select_related("subscription")
    if subscription_id is not None:
        qs = qs.filter(subscription_id=subscription_id)
    if status:
        if status not in DeliveryState.values:
            raise ValidationFailed.field(
                "status",
                _("Unknown status '%(value)s'; use one of: %(values)s.")
                % {"value": status, "values": ", ".join(DeliveryState.values)},
            )
        qs = qs.filter(status=status)
    if event_type:
        qs = qs.filter(event_type=event_type)
    return paginate(qs.defer("body"), cursor=cursor, limit=limit, order="-pk")


def get_delivery(actor: Actor, delivery_id: int) -> WebhookDelivery:
    """One delivery with its subscription (404 for another workspace's)."""
    require(actor, PERMISSION)
    item = (
        WebhookDelivery.objects.for_workspace(actor.workspace)
        .select_related("subscription")
        .filter(pk=delivery_id)
        .first()
    )
    if item is None:
        raise NotFound(_("Delivery not found."))
    return item


def attempts(item: WebhookDelivery) -> list[WebhookAttempt]:
    return list(
        WebhookAttempt.objects.for_workspace(item.workspace_id)
        .filter(delivery=item)
        .order_by("number", "pk")
    )


def hourly(
    actor: Actor, subscription: WebhookSubscription, *, hours: int = 24, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Attempts per hour over the last ``hours`` (oldest first): succeeded and failed."""
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=hours)
    rows = (
        WebhookAttempt.objects.for_workspace(actor.workspace)
        .filter(subscription=subscription, started_at__gte=start, started_at__lt=end)
        .values_list("started_at", "succeeded")
    )
    ok = [0] * hours
    failed = [0] * hours
    for started_at, succeeded in rows.iterator():
        index = int((started_at - start).total_seconds() // 3600)
        if 0 <= index < hours:
            (ok if succeeded else failed)[index] += 1
    return [
        {"hour": start + timedelta(hours=i), "ok": ok[i], "failed": failed[i]} for i in range(hours)
    ]


def counts(actor: Actor, subscription: WebhookSubscription) -> dict[str, int]:
    """Deliveries of a subscription by state."""
    result = (
        WebhookDelivery.objects.for_workspace(actor.workspace)
        .filter(subscription=subscription)
        .aggregate(
            pending=Count("pk", filter=Q(status=DeliveryState.PENDING)),
            succeeded=Count("pk", filter=Q(status=DeliveryState.SUCCEEDED)),
            failed=Count("pk", filter=Q(status=DeliveryState.FAILED)),
        )
    )
    return {k: int(v or 0) for k, v in result.items()}
