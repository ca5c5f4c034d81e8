"""Currency rates through the API (``/api/v1/currency-rates``): entering, listing, changing and
deleting, each field's error, two workspaces (the other's ids are 404 and never listed), the
answers against the OpenAPI document; and a snapshot KPI converted at the rates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.api import problem, send
from tests.integrations.test_openapi_contract import conforms
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.core.models import AuditEntry
from vinculo.sales import services as sales
from vinculo.sales.models import Deal

URL = "/api/v1/currency-rates"


@pytest.fixture
def openapi(db) -> dict:
    return Client().get("/api/v1/openapi.json").json()


def test_enter_list_change_and_delete(ana, openapi):
    c = ana.client()
    created = send(c, "post", URL, {"currency": "usd", "month": "2026-03", "rate": "5.1234"})
    assert created.status_code == 201, created.content
    conforms(openapi, "post", URL, created)
    body = created.json()
    assert (body["currency"], body["to_currency"], body["month"], body["rate"]) == (
        "USD",
        "BRL",
        "2026-03",
        "5.12340000",
    )
    send(c, "post", URL, {"currency": "EUR", "month": "2026-02-15", "rate": "6"})
    listed = c.get(f"{URL}?from=2026-03&to=2026-12")
    conforms(openapi, "get", URL, listed)
    assert [r["currency"] for r in listed.json()["items"]] == ["USD"]
    assert [r["month"] for r in c.get(URL).json()["items"]] == ["2026-03", "2026-02"]
    assert [r["currency"] for r in c.get(f"{URL}?currency=eur").json()["items"]] == ["EUR"]
    one = c.get(f"{URL}/{body['id']}")
    conforms(openapi, "get", f"{URL}/{body['id']}", one)
    patched = send(c, "patch", f"{URL}/{body['id']}", {"rate": "5.5"})
    conforms(openapi, "patch", f"{URL}/{body['id']}", patched)
    assert patched.json()["rate"] == "5.50000000"
    assert AuditEntry.objects.filter(action="currency_rate.updated").count() == 1
    deleted = c.delete(f"{URL}/{body['id']}")
    assert deleted.status_code == 204
    assert c.get(f"{URL}/{body['id']}").status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"currency": "XYZ", "month": "2026-03", "rate": "1"}, "currency", "invalid_currency"),
        ({"currency": "BRL", "month": "2026-03", "rate": "1"}, "currency", "same_currency"),
        ({"currency": "USD", "month": "2026-13", "rate": "1"}, "month", "invalid_date"),
        ({"currency": "USD", "month": "2026-03", "rate": "0"}, "rate", "too_small"),
        ({"currency": "USD", "month": "2026-03", "rate": "-2"}, "rate", "too_small"),
        ({"currency": "USD", "month": "", "rate": "1"}, "month", "required"),
    ],
)
def test_bad_input_names_the_field(ana, data, field, code):
    body = problem(send(ana.client(), "post", URL, data), 422)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, code)]


def test_one_rate_per_currency_and_month(ana):
    data = {"currency": "USD", "month": "2026-03", "rate": "5"}
    send(ana.client(), "post", URL, data)
    body = problem(send(ana.client(), "post", URL, {**data, "month": "2026-03-20"}), 422)
    assert body["errors"][0]["field"] == "month"


def test_two_workspaces_and_roles(ana, vera, carla):
    mine = send(ana.client(), "post", URL, {"currency": "USD", "month": "2026-03", "rate": "5"})
    rate_id = mine.json()["id"]
    theirs = carla.client()
    assert theirs.get(URL).json()["items"] == []
    assert theirs.get(f"{URL}/{rate_id}").status_code == 404
    assert send(theirs, "patch", f"{URL}/{rate_id}", {"rate": "9"}).status_code == 404
    assert theirs.delete(f"{URL}/{rate_id}").status_code == 404
    # Carla may enter the same currency and month in her workspace.
    again = send(theirs, "post", URL, {"currency": "USD", "month": "2026-03", "rate": "4"})
    assert again.status_code == 201
    # A viewer reads the rates but cannot change them.
    assert len(vera.client().get(URL).json()["items"]) == 1
    data = {"currency": "EUR", "month": "2026-03", "rate": "6"}
    problem(send(vera.client(), "post", URL, data), 403)


def test_snapshot_converted_at_the_rate_of_the_month_each_deal_began(ana):
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    tz = ZoneInfo("UTC")
    for title, amount, code, created in [
        ("A", "1000", "BRL", datetime(2026, 2, 10, tzinfo=tz)),
        ("B", "100", "USD", datetime(2026, 2, 28, 23, tzinfo=tz)),
        ("C", "10", "EUR", datetime(2026, 3, 5, tzinfo=tz)),
    ]:
        deal = sales.create_deal(actor=ana.actor, data={"title": title, "amount": amount})
        Deal.objects.filter(pk=deal.pk).update(currency=code, created_at=created)
    send(ana.client(), "post", URL, {"currency": "USD", "month": "2026-02", "rate": "5"})
    send(ana.client(), "post", URL, {"currency": "USD", "month": "2026-03", "rate": "7"})
    pipeline = measure(
        "pipeline_value",
        Scope(actor=ana.actor, currency="converted"),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        grain=Grain.MONTH,
    )
    # Open at the end of March: A 1,000 + B 100 USD at February's 5 = 1,500; C (EUR) has no
    # rate for March: left out and said.
    assert pipeline.value == Decimal("1500.00")
    assert pipeline.missing_rates == [("EUR", date(2026, 3, 1))]
    # At the end of February (the previous period): A and B = 1,500 (C not created yet).
    assert pipeline.previous == Decimal("1500.00")
