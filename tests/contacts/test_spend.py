"""Marketing spend through the API (``/api/v1/spend``): entering, listing by month range and
channel, changing and deleting, each field's error, one entry per month, channel and currency,
roles, two workspaces (the other's ids are 404, never listed), the answers against the OpenAPI
document."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api import problem, send
from tests.integrations.test_openapi_contract import conforms
from vinculo.core.models import AuditEntry

URL = "/api/v1/spend"


@pytest.fixture
def openapi(db) -> dict:
    return Client().get("/api/v1/openapi.json").json()


def _enter(persona, month, channel, amount, **extra):
    response = send(
        persona.client(),
        "post",
        URL,
        {"month": month, "channel": channel, "amount": amount, **extra},
    )
    assert response.status_code == 201, response.content
    return response


def test_enter_list_change_and_delete(ana, openapi):
    created = _enter(ana, "2026-03", "Google Ads", "1500.5", note="Campanha de Páscoa")
    conforms(openapi, "post", URL, created)
    body = created.json()
    assert (body["month"], body["channel"], body["amount"], body["currency"]) == (
        "2026-03",
        "Google Ads",
        "1500.50",
        "BRL",  # the workspace's when none is given
    )
    assert body["entered_by_id"] == ana.user.pk
    _enter(ana, "2026-01-20", "Meta Ads", "300")
    _enter(ana, "2026-03", "google ads", "20", currency="USD")  # same channel, other currency
    c = ana.client()
    listed = c.get(f"{URL}?from=2026-02&to=2026-03")
    conforms(openapi, "get", URL, listed)
    assert [(s["channel"], s["currency"]) for s in listed.json()["items"]] == [
        ("Google Ads", "BRL"),
        ("google ads", "USD"),
    ]
    assert [s["month"] for s in c.get(URL).json()["items"]] == ["2026-03", "2026-03", "2026-01"]
    by_channel = c.get(f"{URL}?channel=GOOGLE%20ADS").json()["items"]
    assert len(by_channel) == 2  # case folded
    one = c.get(f"{URL}/{body['id']}")
    conforms(openapi, "get", f"{URL}/{body['id']}", one)
    patched = send(c, "patch", f"{URL}/{body['id']}", {"amount": "1600", "note": ""})
    conforms(openapi, "patch", f"{URL}/{body['id']}", patched)
    assert (patched.json()["amount"], patched.json()["note"]) == ("1600.00", "")
    entry = AuditEntry.objects.get(action="spend.updated")
    assert entry.changes["amount"] == ["1500.50", "1600.00"]
    assert c.delete(f"{URL}/{body['id']}").status_code == 204
    assert c.get(f"{URL}/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"month": "2026-3", "channel": "x", "amount": "1"}, "month", "invalid_date"),
        ({"month": "", "channel": "x", "amount": "1"}, "month", "required"),
        ({"month": "2026-03", "channel": "", "amount": "1"}, "channel", "required"),
        ({"month": "2026-03", "channel": "x", "amount": "-1"}, "amount", "too_small"),
        ({"month": "2026-03", "channel": "x", "amount": "1.234"}, "amount", "too_precise"),
        (
            {"month": "2026-03", "channel": "x", "amount": "1", "currency": "R$"},
            "currency",
            "invalid_currency",
        ),
    ],
)
def test_bad_input_names_the_field(ana, data, field, code):
    body = problem(send(ana.client(), "post", URL, data), 422)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]


def test_one_entry_per_month_channel_and_currency(ana):
    first = _enter(ana, "2026-03", "Google Ads", "10").json()
    body = problem(
        send(
            ana.client(),
            "post",
            URL,
            {"month": "2026-03-31", "channel": " GOOGLE  ads ", "amount": "5"},
        ),
        422,
    )
    assert body["errors"][0]["field"] == "channel"
    other = _enter(ana, "2026-04", "Google Ads", "10").json()
    moved = send(ana.client(), "patch", f"{URL}/{other['id']}", {"month": "2026-03"})
    assert problem(moved, 422)["errors"][0]["code"] == "taken"
    assert ana.client().get(f"{URL}/{first['id']}").json()["amount"] == "10.00"


def test_two_workspaces_and_roles(ana, bruno, vera, carla):
    mine = _enter(ana, "2026-03", "Google Ads", "10").json()
    theirs = carla.client()
    assert theirs.get(URL).json()["items"] == []
    assert theirs.get(f"{URL}/{mine['id']}").status_code == 404
    assert send(theirs, "patch", f"{URL}/{mine['id']}", {"amount": "1"}).status_code == 404
    assert theirs.delete(f"{URL}/{mine['id']}").status_code == 404
    _enter(carla, "2026-03", "Google Ads", "99")  # the same month and channel, her workspace
    assert [s["amount"] for s in ana.client().get(URL).json()["items"]] == ["10.00"]
    # A viewer and a sales rep read the spend; neither enters it (marketing.write).
    assert len(vera.client().get(URL).json()["items"]) == 1
    data = {"month": "2026-03", "channel": "Meta Ads", "amount": "1"}
    problem(send(vera.client(), "post", URL, data), 403)
    problem(send(bruno.client(), "post", URL, data), 403)
    problem(bruno.client().delete(f"{URL}/{mine['id']}"), 403)
