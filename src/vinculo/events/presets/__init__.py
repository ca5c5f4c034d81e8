"""The registry of inbound mapping presets: one entry per tool, its sample payload beside it
(``<key>.json``), used to pre-fill an endpoint and by the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Preset:
    key: str
    label: str | Promise
    description: str | Promise
    mapping: dict[str, Any]

    @property
    def sample(self) -> Any:
        return _sample(self.key)


@cache
def _sample(key: str) -> Any:
    return json.loads((HERE / f"{key}.json").read_text(encoding="utf-8"))


PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    PRESETS[preset.key] = preset
    return preset


register(
    Preset(
        key="ecommerce_order",
        label=_("E-commerce order (Shopify-like orders/create)"),
        description=_("One purchase per order, with its items; the customer by id and email."),
        mapping={
            "fields": {
                "name": {"value": "purchase"},
                "key": "id",
                "occurred_at": "created_at",
                "person.email": "customer.email",
                "person.phone": "customer.phone",
                "person.external_id": "customer.id",
                "person.system": {"value": "shop"},
                "person.first_name": "customer.first_name",
                "person.last_name": "customer.last_name",
                "amount": "total_price",
                "currency": "currency",
                "order_id": "order_number",
                "items": "line_items",
                "properties.channel": "source_name",
            },
            "item_fields": {
                "sku": "sku",
                "name": "title",
                "quantity": "quantity",
                "unit_price": "price",
            },
        },
    )
)
register(
    Preset(
        key="scheduling_booking",
        label=_("Scheduling tool booking (Calendly-like invitee.created)"),
        description=_("One appointment per booking, with its start and end."),
        mapping={
            "fields": {
                "name": {"value": "appointment_booked"},
                "key": "payload.uri",
                "occurred_at": "created_at",
                "person.email": "payload.email",
                "person.phone": "payload.text_reminder_number",
                "person.first_name": "payload.first_name",
                "person.last_name": "payload.last_name",
                "properties.starts_at": "payload.scheduled_event.start_time",
                "properties.ends_at": "payload.scheduled_event.end_time",
                "properties.title": "payload.scheduled_event.name",
            }
        },
    )
)
register(
    Preset(
        key="form_post",
        label=_("Generic form post"),
        description=_("A form submitted on another site: who, which form, the message."),
        mapping={
            "fields": {
                "name": {"value": "form_submitted"},
                "key": "submission_id",
                "occurred_at": "submitted_at",
                "person.email": "fields.email",
                "person.phone": "fields.phone",
                "person.first_name": "fields.name",
                "properties.form": "form",
                "properties.message": "fields.message",
            }
        },
    )
)


def preset_choices() -> list[tuple[str, str]]:
    return [(p.key, str(p.label)) for p in PRESETS.values()]
