"""Start from strategy: a draft plan per kind of business applied whole — objectives, strategies,
tactics, goals whose targets come from the baselines measured on the workspace's data (or the
draft's floor without data), touchpoints and the first review — in the workspace's language;
refused into a plan that has objectives, and every draft applies to an empty workspace."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.api import fields_of, problem, send
from vinculo.contacts.services.people import create_person
from vinculo.core.errors import Conflict, PermissionDenied, ValidationFailed
from vinculo.events.services import ingest_events
from vinculo.strategy.models import Goal, Objective, Review, Tactic, Touchpoint
from vinculo.strategy.starters.catalogue import STARTERS
from vinculo.strategy.starters.services import apply_starter


@pytest.mark.parametrize("key", [s.key for s in STARTERS])
def test_every_draft_applies_to_an_empty_workspace(ana, key):
    done = apply_starter(ana.actor, key)
    ws = ana.workspace
    assert done.objectives == Objective.objects.for_workspace(ws).count() >= 2
    assert done.tactics == Tactic.objects.for_workspace(ws).count() >= 3
    assert done.goals == Goal.objects.for_workspace(ws).count() >= 4
    assert done.touchpoints == Touchpoint.objects.for_workspace(ws).count() >= 3
    # Every goal hangs from a tactic and has a target; a review is scheduled.
    assert not Goal.objects.for_workspace(ws).filter(tactic__isnull=True).exists()
    assert not Goal.objects.for_workspace(ws).filter(target__lte=0).exists()
    assert Review.objects.for_workspace(ws).filter(status="scheduled").count() == 1


def test_targets_come_from_the_baseline_and_texts_in_the_workspaces_language(ana):
    # 10 orders in the 3 months before today: the draft asks for 20 % more over the next 3
    # months (Orders this quarter, lift 0.2): 10 x 1.2 = 12 orders.
    person = create_person(actor=ana.actor, data={"first_name": "Cliente"})
    today = timezone.localdate()
    rows = [
        {"name": "purchase", "person": {"id": person.pk}, "amount": "80.00", "currency": "BRL",
         "occurred_at": f"{today - timedelta(days=10 + 5 * i)}T15:00:00+00:00"}
        for i in range(10)
    ]  # fmt: skip
    assert all(r.status == "created" for r in ingest_events(actor=ana.actor, rows=rows).rows)
    apply_starter(ana.actor, "ecommerce")
    ws = ana.workspace
    orders = Goal.objects.for_workspace(ws).get(kpi_key="orders")
    assert orders.target == Decimal("12")
    assert orders.baseline == Decimal("10")  # measured by the goal on the same period
    assert orders.title == "Pedidos no trimestre"  # Padaria Aurora works in pt-BR
    # Revenue this quarter: R$ 800 before, 20 % more: R$ 960.
    revenue = Goal.objects.for_workspace(ws).get(kpi_key="purchase_revenue")
    assert (revenue.target, revenue.currency) == (Decimal("960"), "BRL")
    # Without data, the draft's floor: no customer-value analysis yet, 50 customers at risk.
    at_risk = Goal.objects.for_workspace(ws).get(kpi_key="customers_at_risk")
    assert at_risk.target == Decimal("50")
    tactic = orders.tactic
    assert tactic.title == "Sequência de e-mails pós-compra"
    assert (tactic.budget_amount, tactic.budget_currency) == (Decimal("1500.00"), "BRL")
    assert tactic.ends_on == orders.deadline


def test_a_draft_starts_an_empty_plan_only(ana, bruno):
    apply_starter(ana.actor, "ecommerce")
    with pytest.raises(Conflict):
        apply_starter(ana.actor, "education")
    with pytest.raises(ValidationFailed):
        apply_starter(ana.actor, "bakery")
    with pytest.raises(PermissionDenied):
        apply_starter(bruno.actor, "ecommerce")


def test_the_guided_start_through_the_api_and_the_plan_page(ana, carla, vera):
    client = ana.client()
    drafts = client.get("/api/v1/plan/starters").json()
    assert [d["key"] for d in drafts] == [s.key for s in STARTERS]
    page = ana.web(language="pt-br").get("/strategy/").content.decode()
    assert 'id="guided-start"' in page and "Clínica de saúde" in page
    bad = send(client, "post", "/api/v1/plan/start", {"business_type": "padaria"})
    assert fields_of(problem(bad, 422)) == {"business_type"}
    problem(send(vera.client(), "post", "/api/v1/plan/start", {"business_type": "education"}), 403)
    made = ana.web().post("/strategy/plan/start/", {"business_type": "health_clinic"})
    assert made.status_code == 302
    page = ana.web(language="pt-br").get("/strategy/").content.decode()
    assert "Atender mais pacientes" in page and 'id="guided-start"' not in page
    problem(send(client, "post", "/api/v1/plan/start", {"business_type": "education"}), 409)
    # Carla's workspace is untouched and can start its own.
    assert not Objective.objects.for_workspace(carla.workspace).exists()
    started = send(carla.client(), "post", "/api/v1/plan/start", {"business_type": "education"})
    # education: new leads; response within a day and conversion; students lost: 4 goals.
    assert started.status_code == 201 and started.json()["goals"] == 4
