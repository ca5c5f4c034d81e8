"""An event's line is worded in the reader's language, not in the language of whoever sent the
event (an English API client's purchase reads in Portuguese on a pt-BR screen)."""

from __future__ import annotations

from django.utils import translation

from vinculo.contacts import services as contacts
from vinculo.events.models import TrackedEvent
from vinculo.events.services import ingest_events


def test_events_sent_in_english_read_in_portuguese_and_back(ana):
    maria = contacts.create_person(actor=ana.actor, data={"first_name": "Maria"})
    rows = [
        {"name": "page_viewed", "person": {"id": maria.pk}, "properties": {"path": "/precos"}},
        {
            "name": "purchase",
            "person": {"id": maria.pk},
            "amount": "1234.50",
            "currency": "BRL",
            "order_id": "A-7",
        },
    ]
    with translation.override("en"):
        ingest_events(actor=ana.actor, rows=rows)
    bought = TrackedEvent.objects.get(name="purchase")
    assert bought.summary.startswith("Bought")  # stored by the English sender

    page = ana.web(language="pt-br").get("/events/").content.decode()
    assert "Visitou /precos" in page and "Comprou R$" in page and "(pedido A-7)" in page
    assert "Viewed /precos" not in page and "Bought" not in page
    detail = ana.web(language="pt-br").get(f"/events/{bought.pk}/").content.decode()
    assert "Comprou R$" in detail and "Bought" not in detail

    english = ana.web(language="en").get("/events/").content.decode()
    assert "Viewed /precos" in english and "Visitou" not in english
