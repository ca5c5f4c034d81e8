"""Cross-sell/up-sell revenue, average revenue per customer and revenue per rep against a
hand-computed fixture (the arithmetic in the comments): São Paulo time (UTC-3), a deal won at
23:30 on the last day and one at 00:30 on the next, a deal created before its person became a
customer, a binned deal, dollars with and without a rate, an unowned deal, a second
workspace."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from vinculo.contacts import services as contacts
from vinculo.contacts.models import LifecycleChange
from vinculo.core import currency
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.sales import services as sales
from vinculo.sales.models import Deal

SP = ZoneInfo("America/Sao_Paulo")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31), "grain": Grain.MONTH}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def _won(actor, title, amount, *, created, closed, owner=None, currency_code="BRL", **refs):
    deal = sales.create_deal(actor=actor, data={"title": title, "amount": amount, **refs})
    Deal.objects.filter(pk=deal.pk).update(
        status="won",
        created_at=at(created),
        closed_at=at(closed),
        currency=currency_code,
        owner_id=owner.user.pk if owner else None,
    )
    return deal


@pytest.fixture(autouse=True)
def sao_paulo(ana):
    ana.actor.workspace.timezone = "America/Sao_Paulo"
    ana.actor.workspace.save(update_fields=["timezone"])


@pytest.fixture
def deals(ana, bruno, carla):
    a = ana.actor
    pa = contacts.create_person(actor=a, data={"first_name": "Pa"})
    contacts.update_person(actor=a, person_id=pa.pk, data={"lifecycle_stage": "customer"})
    LifecycleChange.objects.filter(person=pa).update(changed_at=at("2026-01-10T10:00"))
    pb = contacts.create_person(actor=a, data={"first_name": "Pb"}).pk
    pc = contacts.create_person(actor=a, data={"first_name": "Pc"}).pk
    co = contacts.create_company(actor=a, data={"name": "Co"}).pk
    # D0: Pb's first win, in the previous period (29 Jan-28 Feb): not a cross-sell.
    _won(a, "D0", "500", created="2026-01-10T10:00", closed="2026-02-01T10:00", owner=ana,
         person_id=pb)  # fmt: skip
    # D6: Co's first win, in January (in neither period).
    _won(a, "D6", "100", created="2026-01-02T10:00", closed="2026-01-20T10:00", company_id=co)
    _won(a, "D1", "1000", created="2026-03-02T10:00", closed="2026-03-10T10:00", owner=ana,
         person_id=pa.pk)  # fmt: skip
    _won(a, "D2", "2000", created="2026-03-03T10:00", closed="2026-03-12T10:00", owner=bruno,
         person_id=pb)  # fmt: skip
    _won(a, "D3", "4000", created="2026-03-04T10:00", closed="2026-03-20T10:00", owner=ana,
         person_id=pc)  # fmt: skip
    # D4: created on 5 January, before Pa became a customer (10 January).
    _won(a, "D4", "300", created="2026-01-05T10:00", closed="2026-03-25T10:00", owner=ana,
         person_id=pa.pk)  # fmt: skip
    # D5: the company alone, no owner, won at 23:30 on 31 March (1 April 02:30 UTC).
    _won(a, "D5", "600", created="2026-03-05T10:00", closed="2026-03-31T23:30", company_id=co)
    _won(a, "D7", "700", created="2026-03-06T10:00", closed="2026-03-15T10:00", owner=bruno,
         person_id=pa.pk, currency_code="USD")  # fmt: skip
    _won(a, "D8", "900", created="2026-03-07T10:00", closed="2026-04-01T00:30", owner=ana,
         person_id=pc)  # fmt: skip
    binned = _won(a, "D9", "9999", created="2026-03-08T10:00", closed="2026-03-09T10:00",
                  owner=ana, person_id=pa.pk)  # fmt: skip
    sales.delete_deal(actor=a, deal_id=binned.pk)
    them = contacts.create_person(actor=carla.actor, data={"first_name": "X"}).pk
    _won(carla.actor, "Z0", "1", created="2026-01-01T10:00", closed="2026-01-02T10:00",
         person_id=them)  # fmt: skip
    _won(carla.actor, "Z1", "50000", created="2026-03-01T10:00", closed="2026-03-05T10:00",
         owner=carla, person_id=them)  # fmt: skip


def _m(ana, key, currency_code="", **kwargs):
    return measure(key, Scope(actor=ana.actor, currency=currency_code), **{**MARCH, **kwargs})


def test_cross_sell_revenue(ana, carla, deals):
    # Won in March on someone already a customer at the deal's creation:
    # D1 (Pa, customer since January) 1,000 + D2 (Pb, won D0 before) 2,000 + D5 (Co, won D6
    # before) 600 = 3,600. Not D3 (Pc new), D4 (created before Pa was a customer), D7 (USD),
    # D8 (April), D9 (binned).
    cross = _m(ana, "cross_sell_revenue")
    assert (cross.value, cross.previous) == (Decimal("3600.00"), Decimal("0.00"))  # D0: first
    assert _m(ana, "cross_sell_revenue", "USD").value == Decimal("700.00")  # D7
    assert _m(carla, "cross_sell_revenue").value == Decimal("50000.00")  # Z1 after Z0


def test_average_revenue_per_customer(ana, deals):
    # March, BRL: Pa D1 1,000 + D4 300; Pb D2 2,000; Pc D3 4,000; Co D5 600 = 7,900 over
    # 4 customers = 1,975.00. Previous: D0 500 over Pb = 500.00.
    per_customer = _m(ana, "average_revenue_per_customer")
    assert (per_customer.value, per_customer.previous) == (Decimal("1975.00"), Decimal("500.00"))
    empty = _m(ana, "average_revenue_per_customer", start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert empty.value is None  # no customer: no average, not 0


def test_revenue_per_rep(ana, bruno, deals):
    # Owned deals won in March, BRL: Ana D1 1,000 + D3 4,000 + D4 300 = 5,300; Bruno D2 2,000.
    # 7,300 over 2 reps = 3,650.00 (D5 has no owner: left out).
    per_rep = _m(ana, "revenue_per_rep")
    assert per_rep.value == Decimal("3650.00")
    by_owner = {k: v for k, _label, v in _m(ana, "revenue_per_rep", group_by="owner").groups}
    assert by_owner == {ana.user.pk: Decimal("5300.00"), bruno.user.pk: Decimal("2000.00")}


def test_money_converted_with_the_workspace_rates(ana, bruno, deals):
    missing = _m(ana, "revenue_per_rep", "converted")
    # No USD rate for March: D7 left out and said; the BRL figure stands.
    assert (missing.value, missing.converted, missing.currency) == (
        Decimal("3650.00"),
        True,
        "BRL",
    )
    assert missing.missing_rates == [("USD", date(2026, 3, 1))]
    currency.create_currency_rate(
        actor=ana.actor, data={"currency": "USD", "month": "2026-03", "rate": "5"}
    )
    # D7: 700 * 5 = 3,500 BRL for Bruno: (5,300 + 2,000 + 3,500) / 2 = 5,400.00.
    converted = _m(ana, "revenue_per_rep", "converted")
    assert (converted.value, converted.missing_rates) == (Decimal("5400.00"), [])
    # Cross-sell: 3,600 + 3,500 = 7,100; new revenue (the database path, converted in Python):
    # 7,900 + 3,500 = 11,400, previous D0 500.
    assert _m(ana, "cross_sell_revenue", "converted").value == Decimal("7100.00")
    revenue = _m(ana, "new_revenue", "converted")
    assert (revenue.value, revenue.previous) == (Decimal("11400.00"), Decimal("500.00"))
    # A rate for another month does not serve March.
    currency.update_currency_rate(
        actor=ana.actor,
        rate_id=currency.currency_rates(ana.actor).get().pk,
        data={"month": "2026-02"},
    )
    assert _m(ana, "new_revenue", "converted").missing_rates == [("USD", date(2026, 3, 1))]


def test_the_command_line_converts_and_names_the_missing_rate(ana, deals, capsys):
    call_command(
        "kpi", "revenue_per_rep", "--workspace", ana.workspace.slug, "--from", "2026-03-01",
        "--to", "2026-03-31", "--grain", "month", "--currency", "converted",
    )  # fmt: skip
    out = capsys.readouterr().out
    # The BRL figure (3,650.00, as above) and the month whose dollars it leaves out.
    assert ": 3650.00" in out and "no rate: USD 2026-03" in out
