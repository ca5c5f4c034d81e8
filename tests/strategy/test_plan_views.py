"""The plan screens: the plan page shows objectives with their value, strategies by function,
tactics with owners, budget bars and goals with their status, the orphans and the budget
chart; the forms add and change items (errors beside the fields, 422), the spend page records
spend, the versions page saves and compares; another workspace's ids are 404."""

from __future__ import annotations

import json

import pytest

from tests.strategy.plan_fixture import make_plan
from vinculo.strategy.models import Objective, PlanVersion, Tactic, TacticSpend


@pytest.fixture
def plan(ana, bruno):
    return make_plan(ana, bruno)


def test_the_plan_page(ana, plan):
    page = ana.web().get("/strategy/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "CRM plan of Padaria Aurora" in text
    assert "40 new customers × R$2,500.00 a year = R$100,000.00" in text  # noqa: RUF001
    assert "Marketing" in text and "Inbound" in text and "Key accounts" in text
    assert f'href="/strategy/goals/{plan["g1"].pk}/"' in text
    assert 'class="badge ok">On track' in text
    # The orphans box names each loose item.
    orphans = text.split('id="plan-orphans"')[1].split("</section>")[0]
    for title in ("Cut service cost", "Onboarding", "Fairs", "Visits", "Stray goal"):
        assert title in orphans
    assert "Bruno&#x27;s quota" not in orphans
    # The budget bar of T1: 3,500 of 10,000 (plain numbers in the markup).
    assert '<progress max="10000.00" value="3500.00"' in text
    spec = json.loads(text.split('id="plan-budget-BRL" type="application/json">')[1].split("<")[0])
    assert spec["labels"][:2] == ["Marketing", "Sales"]
    assert spec["series"][0]["values"][0] == 14000.0  # T1 + T2 planned
    assert spec["series"][1]["values"][0] == 4000.0  # spent
    assert "strategy" in page.context["navigation"][10][0]


def test_the_plan_page_in_portuguese(ana, plan):
    text = ana.web("pt-br").get("/strategy/").content.decode()
    assert "Pontas soltas" in text and "Adicionar um objetivo" in text


def test_the_forms_add_and_change(ana, bruno, plan):
    web = ana.web()
    assert web.get("/strategy/plan/objectives/new/").status_code == 200
    fragment = web.get("/strategy/plan/objectives/new/", HTTP_HX_REQUEST="true")
    assert b"<html" not in fragment.content and b'id="plan-form"' in fragment.content
    bad = web.post(
        "/strategy/plan/objectives/new/",
        {"title": "", "kind": "grow_revenue", "customer_value": "abc"},
    )
    assert bad.status_code == 422
    assert b"This field is required." in bad.content and b"Enter a number." in bad.content
    made = web.post(
        "/strategy/plan/objectives/new/",
        {
            "title": "New shop",
            "kind": "grow_revenue",
            "new_customers": "5",
            "customer_value": "1000",
            "customer_value_source": "average_clv",
            "owner_id": str(bruno.user.pk),
        },
    )
    assert made.status_code == 302
    objective = Objective.objects.get(title="New shop")
    assert objective.customer_value_source == "average_clv" and objective.owner_id == bruno.user.pk
    tactic = plan["t1"]
    page = web.get(f"/strategy/plan/tactics/{tactic.pk}/")
    assert page.status_code == 200 and b'value="10000.00"' in page.content
    changed = web.post(
        f"/strategy/plan/tactics/{tactic.pk}/",
        {
            "strategy_id": str(plan["s2"].pk),
            "title": "Blog posts",
            "budget_amount": "9000",
            "budget_currency": "BRL",
            "status": "done",
        },
    )
    assert changed.status_code == 302
    tactic.refresh_from_db()
    assert (tactic.title, tactic.strategy_id, tactic.status) == (
        "Blog posts",
        plan["s2"].pk,
        "done",
    )
    assert tactic.owner_id is None  # the form sent no owner: cleared
    new_strategy = web.get(f"/strategy/plan/strategies/new/?parent={plan['o2'].pk}")
    assert f'<option value="{plan["o2"].pk}" selected>'.encode() in new_strategy.content
    assert web.post(f"/strategy/plan/tactics/{tactic.pk}/delete/").status_code == 302
    assert not Tactic.objects.filter(pk=tactic.pk).exists()


def test_spend_and_versions_pages(ana, plan):
    web = ana.web()
    url = f"/strategy/plan/tactics/{plan['t2'].pk}/spend/"
    assert web.get(url).status_code == 200
    assert web.post(url, {"spent_on": "2026-03-01", "amount": "250,50"}).status_code == 302
    assert TacticSpend.objects.filter(tactic=plan["t2"], amount="250.50").exists()
    refused = web.post(url, {"spent_on": "2026-03-01", "amount": "10", "currency": "USD"})
    assert refused.status_code == 422 and b"no rate" in refused.content
    assert web.post("/strategy/plan/versions/", {"note": "Q1"}).status_code == 302
    Objective.objects.filter(pk=plan["o2"].pk).update(title="Cut costs")
    page = web.get("/strategy/plan/versions/").content.decode()
    assert "Q1" in page and "Cut costs" in page  # version 1 against the plan now
    assert PlanVersion.objects.get().number == 1


def test_calculator_fragment(ana):
    page = ana.web().get("/strategy/plan/calculator/?currency=BRL", HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert b'id="customer-value-field"' in page.content and b"Average CLV" in page.content
    bad = ana.web().get("/strategy/plan/calculator/?currency=XX")
    assert b"Unknown currency" in bad.content


def test_a_viewer_sees_no_forms_and_another_workspace_gets_404(vera, carla, plan):
    text = vera.web().get("/strategy/").content.decode()
    assert "Add an objective" not in text and "Inbound" in text
    assert vera.web().post("/strategy/plan/objectives/new/", {"title": "x"}).status_code == 403
    theirs = carla.web()
    assert "Inbound" not in theirs.get("/strategy/").content.decode()
    for url in (
        f"/strategy/plan/objectives/{plan['o1'].pk}/",
        f"/strategy/plan/strategies/{plan['s1'].pk}/",
        f"/strategy/plan/tactics/{plan['t1'].pk}/",
        f"/strategy/plan/tactics/{plan['t1'].pk}/spend/",
    ):
        assert theirs.get(url).status_code == 404
    assert theirs.post(f"/strategy/plan/tactics/{plan['t1'].pk}/delete/").status_code == 404
    spent = TacticSpend.objects.filter(tactic=plan["t1"]).first()
    assert (
        theirs.post(f"/strategy/plan/tactics/{plan['t1'].pk}/spend/{spent.pk}/delete/").status_code
        == 404
    )
    assert Tactic.objects.filter(pk=plan["t1"].pk).exists()


def test_versions_and_spend_pages_keep_to_their_workspace(ana, carla, plan):
    assert ana.web().post("/strategy/plan/versions/", {"note": "Só da Ana"}).status_code == 302
    theirs = carla.web()
    page = theirs.get("/strategy/plan/versions/?from=1")
    assert page.status_code == 404  # Carla has no version 1
    assert "Só da Ana" not in theirs.get("/strategy/plan/versions/").content.decode()
    refused = theirs.post(
        f"/strategy/plan/tactics/{plan['t1'].pk}/spend/", {"spent_on": "2026-03-01", "hours": "1"}
    )
    assert refused.status_code == 404
    assert TacticSpend.objects.filter(tactic=plan["t1"]).count() == 2


def test_moving_an_item_up_and_down(ana, carla, plan):
    web = ana.web()
    # S1, S2, S3 under O1: S3 up -> S1, S3, S2; S1 down -> S3, S1, S2; S2 down: already last.
    moved = web.post(f"/strategy/plan/strategies/{plan['s3'].pk}/move/", {"direction": "up"})
    assert moved.status_code == 302 and moved["Location"].endswith(f"#strategy-{plan['s3'].pk}")
    web.post(f"/strategy/plan/strategies/{plan['s1'].pk}/move/", {"direction": "down"})
    web.post(f"/strategy/plan/strategies/{plan['s2'].pk}/move/", {"direction": "down"})
    titles = [
        s["title"] for s in ana.client().get("/api/v1/plan").json()["objectives"][0]["strategies"]
    ]
    assert titles == ["Onboarding", "Inbound", "Key accounts"]
    web.post(f"/strategy/plan/objectives/{plan['o2'].pk}/move/", {"direction": "up"})
    assert [o["title"] for o in ana.client().get("/api/v1/plan").json()["objectives"]] == [
        "Cut service cost",
        "Grow revenue",
    ]
    assert (
        carla.web()
        .post(f"/strategy/plan/tactics/{plan['t1'].pk}/move/", {"direction": "down"})
        .status_code
        == 404
    )
