"""Every write on outbound webhooks: subscriptions, secrets, redeliveries, pings, disabling."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core import audit, events, filters, outbound
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, ValidationFailed
from vinculo.core.permissions import require
from vinculo.integrations import catalog, delivery
from vinculo.integrations.disabling import disable_automatically as disable_automatically
from vinculo.integrations.disabling import set_disabled
from vinculo.integrations.models import (
    DeliveryState,
    DisabledReason,
    WebhookDelivery,
    WebhookSubscription,
)

PERMISSION = "webhooks.manage"
EDITABLE = ("name", "url", "event_types", "condition", "condition_object")


@dataclass(frozen=True)
class WithSecret:
    """A subscription and its signing secret, shown this once."""

    subscription: WebhookSubscription
    secret: str


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def check_url(url: Any, field: str = "url") -> str:
    """An http(s) URL whose host the outbound guard would call: refuses other schemes, and hosts
    that are (or resolve to) loopback, private, link-local or other non-public addresses unless
    ``VINCULO_OUTBOUND_ALLOWED_NETWORKS`` allows them. A name that does not resolve now is
    accepted (each delivery checks again)."""
    value = str(url or "").strip()
    if not value:
        raise ValidationFailed.field(
            field, _("Enter the URL that receives the events."), "required"
        )
    if len(value) > 2000:
        raise ValidationFailed.field(field, _("The URL is longer than 2,000 characters."))
    try:
        parts = urlsplit(value)
    except ValueError:  # "http://[::1"
        raise ValidationFailed.field(field, _("This is not a valid URL."), "invalid") from None
    if parts.scheme not in {"http", "https"}:
        raise ValidationFailed.field(field, _("Use an http:// or https:// URL."), "invalid_scheme")
    try:
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationFailed.field(field, _("The URL has an invalid port.")) from None
    if not host:
        raise ValidationFailed.field(field, _("The URL has no host name."))
    try:
        outbound.check_host(host, port)
    except outbound.Refused as exc:
        if exc.code == "private_address":
            raise ValidationFailed.field(
                field,
                _(
                    "%(host)s is a private, local or reserved address; webhooks only call "
                    "public addresses (an administrator can allow it with "
                    "VINCULO_OUTBOUND_ALLOWED_NETWORKS)."
                )
                % {"host": host},
                "private_address",
            ) from None
    return value


def _clean_condition(actor: Actor, raw: Any, object_type: Any) -> tuple[dict | None, str]:
    object_type = str(object_type or "person")
    if object_type not in filters.object_types():
        raise ValidationFailed.field(
            "condition_object",
            _("Unknown record type '%(name)s'; use one of: %(names)s.")
            % {"name": object_type, "names": ", ".join(filters.object_types())},
        )
    if isinstance(raw, str):
        if not raw.strip():
            return None, object_type
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValidationFailed.field(
                "condition",
                _("The condition is not valid JSON: %(error)s.") % {"error": exc.msg},
                "invalid_json",
            ) from None
    if raw in (None, {}):
        return None, object_type
    if not isinstance(raw, dict):
        raise ValidationFailed.field(
            "condition", _("The condition is a JSON object of the filter language.")
        )
    try:
        filters.validate_filter(object_type, raw, actor=actor)
    except filters.BadFilter as exc:
        errors = [
            FieldError("condition" + e.field.removeprefix(filters.ROOT), e.message, e.code)
            for e in exc.errors
        ] or [FieldError("condition", exc.detail)]
        raise ValidationFailed(exc.detail, errors=errors) from None
    return raw, object_type


def _clean(actor: Actor, data: dict[str, Any], current: WebhookSubscription | None) -> dict:
    cleaned: dict[str, Any] = {}
    errors: list[FieldError] = []

    def attempt(fn: Any) -> None:
        try:
            fn()
        except ValidationFailed as exc:
            errors.extend(exc.errors)

    if current is None or "name" in data:

        def name() -> None:
            value = str(data.get("name") or "").strip()
            if not value:
                raise ValidationFailed.field("name", _("Give the webhook a name."), "required")
            if len(value) > 120:
                raise ValidationFailed.field("name", _("The name is longer than 120 characters."))
            cleaned["name"] = value

        attempt(name)
    if current is None or "url" in data:
        attempt(lambda: cleaned.__setitem__("url", check_url(data.get("url"))))
    if current is None or "event_types" in data:
        attempt(
            lambda: cleaned.__setitem__(
                "event_types", catalog.clean_event_types(data.get("event_types"))
            )
        )
    if current is None or "condition" in data or "condition_object" in data:

        def condition() -> None:
            raw = data.get("condition", current.condition if current else None)
            obj = data.get("condition_object") or (current.condition_object if current else None)
            cleaned["condition"], cleaned["condition_object"] = _clean_condition(actor, raw, obj)

        attempt(condition)
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return cleaned


def _get(actor: Actor, subscription_id: int, *, lock: bool = False) -> WebhookSubscription:
    qs = WebhookSubscription.objects.for_workspace(actor.workspace)
    if lock:
        qs = qs.select_for_update()
    sub = qs.filter(pk=subscription_id).first()
    if sub is None:
        raise NotFound(_("Webhook not found."))
    return sub


def create_subscription(*, actor: Actor, data: dict[str, Any]) -> WithSecret:
    """Add a subscription (active) with a new secret; refuses unknown event types, non-http
    URLs, private addresses (unless allowed) and bad conditions, naming each field."""
    require(actor, PERMISSION)
    cleaned = _clean(actor, data, None)
    secret = new_secret()
    with transaction.atomic():
        sub = WebhookSubscription.objects.create(
            workspace=actor.workspace, created_by=actor.user, secret=secret, **cleaned
        )
        audit.record(
            actor, "webhook.created", sub, changes={k: [None, v] for k, v in cleaned.items()}
        )
        events.emit(
            "webhook.created",
            actor=actor,
            subject=sub,
            subject_type="webhook",
            payload={"name": sub.name, "url": sub.url, "event_types": sub.event_types},
        )
    return WithSecret(sub, secret)


def update_subscription(
    *, actor: Actor, subscription_id: int, data: dict[str, Any]
) -> WebhookSubscription:
    """Change name, URL, event types or condition, or switch it on/off (``is_active``).

    Enabling a disabled subscription clears its failure record and resumes its pending
    deliveries at once."""
    require(actor, PERMISSION)
    with transaction.atomic():
        sub = _get(actor, subscription_id, lock=True)
        cleaned = _clean(actor, {k: v for k, v in data.items() if k in EDITABLE}, sub)
        changes = {k: [getattr(sub, k), v] for k, v in cleaned.items() if getattr(sub, k) != v}
        for key, value in cleaned.items():
            setattr(sub, key, value)
        if changes:
            sub.save()
            audit.record(actor, "webhook.updated", sub, changes=changes)
            events.emit(
                "webhook.updated",
                actor=actor,
                subject=sub,
                subject_type="webhook",
                payload={"changed": sorted(changes)},
            )
        if "is_active" in data and data["is_active"] is not None:
            if data["is_active"] and not sub.is_active:
                _enable(actor, sub)
            elif not data["is_active"] and sub.is_active:
                set_disabled(actor, sub, DisabledReason.MANUAL, "", timezone.now())
    return sub


def _enable(actor: Actor, sub: WebhookSubscription) -> None:
    before = sub.disabled_reason
    sub.is_active = True
    sub.disabled_reason = DisabledReason.NONE
    sub.disabled_detail = ""
    sub.disabled_at = None
    sub.failing_since = None
    sub.consecutive_failures = 0
    sub.save()
    # Pending deliveries waiting in backoff go out now rather than hours later.
    delivery.WEBHOOKS.retry(
        WebhookDelivery.objects.filter(subscription=sub, status=DeliveryState.PENDING)
    )
    audit.record(actor, "webhook.enabled", sub, changes={"is_active": [False, True]})
    events.emit(
        "webhook.enabled",
        actor=actor,
        subject=sub,
        subject_type="webhook",
        payload={"previous_reason": before},
    )
    delivery.request_drain([sub.pk])


def delete_subscription(*, actor: Actor, subscription_id: int) -> None:
    """Delete a subscription with its delivery log."""
    require(actor, PERMISSION)
    with transaction.atomic():
        sub = _get(actor, subscription_id, lock=True)
        audit.record(actor, "webhook.deleted", sub, changes={"url": [sub.url, None]})
        events.emit(
            "webhook.deleted",
            actor=actor,
            subject_type="webhook",
            subject_id=sub.pk,
            payload={"name": sub.name, "url": sub.url},
        )
        sub.delete()


def rotate_secret(*, actor: Actor, subscription_id: int) -> WithSecret:
    """A new signing secret, shown once; the old one also signs for 24 hours."""
    require(actor, PERMISSION)
    secret = new_secret()
    with transaction.atomic():
        sub = _get(actor, subscription_id, lock=True)
        sub.previous_secret = sub.secret
        sub.previous_secret_expires_at = timezone.now() + delivery.ROTATION_GRACE
        sub.secret = secret
        sub.save()
        audit.record(actor, "webhook.secret_rotated", sub)
        events.emit("webhook.secret_rotated", actor=actor, subject=sub, subject_type="webhook")
    return WithSecret(sub, secret)


def redeliver(*, actor: Actor, delivery_id: int) -> WebhookDelivery:
    """Send a delivery once more (same id and body, a new attempt), whatever its state."""
    require(actor, PERMISSION)
    with transaction.atomic():
        item = (
            WebhookDelivery.objects.for_workspace(actor.workspace)
            .select_for_update()
            .filter(pk=delivery_id)
            .first()
        )
        if item is None:
            raise NotFound(_("Delivery not found."))
        sub = WebhookSubscription.objects.get(pk=item.subscription_id)
        if not sub.is_active:
            raise ValidationFailed.field(
                "subscription",
                _("This webhook is disabled; enable it before redelivering."),
                "disabled",
            )
        # One more attempt, whatever it had left.
        delivery.WEBHOOKS.retry(
            WebhookDelivery.objects.filter(pk=item.pk),
            max_attempts=item.attempts + 1,
            manual=True,
        )
        item.refresh_from_db()
        audit.record(actor, "webhook.redelivered", item, object_type="integrations.webhookdelivery")
        delivery.request_drain([sub.pk])
    return item


def send_ping(*, actor: Actor, subscription_id: int) -> WebhookDelivery:
    """Queue a ``webhook.ping`` test event to the subscription (one attempt, no retries)."""
    require(actor, PERMISSION)
    with transaction.atomic():
        sub = _get(actor, subscription_id)
        if not sub.is_active:
            raise ValidationFailed.field(
                "subscription", _("This webhook is disabled; enable it first."), "disabled"
            )
        now = timezone.now()
        uid = uuid.uuid4().hex
        body = catalog.event_body(
            event_id=f"ping_{uid[:12]}",
            event_type=catalog.PING,
            created_at=now,
            workspace_id=actor.workspace.pk,
            workspace_slug=actor.workspace.slug,
            subject_type="",
            subject_id="",
            payload=catalog.PING_PAYLOAD,
        )
        item = WebhookDelivery.objects.create(
            workspace=actor.workspace,
            subscription=sub,
            uid=uid,
            event_type=catalog.PING,
            body=body,
            max_attempts=1,
            manual=True,
            next_attempt_at=now,
            created_at=now,
        )
        audit.record(actor, "webhook.pinged", sub)
        delivery.request_drain([sub.pk])
    return item
