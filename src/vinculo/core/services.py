"""Writes of the shared kernel that people can trigger."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict
from vinculo.core.models import DeliveryStatus, EventDelivery
from vinculo.core.selectors import get_event_delivery


def retry_event_delivery(*, actor: Actor, delivery_id: int) -> EventDelivery:
    """Queue a failed (or waiting) delivery to run now; refuses one that already completed."""
    with transaction.atomic():
        delivery = get_event_delivery(actor, delivery_id)
        if delivery.status == DeliveryStatus.DONE:
            raise Conflict(_("This delivery already completed."))
        events.retry_delivery(delivery)
        audit.record(
            actor,
            "event_delivery.retried",
            delivery,
            changes={"status": [delivery.status, DeliveryStatus.PENDING]},
        )
    delivery.refresh_from_db()
    return delivery
