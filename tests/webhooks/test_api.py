"""The webhook API: CRUD, secrets, event types, delivery log, redeliver, ping; Carla sees none."""

from __future__ import annotations

import pytest

from tests.integrations.test_openapi_contract import conforms
from tests.webhooks.helpers import drain, run_outbox
from vinculo.contacts import services as contacts
from vinculo.integrations.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def openapi(db) -> dict:
    from django.test import Client

    return Client().get(f"{API}/openapi.json").json()


def _create(client, url, **extra):
    body = {"name": "ERP", "url": url, "event_types": ["person.*"], **extra}
    return client.post(f"{API}/webhooks", body, content_type="application/json")


def test_the_whole_api_answers_what_the_schema_says(ana, receiver, openapi):
    client = ana.client()
    response = _create(
        client, receiver.url, condition={"field": "tags", "op": "has_any", "value": ["vip"]}
    )
    assert response.status_code == 201, response.content
    conforms(openapi, "post", f"{API}/webhooks", response)
    created = response.json()
    assert created["secret"].startswith("whsec_")
    sub_id = created["id"]

    listed = client.get(f"{API}/webhooks")
    conforms(openapi, "get", f"{API}/webhooks", listed)
    assert [s["id"] for s in listed.json()] == [sub_id]
    assert "secret" not in listed.json()[0]

    one = client.get(f"{API}/webhooks/{sub_id}")
    conforms(openapi, "get", f"{API}/webhooks/{sub_id}", one)

    patched = client.patch(
        f"{API}/webhooks/{sub_id}",
        {"name": "ERP novo", "condition": None},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    conforms(openapi, "patch", f"{API}/webhooks/{sub_id}", patched)
    assert patched.json()["name"] == "ERP novo" and patched.json()["condition"] is None

    rotated = client.post(f"{API}/webhooks/{sub_id}/rotate-secret")
    conforms(openapi, "post", f"{API}/webhooks/{sub_id}/rotate-secret", rotated)
    assert rotated.json()["secret"] != created["secret"]

    types = client.get(f"{API}/webhooks/event-types")
    conforms(openapi, "get", f"{API}/webhooks/event-types", types)
    names = {t["name"]: t for t in types.json()}
    assert names["person.created"]["example"]["type"] == "person.created"
    assert not any(n.startswith("test.") for n in names)

    ping = client.post(f"{API}/webhooks/{sub_id}/ping")
    assert ping.status_code == 202
    conforms(openapi, "post", f"{API}/webhooks/{sub_id}/ping", ping)

    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_outbox()
    drain(WebhookSubscription.objects.get(pk=sub_id))
    assert len(receiver.requests) == 2

    log = client.get(f"{API}/webhooks/deliveries?subscription={sub_id}&limit=1")
    conforms(openapi, "get", f"{API}/webhooks/deliveries", log)
    page = log.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    second = client.get(f"{API}/webhooks/deliveries?cursor={page['next_cursor']}&limit=1")
    assert second.json()["items"][0]["id"] < page["items"][0]["id"]
    only_ok = client.get(f"{API}/webhooks/deliveries?status=succeeded&event_type=webhook.ping")
    assert [d["event_type"] for d in only_ok.json()["items"]] == ["webhook.ping"]

    delivery_id = page["items"][0]["id"]
    detail = client.get(f"{API}/webhooks/deliveries/{delivery_id}")
    conforms(openapi, "get", f"{API}/webhooks/deliveries/{delivery_id}", detail)
    body = detail.json()
    assert body["attempt_log"][0]["response_status"] == 200
    assert body["attempt_log"][0]["request_headers"]["Vinculo-Delivery"] == body["uid"]
    assert body["request_body"]["type"] == body["event_type"]

    again = client.post(f"{API}/webhooks/deliveries/{delivery_id}/redeliver")
    assert again.status_code == 202
    conforms(openapi, "post", f"{API}/webhooks/deliveries/{delivery_id}/redeliver", again)

    gone = client.delete(f"{API}/webhooks/{sub_id}")
    assert gone.status_code == 204
    assert not WebhookSubscription.objects.filter(pk=sub_id).exists()


def test_unknown_event_type_is_refused_naming_the_field(ana, openapi):
    response = _create(
        ana.client(), "https://example.com/hook", event_types=["person.created", "persn.*"]
    )
    assert response.status_code == 422
    conforms(openapi, "post", f"{API}/webhooks", response)
    errors = response.json()["errors"]
    assert errors[0]["field"] == "event_types.1"
    assert errors[0]["code"] == "unknown_event_type"
    assert "persn.*" in errors[0]["message"]


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"url": "ftp://example.com/x"}, "url", "invalid_scheme"),
        ({"url": ""}, "url", "required"),
        ({"name": ""}, "name", "required"),
        ({"event_types": []}, "event_types", "required"),
        ({"condition": {"field": "nope", "op": "eq", "value": 1}}, "condition.field", None),
        ({"condition_object": "planet"}, "condition_object", None),
    ],
)
def test_bad_input_names_the_field(ana, body, field, code):
    data = {"name": "ERP", "url": "https://example.com/hook", "event_types": ["person.*"], **body}
    response = ana.client().post(f"{API}/webhooks", data, content_type="application/json")
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors[0]["field"] == field
    if code:
        assert errors[0]["code"] == code
    assert not WebhookSubscription.objects.exists()


def test_private_addresses_are_refused_by_default(ana):
    # No allow-list, SQLite, tests: nothing loopback or private is accepted (test_ssrf.py has
    # every address form).
    for url in (
        "http://127.0.0.1:8000/x",
        "http://10.0.0.5/x",
        "http://localhost/x",
        "http://[::1]/x",
    ):
        response = _create(ana.client(), url)
        assert response.status_code == 422, url
        assert response.json()["errors"][0]["code"] == "private_address"


def test_roles_without_the_permission_are_refused(bruno, vera):
    for persona in (bruno, vera):
        response = persona.client().get(f"{API}/webhooks")
        assert response.status_code == 403
        assert "webhooks" in response.json()["detail"]


def test_carla_never_sees_anas_webhooks(ana, carla, receiver):
    created = _create(ana.client(), receiver.url).json()
    sub_id = created["id"]
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_outbox()
    drain(WebhookSubscription.objects.get(pk=sub_id))
    delivery = WebhookDelivery.objects.get(subscription_id=sub_id)
    client = carla.client()
    assert client.get(f"{API}/webhooks").json() == []
    assert client.get(f"{API}/webhooks/deliveries").json()["items"] == []
    assert client.get(f"{API}/webhooks/deliveries?subscription={sub_id}").json()["items"] == []
    for method, url in [
        ("get", f"{API}/webhooks/{sub_id}"),
        ("patch", f"{API}/webhooks/{sub_id}"),
        ("delete", f"{API}/webhooks/{sub_id}"),
        ("post", f"{API}/webhooks/{sub_id}/rotate-secret"),
        ("post", f"{API}/webhooks/{sub_id}/ping"),
        ("get", f"{API}/webhooks/deliveries/{delivery.pk}"),
        ("post", f"{API}/webhooks/deliveries/{delivery.pk}/redeliver"),
    ]:
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code == 404, (method, url, response.content)
    # Carla's own events never reach Ana's receiver.
    contacts.create_person(actor=carla.actor, data={"first_name": "Carla"})
    run_outbox()
    drain(WebhookSubscription.objects.get(pk=sub_id))
    assert len(receiver.requests) == 1
    assert WebhookSubscription.objects.get(pk=sub_id).secret != ""
