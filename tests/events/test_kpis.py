"""Purchase KPIs against a hand-computed fixture: purchases through the events API, one in
dollars, one of a binned person, one of another workspace, one before the period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from vinculo.contacts import services as contacts
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.events.services import ingest_events

JULY = {"start": date(2026, 7, 1), "end": date(2026, 7, 31), "grain": Grain.MONTH}


def _bought(actor, person, amount, day, currency="BRL"):
    row = {
        "name": "purchase",
        "person": {"id": person.pk},
        "amount": amount,
        "currency": currency,
        "occurred_at": f"2026-{day}T12:00:00+00:00",
    }
    result = ingest_events(actor=actor, rows=[row])
    assert [r.status for r in result.rows] == ["created"], result.rows


def test_purchase_kpis(ana, carla):
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    a = ana.actor
    lia, rui, bea, gone = (
        contacts.create_person(actor=a, data={"first_name": n}) for n in ("Lia", "Rui", "Bea", "X")
    )
    _bought(a, lia, "100.00", "07-02")
    _bought(a, lia, "50.00", "07-20")
    _bought(a, rui, "30.00", "07-05")
    _bought(a, bea, "80.00", "07-06", currency="USD")
    _bought(a, gone, "999.00", "07-07")
    contacts.delete_person(actor=a, person_id=gone.pk)
    _bought(a, rui, "10.00", "06-15")
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    _bought(carla.actor, outsider, "5000.00", "07-03")

    scope = Scope(actor=a)
    # BRL in July: Lia 100 + 50, Rui 30 = 180 (Bea's is in dollars, X is binned).
    revenue = measure("purchase_revenue", scope, **JULY)
    assert (revenue.value, revenue.previous) == (Decimal("180.00"), Decimal("10.00"))
    # Orders of any currency: Lia 2, Rui 1, Bea 1 = 4; buyers Lia, Rui, Bea = 3.
    assert measure("orders", scope, **JULY).value == 4
    assert measure("buyers", scope, **JULY).value == 3
    # 180 / 3 BRL orders = 60; per BRL buyer 180 / 2 (Lia, Rui) = 90.
    assert measure("average_order_value", scope, **JULY).value == Decimal("60")
    assert measure("revenue_per_buyer", scope, **JULY).value == Decimal("90")
    # Of Lia, Rui and Bea only Lia bought twice in July: 1/3.
    assert measure("repeat_purchase_rate", scope, **JULY).value == pytest.approx(1 / 3)
    dollars = measure("purchase_revenue", Scope(actor=a, currency="USD"), **JULY)
    assert dollars.value == Decimal("80.00")
