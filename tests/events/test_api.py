"""The events API: ingest (single, batch, malformed), list, detail, purchases, settings, visitor
links; Carla never sees Ana's events; answers conform to our OpenAPI schema; the batch costs the
same number of queries whatever its size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.api import fields_of, problem, send
from tests.integrations.test_openapi_contract import conforms
from vinculo.contacts import services as contacts
from vinculo.events.models import TrackedEvent

API = "/api/v1"


@pytest.fixture
def openapi(db) -> dict:
    return Client().get(f"{API}/openapi.json").json()


@pytest.fixture
def maria(ana):
    return contacts.create_person(
        actor=ana.actor, data={"first_name": "Maria", "email": "maria@cliente.com.br"}
    )


def test_a_batch_answers_each_row_by_index_with_its_field_path(ana, maria, openapi):
    response = send(
        ana.client(),
        "post",
        f"{API}/events",
        {
            "events": [
                {
                    "name": "purchase",
                    "key": "o-1",
                    "person": {"email": "maria@cliente.com.br"},
                    "amount": "120.00",
                    "order_id": "1",
                },
                {"name": "purchase", "person": {"id": maria.pk}, "amount": "doze"},
                {
                    "name": "page_viewed",
                    "person": {"id": maria.pk},
                    "properties": {"path": "/pricing"},
                },
                {
                    "name": "purchase",
                    "person": {"id": maria.pk},
                    "amount": "1",
                    "items": [{"sku": "A", "quantity": -1}],
                },
            ]
        },
    )
    assert response.status_code == 200, response.content
    conforms(openapi, "post", f"{API}/events", response)
    body = response.json()
    assert body["counts"] == {"created": 2, "duplicate": 0, "error": 2}
    assert [r["status"] for r in body["results"]] == ["created", "error", "created", "error"]
    assert body["results"][1]["errors"][0]["field"] == "events[1].amount"
    assert body["results"][3]["errors"][0]["field"] == "events[3].items[0].quantity"
    assert body["results"][0]["person_id"] == maria.pk

    replay = send(
        ana.client(),
        "post",
        f"{API}/events",
        {
            "events": [
                {"name": "purchase", "key": "o-1", "person": {"id": maria.pk}, "amount": "120.00"}
            ]
        },
    )
    assert replay.json()["results"][0] == {
        "index": 0,
        "status": "duplicate",
        "id": body["results"][0]["id"],
        "person_id": maria.pk,
        "errors": [],
    }


def test_a_single_event_is_accepted(ana, maria):
    response = send(
        ana.client(), "post", f"{API}/events", {"name": "email_opened", "person": {"id": maria.pk}}
    )
    assert response.json()["counts"]["created"] == 1
    bad = send(ana.client(), "post", f"{API}/events", {"name": "email_opened"})
    assert bad.json()["results"][0]["errors"][0]["field"] == "person"


def test_a_malformed_body_is_a_problem(ana):
    client = ana.client()
    not_json = client.post(f"{API}/events", data="{nope", content_type="application/json")
    assert problem(not_json, 400)["detail"]
    assert fields_of(problem(send(client, "post", f"{API}/events", [1]), 422)) == {"body"}
    assert fields_of(problem(send(client, "post", f"{API}/events", {"events": 3}), 422)) == {
        "events"
    }
    too_many = {"events": [{"name": "x"}] * 1001}
    assert fields_of(problem(send(client, "post", f"{API}/events", too_many), 422)) == {"events"}


def test_a_viewer_cannot_post_events(vera):
    response = send(vera.client(), "post", f"{API}/events", {"name": "x", "visitor_id": "v"})
    problem(response, 403)


def test_list_filter_detail_and_purchases(ana, maria, openapi):
    send(
        ana.client(),
        "post",
        f"{API}/events",
        {
            "events": [
                {
                    "name": "purchase",
                    "person": {"id": maria.pk},
                    "amount": 50,
                    "order_id": "A",
                    "occurred_at": "2026-01-01T10:00:00Z",
                },
                {
                    "name": "purchase",
                    "person": {"id": maria.pk},
                    "amount": "25.5",
                    "occurred_at": "2026-02-01T10:00:00Z",
                },
                {"name": "page_viewed", "visitor_id": "anon-1"},
            ]
        },
    )
    client = ana.client()
    listed = client.get(f"{API}/events", {"person_id": maria.pk, "limit": 1})
    conforms(openapi, "get", f"{API}/events", listed)
    page = listed.json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    second = client.get(f"{API}/events", {"person_id": maria.pk, "cursor": page["next_cursor"]})
    assert [e["purchase"]["order_id"] for e in page["items"] + second.json()["items"]] == ["", "A"]
    by_name = client.get(f"{API}/events", {"name": "page_viewed"}).json()["items"]
    assert [e["visitor_id"] for e in by_name] == ["anon-1"]
    since = client.get(f"{API}/events", {"since": "2026-01-15T00:00:00Z", "name": "purchase"})
    assert len(since.json()["items"]) == 1

    event_id = page["items"][0]["id"]
    detail = client.get(f"{API}/events/{event_id}")
    conforms(openapi, "get", f"{API}/events/{event_id}", detail)
    assert detail.json()["purchase"]["amount"] == "25.50"

    purchases = client.get(f"{API}/people/{maria.pk}/purchases")
    conforms(openapi, "get", f"{API}/people/{maria.pk}/purchases", purchases)
    body = purchases.json()
    assert body["totals"]["order_count"] == 2
    assert body["totals"]["total_spent"] == [{"currency": "BRL", "amount": "75.50"}]


def test_settings_get_and_put(ana, bruno, openapi):
    client = ana.client()
    got = client.get(f"{API}/events/settings")
    conforms(openapi, "get", f"{API}/events/settings", got)
    assert got.json()["create_unknown_people"] is True
    put = send(
        client,
        "put",
        f"{API}/events/settings",
        {"create_unknown_people": False, "lead_source": "loja"},
    )
    conforms(openapi, "put", f"{API}/events/settings", put)
    assert put.json() == {
        "create_unknown_people": False,
        "lead_stage": "lead",
        "lead_source": "loja",
    }
    bad = problem(send(client, "put", f"{API}/events/settings", {"lead_stage": "x"}), 422)
    assert fields_of(bad) == {"lead_stage"}
    problem(send(bruno.client(), "put", f"{API}/events/settings", {"lead_source": "x"}), 403)


def test_visitor_link(ana, maria, openapi):
    send(ana.client(), "post", f"{API}/events", {"name": "page_viewed", "visitor_id": "v-9"})
    response = send(
        ana.client(),
        "post",
        f"{API}/events/visitor-links",
        {"visitor_id": "v-9", "person_id": maria.pk},
    )
    conforms(openapi, "post", f"{API}/events/visitor-links", response)
    assert response.json()["linked"] == 1


def test_carla_cannot_reach_anas_events(ana, carla, maria):
    result = send(
        ana.client(),
        "post",
        f"{API}/events",
        {"name": "purchase", "person": {"id": maria.pk}, "amount": 10},
    ).json()
    event_id = result["results"][0]["id"]
    client = carla.client()
    problem(client.get(f"{API}/events/{event_id}"), 404)
    assert client.get(f"{API}/events").json()["items"] == []
    assert client.get(f"{API}/events", {"person_id": maria.pk}).json()["items"] == []
    problem(client.get(f"{API}/people/{maria.pk}/purchases"), 404)
    posted = send(client, "post", f"{API}/events", {"name": "x", "person": {"id": maria.pk}})
    assert posted.json()["results"][0]["errors"][0]["field"] == "person.id"
    linked = send(
        client, "post", f"{API}/events/visitor-links", {"visitor_id": "v", "person_id": maria.pk}
    )
    problem(linked, 404)
    put = send(client, "put", f"{API}/events/settings", {"create_unknown_people": False})
    assert put.status_code == 200
    assert ana.client().get(f"{API}/events/settings").json()["create_unknown_people"] is True


def _batch(n: int, offset: int) -> dict:
    return {
        "events": [
            {
                "name": "purchase" if i % 3 == 0 else "page_viewed",
                "key": f"k-{offset + i}",
                "person": {"email": f"p{offset + i}@cliente.com.br"},
                **({"amount": "9.90"} if i % 3 == 0 else {}),
            }
            for i in range(n)
        ]
    }


def test_the_batch_costs_the_same_queries_whatever_its_size(ana):
    client = ana.client()
    send(client, "post", f"{API}/events", _batch(2, 0))  # warm the per-process caches
    counts = []
    for n, offset in ((5, 100), (60, 1000)):
        with CaptureQueriesContext(connection) as ctx:
            response = send(client, "post", f"{API}/events", _batch(n, offset))
        assert response.json()["counts"]["created"] == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    assert TrackedEvent.objects.count() == 67
