"""The demo workspace's integrations: a contact form, a shop's inbound endpoint and some tracked
behaviour (page views, purchases, bookings), so the integration screens are not empty on
``make run``. Everything goes through the same services the API uses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from vinculo.contacts.models import Person
from vinculo.core.actor import Actor
from vinculo.events.models import InboundEndpoint
from vinculo.events.services import create_inbound_endpoint, ingest_events
from vinculo.webforms.models import WebForm
from vinculo.webforms.services import create_form

PAGES = ("/", "/precos", "/produtos/cafe-especial", "/blog/como-escolher-graos", "/contato")
PRODUCTS = (
    ("CAFE-250", "Café especial 250 g", "39.90"),
    ("CAFE-1KG", "Café especial 1 kg", "129.00"),
    ("MOEDOR", "Moedor manual", "189.00"),
    ("ASSIN-M", "Assinatura mensal", "89.90"),
)


def seed_integrations(
    actor: Actor, *, people: int = 60, seed: int = 42, now: datetime | None = None
) -> int:
    """Create the demo form and inbound endpoint (once) and tracked events for up to ``people``
    people; return how many events were stored. Safe to call twice: event keys are fixed, so a
    second call stores nothing new."""
    now = now or timezone.now()
    if not WebForm.objects.for_workspace(actor.workspace).exists():
        create_form(actor=actor, data=_contact_form())
    if not InboundEndpoint.objects.for_workspace(actor.workspace).exists():
        create_inbound_endpoint(
            actor=actor, data={"name": "Loja virtual (pedidos)", "preset": "ecommerce_order"}
        )
    ids = list(
        Person.objects.for_workspace(actor.workspace)
        .filter(deleted_at__isnull=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)[:people]
    )
    rng = random.Random(seed)  # noqa: S311 (demo data, not security)
    rows = [row for pk in ids for row in _behaviour(rng, pk, now)]
    stored = 0
    for start in range(0, len(rows), 1000):
        stored += len(ingest_events(actor=actor, rows=rows[start : start + 1000]).created)
    return stored


def _contact_form() -> dict[str, Any]:
    return {
        "name": "Fale com a gente",
        "fields": [
            {"key": "first_name", "label": "Nome", "required": True},
            {"key": "last_name", "label": "Sobrenome"},
            {"key": "email", "label": "E-mail", "required": True},
            {"key": "mobile_phone", "label": "Celular (WhatsApp)"},
        ],
        "consent_enabled": True,
        "consent_text": "Quero receber novidades e ofertas por e-mail.",
        "consent_channel": "email",
        "consent_legal_basis": "consent",
        "tags": ["site"],
        "source": "formulário do site",
        "success_message": "Obrigado! Respondemos em até um dia útil.",
        "language": "pt-br",
    }


def _behaviour(rng: random.Random, person_id: int, now: datetime) -> list[dict[str, Any]]:
    """A few weeks of one customer: page views, sometimes a booking, one or more purchases."""
    rows: list[dict[str, Any]] = []
    person = {"id": person_id}
    for i in range(rng.randint(1, 6)):
        when = now - timedelta(days=rng.randint(0, 45), minutes=rng.randint(0, 600))
        rows.append(
            {
                "name": "page_viewed",
                "key": f"demo-view-{person_id}-{i}",
                "occurred_at": when.isoformat(),
                "person": person,
                "properties": {"path": rng.choice(PAGES)},
            }
        )
    if rng.random() < 0.25:
        starts = now + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8))
        rows.append(
            {
                "name": "appointment_booked",
                "key": f"demo-booking-{person_id}",
                "occurred_at": (now - timedelta(days=rng.randint(0, 5))).isoformat(),
                "person": person,
                "properties": {"starts_at": starts.isoformat()},
            }
        )
    for i in range(rng.choice((0, 1, 1, 2, 3))):
        sku, name, price = rng.choice(PRODUCTS)
        quantity = rng.randint(1, 3)
        rows.append(
            {
                "name": "purchase",
                "key": f"demo-order-{person_id}-{i}",
                "occurred_at": (now - timedelta(days=rng.randint(0, 90))).isoformat(),
                "person": person,
                "order_id": f"PED-{person_id:05d}-{i}",
                "items": [{"sku": sku, "name": name, "quantity": quantity, "unit_price": price}],
            }
        )
    return rows
