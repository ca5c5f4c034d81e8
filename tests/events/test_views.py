"""The events screens: list with filters, counts and chart, detail, purchases, settings, the
inbound endpoint form with its sample preview and receipt log; Carla sees none of Ana's."""

from __future__ import annotations

from vinculo.contacts import services as contacts
from vinculo.events.models import EventSettings, InboundEndpoint, TrackedEvent
from vinculo.events.presets import PRESETS
from vinculo.events.services import ingest_events


def _data(ana):
    maria = contacts.create_person(
        actor=ana.actor, data={"first_name": "Maria", "email": "maria@cliente.com.br"}
    )
    result = ingest_events(
        actor=ana.actor,
        rows=[
            {"name": "purchase", "person": {"id": maria.pk}, "amount": "120", "order_id": "77"},
            {"name": "page_viewed", "person": {"id": maria.pk}, "properties": {"path": "/precos"}},
        ],
    )
    return maria, result.created


def test_screens_show_events_purchases_and_filters(ana):
    maria, (purchase, _view) = _data(ana)
    web = ana.web("pt-br")
    page = web.get("/events/").content.decode()
    assert "/precos" in page and 'data-chart="events-chart-data"' in page and "Maria" in page
    filtered = web.get("/events/", {"name": "purchase"}).content.decode()
    assert "/precos" not in filtered.split('id="events-table"')[1]
    assert "77" in web.get(f"/events/{purchase.pk}/").content.decode()
    history = web.get(f"/people/{maria.pk}/purchases/").content.decode()
    assert "R$" in history and "77" in history
    assert f"/people/{maria.pk}/purchases/" in web.get(f"/people/{maria.pk}/").content.decode()


def test_settings_screen_saves_and_names_bad_fields(ana):
    web = ana.web()
    assert web.get("/events/settings/").status_code == 200
    response = web.post("/events/settings/", {"lead_stage": "nope", "lead_source": "x"})
    assert response.status_code == 422
    response = web.post("/events/settings/", {"lead_stage": "mql", "lead_source": "loja"})
    assert response.status_code == 302
    saved = EventSettings.objects.get(workspace=ana.workspace)
    assert (saved.create_unknown_people, saved.lead_stage) == (False, "mql")


def test_endpoint_form_previews_then_saves(ana):
    web = ana.web()
    form = web.get("/events/inbound/new/?preset=ecommerce_order").content.decode()
    assert "total_price" in form and "CAFE-500" in form
    import json

    fields = {
        "name": "Loja",
        "mapping": json.dumps(PRESETS["ecommerce_order"].mapping),
        "sample": json.dumps(PRESETS["ecommerce_order"].sample),
        "is_active": "on",
    }
    preview = web.post("/events/inbound/new/?preset=ecommerce_order", {**fields, "preview": "1"})
    assert "mapping-preview" in preview.content.decode() and "199.80" in preview.content.decode()
    assert not InboundEndpoint.objects.exists() and not TrackedEvent.objects.exists()
    bad = web.post("/events/inbound/new/", {**fields, "mapping": "{oops"})
    assert bad.status_code == 422
    saved = web.post("/events/inbound/new/?preset=ecommerce_order", fields)
    endpoint = InboundEndpoint.objects.get()
    assert saved.status_code == 302
    detail = web.get(f"/events/inbound/{endpoint.pk}/").content.decode()
    assert f"/hooks/in/{endpoint.token}" in detail
    assert "Loja" in web.get("/events/inbound/").content.decode()


def test_carla_sees_none_of_anas_events_on_screens(ana, carla):
    maria, (purchase, _view) = _data(ana)
    web = carla.web()
    assert web.get(f"/events/{purchase.pk}/").status_code == 404
    assert web.get(f"/people/{maria.pk}/purchases/").status_code == 404
    page = web.get("/events/").content.decode()
    assert "/precos" not in page and "Maria" not in page
    assert web.get("/events/", {"person": maria.pk}).status_code == 200
