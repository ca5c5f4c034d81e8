"""Disabling a webhook subscription: by its owner (``services.update_subscription``) or by the
system when its receiver keeps failing or is gone (the drain, :mod:`vinculo.integrations.delivery`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from vinculo.core import audit, events
from vinculo.core.actor import Actor, Source
from vinculo.integrations.models import WebhookSubscription


def set_disabled(
    actor: Actor, sub: WebhookSubscription, reason: str, detail: str, now: datetime
) -> None:
    sub.is_active = False
    sub.disabled_reason = reason
    sub.disabled_detail = detail
    sub.disabled_at = now
    sub.save()
    audit.record(
        actor,
        "webhook.disabled",
        sub,
        changes={"is_active": [True, False], "reason": [None, reason], "detail": [None, detail]},
    )
    events.emit(
        "webhook.disabled",
        actor=actor,
        subject=sub,
        subject_type="webhook",
        payload={"reason": reason, "detail": detail, "url": sub.url},
    )


def disable_automatically(
    *, subscription_id: int, reason: str, detail: str, now: datetime | None = None
) -> bool:
    """The system disables a failing (or gone) subscription; True if it was active."""
    now = now or timezone.now()
    with transaction.atomic():
        sub = (
            WebhookSubscription.objects.select_for_update()
            .select_related("workspace")
            .filter(pk=subscription_id, is_active=True)
            .first()
        )
        if sub is None:
            return False
        actor = Actor.system(sub.workspace, Source.SYSTEM)
        set_disabled(actor, sub, reason, detail, now)
    return True
