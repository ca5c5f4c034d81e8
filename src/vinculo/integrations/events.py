"""Domain events of outbound webhooks: their payload schemas and examples."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.core.event_types import Changed, EventType, NoPayload, Payload, register_event_types
from vinculo.integrations.models import DisabledReason


class WebhookCreated(Payload):
    name: str
    url: str
    event_types: list[str] = Field(description="The names and patterns it subscribes to.")


class WebhookUpdated(Payload):
    changed: Changed


class WebhookDeleted(Payload):
    name: str
    url: str


class WebhookDisabled(Payload):
    reason: DisabledReason = Field(description="manual, failing or gone.")
    detail: str
    url: str


class WebhookEnabled(Payload):
    previous_reason: DisabledReason = Field(description="Why it was disabled.")


_URL = "https://erp.padaria.com.br/hooks/vinculo"

register_event_types(
    EventType(
        "webhook.created",
        gettext_noop("A webhook subscription was added."),
        WebhookCreated,
        example={"name": "ERP", "url": _URL, "event_types": ["person.*", "deal.won"]},
    ),
    EventType(
        "webhook.updated",
        gettext_noop("A webhook subscription's URL, events, condition or state changed."),
        WebhookUpdated,
        example={"changed": ["event_types"]},
    ),
    EventType(
        "webhook.deleted",
        gettext_noop("A webhook subscription was deleted."),
        WebhookDeleted,
        example={"name": "ERP", "url": _URL},
    ),
    EventType(
        "webhook.secret_rotated",
        gettext_noop("A webhook subscription got a new signing secret."),
        NoPayload,
        example={},
    ),
    EventType(
        "webhook.disabled",
        "A webhook subscription was disabled (payload: reason, detail); automatic after "
        "repeated failures or a 410 Gone.",
        WebhookDisabled,
        example={"reason": "failing", "detail": "HTTP 500 for 24 hours", "url": _URL},
    ),
    EventType(
        "webhook.enabled",
        gettext_noop("A disabled webhook subscription was enabled again."),
        WebhookEnabled,
        example={"previous_reason": "failing"},
    ),
)
