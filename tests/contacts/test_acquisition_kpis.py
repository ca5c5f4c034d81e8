"""CAC and referrals against a hand-computed fixture (the arithmetic in the comments): the
workspace in São Paulo (UTC-3), a customer at 23:30 on the last day of March and another at
00:30 on 1 April, a binned customer, spend in dollars with and without a rate, spend spread over
the days of its month, and a second workspace whose spend and people never count."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.api import problem, send
from tests.integrations.test_openapi_contract import conforms
from vinculo.contacts import services as contacts
from vinculo.contacts.models import LifecycleChange, Person
from vinculo.core import currency
from vinculo.core.kpis import Grain, Scope, measure

SP = ZoneInfo("America/Sao_Paulo")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31), "grain": Grain.MONTH}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def _customer(actor, name, source, when, *, created=None):
    person = contacts.create_person(actor=actor, data={"first_name": name, "source": source})
    contacts.update_person(actor=actor, person_id=person.pk, data={"lifecycle_stage": "customer"})
    LifecycleChange.objects.filter(person=person).update(changed_at=at(when))
    Person.objects.filter(pk=person.pk).update(created_at=at(created or when))
    return person


def _spend(actor, month, channel, amount, currency_code="BRL"):
    contacts.create_spend(
        actor=actor,
        data={"month": month, "channel": channel, "amount": amount, "currency": currency_code},
    )


@pytest.fixture(autouse=True)
def sao_paulo(ana, carla):
    for persona in (ana, carla):
        persona.actor.workspace.timezone = "America/Sao_Paulo"
        persona.actor.workspace.save(update_fields=["timezone"])


@pytest.fixture
def acquisition(ana, carla):
    a = ana.actor
    _customer(a, "P1", "google ads", "2026-03-05T12:00")
    _customer(a, "P2", "Google Ads", "2026-03-31T23:30")  # 1 April 02:30 UTC: still March here
    _customer(a, "P3", "indicação", "2026-03-10T09:00")
    _customer(a, "P4", "google ads", "2026-04-01T00:30")  # April here
    binned = _customer(a, "P5", "Meta Ads", "2026-03-12T09:00")
    contacts.delete_person(actor=a, person_id=binned.pk)
    _customer(a, "P6", "google ads", "2026-02-15T09:00")
    _spend(a, "2026-03", "Google Ads", "3100")
    _spend(a, "2026-02", "Google Ads", "2800")
    _spend(a, "2026-03", "Meta Ads", "620")
    _spend(a, "2026-03", "LinkedIn", "100", "USD")
    # Carla's workspace: spend and a customer in March that never show in Ana's numbers.
    _customer(carla.actor, "Z", "google ads", "2026-03-05T12:00")
    _spend(carla.actor, "2026-03", "Google Ads", "99999")


def _m(ana, key, **kwargs):
    return measure(key, Scope(actor=ana.actor, **kwargs.pop("scope", {})), **{**MARCH, **kwargs})


def test_cac_in_march_and_the_previous_period(ana, acquisition):
    # New customers in March (local): P1, P2 (23:30 on the 31st), P3 = 3. Not P4 (April),
    # P5 (binned), P6 (February), Carla's Z.
    # BRL spend in March: Google 3,100 + Meta 620 = 3,720 (the USD entry is another currency).
    # CAC = 3,720 / 3 = 1,240.00.
    cac = _m(ana, "cac")
    assert (cac.value, cac.currency, cac.converted) == (Decimal("1240.00"), "BRL", False)
    # Previous period 29 Jan-28 Feb: February's 2,800 whole (28 of its 28 days), January none;
    # one new customer (P6): 2,800.
    assert cac.previous == Decimal("2800.00")
    assert [p.value for p in cac.series] == [Decimal("1240.00")]


def test_cac_spreads_a_month_over_its_days(ana, acquisition):
    # 3,720 / 31 days = 120 a day. Weeks of March 2026: 1 (1 day), 2-8, 9-15, 16-22, 23-29,
    # 30-31. Customers: P1 on the 5th, P3 on the 10th, P2 on the 31st.
    weekly = _m(ana, "cac", grain=Grain.WEEK)
    assert [p.value for p in weekly.series] == [
        None,  # 120 spent, no new customer: no value, not infinity
        Decimal("840.00"),  # 7 * 120 / 1
        Decimal("840.00"),  # 7 * 120 / 1
        None,
        None,
        Decimal("240.00"),  # 2 * 120 / 1
    ]
    # Half of March (1-15): 15 * 120 = 1,800 over P1 and P3 = 900.
    half = _m(ana, "cac", end=date(2026, 3, 15))
    assert half.value == Decimal("900.00")


def test_cac_per_channel(ana, acquisition):
    by_source = {
        label.casefold(): value for _key, label, value in _m(ana, "cac", group_by="source").groups
    }
    assert by_source == {
        "google ads": Decimal("1550.00"),  # 3,100 over P1 and P2 (sources folded alike)
        "indicação": Decimal("0.00"),  # a new customer, no spend entered
        "meta ads": None,  # 620 spent, its only customer binned: no value
    }
    # Cut by one source: its channel's spend over its customers, folded alike: 3,100 / 2.
    cut = _m(ana, "cac", scope={"source": "GOOGLE ADS"})
    assert cut.value == Decimal("1550.00")


def test_cac_converted_with_and_without_a_rate(ana, acquisition):
    missing = _m(ana, "cac", scope={"currency": "converted"})
    # No USD rate for March: the 100 USD are left out and said, the rest is 3,720 / 3.
    assert (missing.value, missing.converted) == (Decimal("1240.00"), True)
    assert missing.missing_rates == [("USD", date(2026, 3, 1))]
    currency.create_currency_rate(
        actor=ana.actor, data={"currency": "USD", "month": "2026-03", "rate": "5"}
    )
    converted = _m(ana, "cac", scope={"currency": "converted"})
    # (3,720 + 100 * 5) / 3 = 4,220 / 3 = 1,406.666… → 1,406.67
    assert converted.value == Decimal("1406.67")
    assert (converted.currency, converted.missing_rates) == ("BRL", [])
    # Asked in dollars: 100 USD over the 3 customers.
    assert _m(ana, "cac", scope={"currency": "USD"}).value == Decimal("33.33")


def test_cac_empty_and_other_workspace(ana, carla, acquisition):
    # No spend, no customers in 2025: no value (not 0, not infinity).
    empty = _m(ana, "cac", start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert (empty.value, empty.previous) == (None, None)
    # Carla: 99,999 over her one customer.
    assert _m(carla, "cac").value == Decimal("99999.00")


def test_cac_refuses_a_segment_and_other_cuts(ana, acquisition):
    response = ana.client().get(
        "/api/v1/kpis/cac?from=2026-03-01&to=2026-03-31&filter="
        '{"field":"first_name","op":"eq","value":"P1"}'
    )
    assert problem(response, 422)["errors"][0]["field"] == "filter"
    assert problem(ana.client().get("/api/v1/kpis/cac?group_by=owner"), 422)["errors"][0][
        "field"
    ] == ("group_by")


def test_cac_through_the_api(ana, acquisition):
    url = "/api/v1/kpis/cac?from=2026-03-01&to=2026-03-31&grain=month&currency=converted"
    response = send(ana.client(), "get", url)
    conforms(Client().get("/api/v1/openapi.json").json(), "get", url, response)
    body = response.json()
    assert (body["value"], body["converted"]) == ("1240.00", True)
    assert body["missing_rates"] == [{"currency": "USD", "month": "2026-03"}]
    bad = ana.client().get("/api/v1/kpis/cac?currency=dollars")
    assert problem(bad, 422)["errors"][0]["field"].endswith("currency")


def test_referrals_by_source(ana, carla, acquisition):
    a = ana.actor
    for name, source, created in [
        ("R1", "Indicação de cliente", "2026-03-02T10:00"),
        ("R2", "referral", "2026-03-31T23:59"),
        ("R3", "Referral", "2026-04-01T00:01"),  # April here
        ("R4", "indicado pelo Rui", "2026-02-20T10:00"),  # previous period
        ("N1", "site", "2026-03-03T10:00"),  # not a referral
        ("N2", "prereferral", "2026-03-03T10:00"),  # not the word
    ]:
        person = contacts.create_person(actor=a, data={"first_name": name, "source": source})
        Person.objects.filter(pk=person.pk).update(created_at=at(created))
    binned = contacts.create_person(actor=a, data={"first_name": "B", "source": "referral"})
    contacts.delete_person(actor=a, person_id=binned.pk)
    other = contacts.create_person(
        actor=carla.actor, data={"first_name": "C", "source": "referral"}
    )
    Person.objects.filter(pk=other.pk).update(created_at=at("2026-03-05T10:00"))
    # The acquisition fixture's people were created on their customer day: P3 (indicação, 10/3).
    # March: R1, R2, P3 = 3; previous (29/1-28/2): R4 = 1.
    referrals = _m(ana, "referrals")
    assert (referrals.value, referrals.previous) == (3, 1)
    by_source = {label: v for _k, label, v in _m(ana, "referrals", group_by="source").groups}
    assert by_source == {"Indicação de cliente": 1, "referral": 1, "indicação": 1}
    assert _m(ana, "referrals", start=date(2025, 1, 1), end=date(2025, 1, 31)).value == 0
