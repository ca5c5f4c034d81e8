"""Customer cohorts from the lifecycle and the customers-lost KPI against the hand-computed
moves of tests/contacts/lifecycle_seed.py (São Paulo time; a binned customer; a workspace stage
"churned" of the growth phase; Carla's workspace), a stage cleared, and more binned people than
the KPIs leave out by their ids."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from tests.contacts.lifecycle_seed import seed_lifecycle
from tests.integrations.test_openapi_contract import conforms
from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contacts
from vinculo.contacts.models import LifecycleChange
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.core.reports import cohort_report

JAN, FEB, MAR = (date(2026, m, 1) for m in (1, 2, 3))
API = "/api/v1/reports/cohort-retention"


@pytest.fixture
def moved(ana, carla):
    return seed_lifecycle(ana, carla)


def test_lifecycle_cohorts(ana, moved):
    found = cohort_report(ana.actor, "lifecycle", first=JAN, last=MAR)
    assert (found.basis, found.offsets, found.currency) == ("lifecycle", 3, "")
    jan, feb, mar = found.rows
    # January: Lia, Rui (Jan 31 22:00 local) and Bea; Old's cohort is November, Bin is binned.
    # End of January: all three customers. End of February: Lia, Bea (an advocate still is
    # one); Rui is a lead. End of March: Lia, Rui (back); Bea moved to "churned".
    assert (jan.size, jan.retained, jan.churned) == (3, [3, 2, 2], [0, 1, 1])
    assert jan.shares == [1.0, pytest.approx(2 / 3), pytest.approx(2 / 3)]
    assert jan.revenue is None and jan.revenue_shares is None
    assert (feb.size, feb.retained, feb.shares) == (0, [0, 0], [None, None])
    assert (mar.size, mar.retained) == (1, [1])  # Caio
    # Offset 1 over January and February: 2 / 3.
    assert found.average == [1.0, pytest.approx(2 / 3), pytest.approx(2 / 3)]


def test_other_workspaces_never_show(carla, moved):
    found = cohort_report(carla.actor, "lifecycle", first=JAN, last=FEB)
    assert [(r.size, r.retained) for r in found.rows] == [(1, [1, 1]), (0, [0])]


def test_customers_lost(ana, moved):
    scope = Scope(actor=ana.actor)
    # February: Rui (customer to lead, Feb 15) and Old (Feb 3); Bea's move to advocate is not
    # a loss. January (the previous period): no one.
    feb = measure("customers_churned", scope, start=date(2026, 2, 1), end=date(2026, 2, 28),
                  grain=Grain.MONTH)  # fmt: skip
    assert (feb.value, feb.previous) == (2, 0)
    # March: Bea (advocate to "churned"); Rui came back.
    mar = measure("customers_churned", scope, start=date(2026, 3, 1), end=date(2026, 3, 31),
                  grain=Grain.MONTH)  # fmt: skip
    assert mar.value == 1


def test_the_lifecycle_api(ana, moved):
    openapi = Client().get("/api/v1/openapi.json").json()
    url = f"{API}?basis=lifecycle&from=2026-01&to=2026-03"
    response = ana.client().get(url)
    assert response.status_code == 200, response.content
    conforms(openapi, "get", url, response)
    body = response.json()
    assert (body["basis"], body["currency"]) == ("lifecycle", None)
    assert [(c["size"], c["retained"]) for c in body["cohorts"]] == [
        (3, [3, 2, 2]),
        (0, [0, 0]),
        (1, [1]),
    ]
    assert body["cohorts"][0]["revenue"] is None


def test_a_cleared_stage_is_a_loss_and_many_binned_are_left_out(ana, moved, monkeypatch):
    scope = Scope(actor=ana.actor)
    april = {"start": date(2026, 4, 1), "end": date(2026, 4, 30), "grain": Grain.MONTH}
    assert measure("customers_churned", scope, **april).value == 0
    # Caio's stage cleared on 10 April (his customer stage left for none): one lost.
    caio = moved["Caio"]
    contacts.update_person(actor=ana.actor, person_id=caio.pk, data={"lifecycle_stage": None})
    LifecycleChange.objects.filter(person=caio, to_stage__isnull=True).update(
        changed_at=datetime(2026, 4, 10, 15, tzinfo=UTC)
    )
    assert measure("customers_churned", scope, **april).value == 1
    # More binned people than are left out by their ids: by a query, the same answer (Bin,
    # binned, lost nothing in April anyway; in January Bin's entry into customer is not counted).
    monkeypatch.setattr(contact_selectors, "BINNED_LISTED", 0)
    assert measure("customers_churned", scope, **april).value == 1
    january = {"start": date(2026, 1, 1), "end": date(2026, 1, 31), "grain": Grain.MONTH}
    # January: Lia (10th) and Bea (20th); Rui's 1 Feb 01:00 UTC is 31 Jan local. Not Bin.
    assert measure("new_customers", scope, **january).value == 3
