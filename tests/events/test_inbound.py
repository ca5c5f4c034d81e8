"""Inbound webhook endpoints: the presets' fixtures map to events, wrong token 404, bad signature
401, an unmappable payload 422 naming the path, every receipt logged; management API and
screens, with Carla kept out."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.test import Client

from tests.api import problem, send
from tests.integrations.test_openapi_contract import conforms
from vinculo.contacts.models import Person
from vinculo.events.models import InboundReceipt, Purchase, TrackedEvent
from vinculo.events.presets import PRESETS
from vinculo.events.services import create_inbound_endpoint

API = "/api/v1/events/inbound/endpoints"


@pytest.fixture
def openapi(db) -> dict:
    return Client().get("/api/v1/openapi.json").json()


def endpoint_for(persona, preset: str, **extra):
    return create_inbound_endpoint(
        actor=persona.actor, data={"name": preset, "preset": preset, **extra}
    )


def post(token: str, payload, **headers):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Client().post(
        f"/hooks/in/{token}", data=body, content_type="application/json", **headers
    )


def test_the_ecommerce_order_fixture_becomes_a_purchase(ana):
    endpoint = endpoint_for(ana, "ecommerce_order")
    response = post(endpoint.token, PRESETS["ecommerce_order"].sample)
    assert response.status_code == 200, response.content
    assert response.json()["counts"] == {"created": 1, "duplicate": 0, "error": 0}
    purchase = Purchase.objects.get()
    assert str(purchase.amount) == "199.80" and purchase.order_id == "1001"
    assert [i["sku"] for i in purchase.items] == ["CAFE-500", "CANECA"]
    joana = Person.objects.get(email="joana.lima@cliente.com.br")
    assert (joana.first_name, joana.last_name) == ("Joana", "Lima")
    assert purchase.person_id == joana.pk
    # The shop retries the same order: nothing new.
    again = post(endpoint.token, PRESETS["ecommerce_order"].sample)
    assert again.json()["counts"]["duplicate"] == 1
    assert TrackedEvent.objects.count() == 1
    assert InboundReceipt.objects.filter(endpoint=endpoint, http_status=200).count() == 2


def test_the_scheduling_and_form_fixtures_map(ana):
    booking = endpoint_for(ana, "scheduling_booking")
    form = endpoint_for(ana, "form_post")
    assert post(booking.token, PRESETS["scheduling_booking"].sample).status_code == 200
    assert post(form.token, PRESETS["form_post"].sample).status_code == 200
    appointment = TrackedEvent.objects.get(name="appointment_booked")
    assert appointment.properties["starts_at"].startswith("2026-03-05T13:00:00")
    assert appointment.person.phone == "+5521998765432"
    submitted = TrackedEvent.objects.get(name="form_submitted")
    assert submitted.properties["form"] == "contato"
    assert submitted.person.email == "beatriz@cliente.com.br"


def test_one_payload_may_yield_several_events(ana):
    endpoint = create_inbound_endpoint(
        actor=ana.actor,
        data={
            "name": "Lote",
            "mapping": {
                "each": "visits[*]",
                "fields": {
                    "name": {"value": "page_viewed"},
                    "person.email": "$.email",
                    "properties.path": "path",
                },
            },
        },
    )
    response = post(
        endpoint.token, {"email": "lu@cliente.com.br", "visits": [{"path": "/a"}, {"path": "/b"}]}
    )
    assert response.json()["counts"]["created"] == 2
    assert sorted(TrackedEvent.objects.values_list("properties__path", flat=True)) == ["/a", "/b"]


def test_wrong_token_404_bad_signature_401_unmappable_422(ana):
    endpoint = endpoint_for(ana, "form_post", secret="s3gredo")
    assert post("not-a-token", {}).status_code == 404
    body = json.dumps(PRESETS["form_post"].sample).encode()

    unsigned = post(endpoint.token, body)
    assert unsigned.status_code == 401
    wrong = post(endpoint.token, body, HTTP_X_VINCULO_SIGNATURE="sha256=" + "0" * 64)
    assert wrong.status_code == 401

    good = hmac.new(b"s3gredo", body, hashlib.sha256).hexdigest()
    assert post(endpoint.token, body, HTTP_X_VINCULO_SIGNATURE=f"sha256={good}").status_code == 200

    odd = json.dumps({"form": "x", "fields": {"nome": "sem email"}}).encode()
    sig = hmac.new(b"s3gredo", odd, hashlib.sha256).hexdigest()
    unmappable = post(endpoint.token, odd, HTTP_X_VINCULO_SIGNATURE=sig)
    assert unmappable.status_code == 422
    assert "fields.email" in unmappable.json()["errors"][0]["field"]

    statuses = list(
        InboundReceipt.objects.filter(endpoint=endpoint)
        .order_by("id")
        .values_list("http_status", flat=True)
    )
    assert statuses == [401, 401, 200, 422]
    endpoint.is_active = False
    endpoint.save()
    assert post(endpoint.token, body).status_code == 404


def test_rows_refused_by_ingest_answer_422_with_their_fields(ana):
    endpoint = endpoint_for(ana, "ecommerce_order")
    sample = {**PRESETS["ecommerce_order"].sample, "total_price": "muito"}
    response = post(endpoint.token, sample)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "events[0].amount"


def test_management_api_and_preview(ana, openapi):
    client = ana.client()
    presets = client.get("/api/v1/events/inbound/presets")
    conforms(openapi, "get", "/api/v1/events/inbound/presets", presets)
    assert {p["key"] for p in presets.json()} >= {
        "ecommerce_order",
        "scheduling_booking",
        "form_post",
    }
    created = send(client, "post", API, {"name": "Loja", "preset": "ecommerce_order"})
    conforms(openapi, "post", API, created)
    endpoint_id = created.json()["id"]
    assert "/hooks/in/" in created.json()["url"]
    bad = problem(
        send(client, "post", API, {"name": "X", "mapping": {"fields": {"nope": "a"}}}), 422
    )
    assert bad["errors"][0]["field"] == "mapping.fields.nope"

    preview = send(
        client,
        "post",
        f"{API}/{endpoint_id}/preview",
        {"payload": PRESETS["ecommerce_order"].sample},
    )
    conforms(openapi, "post", f"{API}/{endpoint_id}/preview", preview)
    assert preview.json()["events"][0]["event"]["amount"] == "199.80"
    assert TrackedEvent.objects.count() == 0

    patched = send(client, "patch", f"{API}/{endpoint_id}", {"rotate_token": True})
    conforms(openapi, "patch", f"{API}/{endpoint_id}", patched)
    assert patched.json()["url"] != created.json()["url"]
    token = patched.json()["url"].rsplit("/", 1)[1]
    post(token, {"nothing": True})
    receipts = client.get(f"{API}/{endpoint_id}/receipts")
    conforms(openapi, "get", f"{API}/{endpoint_id}/receipts", receipts)
    assert receipts.json()["items"][0]["http_status"] == 422
    listed = client.get(API)
    conforms(openapi, "get", API, listed)
    assert send(client, "delete", f"{API}/{endpoint_id}").status_code == 204


def test_carla_cannot_reach_anas_endpoints(ana, carla):
    endpoint = endpoint_for(ana, "form_post")
    client = carla.client()
    assert client.get(API).json() == []
    problem(client.get(f"{API}/{endpoint.pk}"), 404)
    problem(client.get(f"{API}/{endpoint.pk}/receipts"), 404)
    problem(send(client, "patch", f"{API}/{endpoint.pk}", {"name": "x"}), 404)
    problem(send(client, "post", f"{API}/{endpoint.pk}/preview", {"payload": {}}), 404)
    problem(send(client, "delete", f"{API}/{endpoint.pk}"), 404)
    web = carla.web()
    for url in (f"/events/inbound/{endpoint.pk}/", f"/events/inbound/{endpoint.pk}/edit/"):
        assert web.get(url).status_code == 404
    assert web.post(f"/events/inbound/{endpoint.pk}/delete/").status_code == 404


def test_a_sales_rep_cannot_manage_endpoints(bruno):
    problem(send(bruno.client(), "post", API, {"name": "x", "preset": "form_post"}), 403)
