"""The calculator of a customer's yearly value: both KPIs of the registry over the last 12
months, the CLV preferred when the customer-value analysis gave one, the revenue per customer
otherwise, nothing suggested without data; in the currency asked; one workspace's data only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.api import fields_of, problem
from vinculo.contacts import services as contacts
from vinculo.events.models import CustomerValue
from vinculo.sales import services as sales
from vinculo.sales.models import Deal
from vinculo.strategy.plan.calculator import customer_value

SP = ZoneInfo("America/Sao_Paulo")
TODAY = date(2026, 6, 30)  # the last 12 months: 1 July 2025 to 30 June 2026


def _won(persona, person, amount, closed):
    deal = sales.create_deal(
        actor=persona.actor, data={"title": "D", "amount": amount, "person_id": person.pk}
    )
    Deal.objects.filter(pk=deal.pk).update(
        status="won", closed_at=datetime.fromisoformat(closed).replace(tzinfo=SP)
    )


def test_revenue_per_customer_without_an_analysis(ana, carla):
    a = ana.actor
    p1 = contacts.create_person(actor=a, data={"first_name": "P1"})
    p2 = contacts.create_person(actor=a, data={"first_name": "P2"})
    _won(ana, p1, "1000", "2025-09-10T10:00")
    _won(ana, p1, "500", "2026-06-30T10:00")
    _won(ana, p2, "1500", "2026-01-15T10:00")
    _won(ana, p2, "9999", "2025-06-30T10:00")  # the day before the 12 months: left out
    theirs = contacts.create_person(actor=carla.actor, data={"first_name": "X"})
    _won(carla, theirs, "50000", "2026-01-15T10:00")
    found = customer_value(a, today=TODAY)
    # (1,000 + 500 + 1,500) / 2 customers = 1,500.00 BRL; no CLV analysis.
    values = {o["key"]: o["value"] for o in found["options"]}
    assert values == {"average_clv": None, "average_revenue_per_customer": Decimal("1500.00")}
    assert (found["used"], found["value"]) == ("average_revenue_per_customer", Decimal("1500.00"))
    assert (found["start"], found["end"], found["currency"]) == (date(2025, 7, 1), TODAY, "BRL")
    none = customer_value(a, "USD", today=TODAY)
    assert (none["used"], none["value"], none["currency"]) == (None, None, "USD")


def test_the_clv_is_preferred_and_the_api_answers(ana, carla):
    a = ana.actor
    for name, clv in (("P1", "1200"), ("P2", "1800")):
        person = contacts.create_person(actor=a, data={"first_name": name})
        _won(ana, person, "100", "2026-01-15T10:00")
        CustomerValue.objects.create(
            workspace=a.workspace,
            person=person,
            currency="BRL",
            recency_days=1,
            frequency=1,
            monetary=Decimal(100),
            r_score=1,
            f_score=1,
            m_score=1,
            segment="champions",
            analysis_date=date(2026, 1, 1),
            computed_at=timezone.now(),
            clv=Decimal(clv),
        )
    # Mean CLV (1,200 + 1,800) / 2 = 1,500.00, preferred to the 100.00 per customer.
    body = ana.client().get("/api/v1/plan/calculator").json()
    assert body["used"] == "average_clv" and body["value"] == "1500.00"
    assert {o["key"]: o["value"] for o in body["options"]} == {
        "average_clv": "1500.00",
        "average_revenue_per_customer": "100.00",
    }
    assert carla.client().get("/api/v1/plan/calculator").json()["used"] is None
    body = problem(ana.client().get("/api/v1/plan/calculator?currency=XX"), 422)
    assert fields_of(body) == {"currency"}
