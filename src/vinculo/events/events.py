"""Domain events of the events app: their payload schemas and examples (docs/events.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.core.event_types import (
    DecimalText,
    EventType,
    Payload,
    Timestamp,
    register_event_types,
)
from vinculo.events.models import EventSource


class EventReceived(Payload):
    id: int = Field(description="The tracked event's id.")
    name: str
    person_id: int | None
    visitor_id: str = Field(description="The anonymous visitor's id, or an empty text.")
    occurred_at: Timestamp
    source: EventSource
    key: str = Field(description="The sender's idempotency key, or an empty text.")
    properties: dict[str, Any]
    amount: DecimalText | None = Field(None, description="Purchases only.")
    currency: str | None = Field(None, description="Purchases only.")
    order_id: str | None = Field(None, description="Purchases only.")


class PurchaseRecorded(Payload):
    event_id: int
    person_id: int | None
    order_id: str
    amount: DecimalText
    currency: str
    item_count: int
    occurred_at: Timestamp


class VisitorLinked(Payload):
    visitor_id: str
    person_id: int
    linked: int = Field(description="How many earlier events of the visitor were attached.")


register_event_types(
    EventType(
        "event.received",
        gettext_noop(
            "A tracked event was stored (payload: id, name, person_id, visitor_id, occurred_at, "
            "source, key, properties, and amount/currency/order_id for purchases)."
        ),
        EventReceived,
        example={
            "id": 5120,
            "name": "page_viewed",
            "person_id": 42,
            "visitor_id": "v_8c1f2a",
            "occurred_at": "2026-11-23T16:29:58+00:00",
            "source": "tracking",
            "key": "",
            "properties": {"path": "/cardapio"},
        },
    ),
    EventType(
        "purchase.recorded",
        gettext_noop(
            "A purchase was recorded (payload: event_id, person_id, order_id, amount, currency, "
            "item_count, occurred_at)."
        ),
        PurchaseRecorded,
        example={
            "event_id": 5121,
            "person_id": 42,
            "order_id": "PED-1043",
            "amount": "89.70",
            "currency": "BRL",
            "item_count": 3,
            "occurred_at": "2026-11-23T16:30:00+00:00",
        },
    ),
    EventType(
        "visitor.linked",
        gettext_noop(
            "An anonymous site visitor was linked to a person (payload: visitor_id, person_id, "
            "linked: how many earlier events were attached)."
        ),
        VisitorLinked,
        example={"visitor_id": "v_8c1f2a", "person_id": 42, "linked": 6},
    ),
)
