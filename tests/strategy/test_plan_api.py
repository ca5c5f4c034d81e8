"""The plan API: the tree with budget totals and orphans against the hand-computed plan of
tests/strategy/plan_fixture.py, CRUD and order of objectives, strategies and tactics, errors
naming each field, permissions, and another workspace never reaching any of it."""

from __future__ import annotations

import pytest

from tests.api import fields_of, problem, send
from tests.strategy.plan_fixture import make_plan
from vinculo.strategy.models import Goal, Tactic, TacticSpend

API = "/api/v1/plan"


@pytest.fixture
def plan(ana, bruno):
    return make_plan(ana, bruno)


def _money(budget):
    return {r["currency"]: (r["planned"], r["spent"]) for r in budget["money"]}


def _hours(budget):
    return (budget["hours"]["planned"], budget["hours"]["spent"])


def test_the_tree_with_its_totals(ana, plan):
    body = ana.client().get(API).json()
    assert body["plan"]["title"] == "CRM plan of Padaria Aurora"
    o1, o2 = body["objectives"]
    assert o1["title"] == "Grow revenue"
    assert o1["target_value"] == "100000.00"  # 40 x 2,500.00
    assert o1["currency"] == "BRL"  # the workspace's, as none was given
    assert o2["target_value"] == "30000.00"  # the cost reduced
    s1, s2, s3 = o1["strategies"]
    t1, _t2 = s1["tactics"]
    assert t1["owner"]["id"] == plan["t1"].owner_id and t1["team"]["name"] == "Inside sales"
    assert [g["title"] for g in t1["goals"]] == ["40 new customers"]
    assert t1["goals"][0]["status"] == "on_track" and t1["goals"][0]["current"] == "12.0000"
    # T1: 2,500.00 + 1,000.00 = 3,500.00 of 10,000.00 BRL; 10 + 5.5 = 15.5 of 120 hours.
    assert _money(t1["budget"]) == {"BRL": ("10000.00", "3500.00")}
    assert _hours(t1["budget"]) == ("120.0", "15.5")
    assert t1["budget"]["money"][0]["percent"] == 35.0  # 3,500 / 10,000
    # S1 = T1 + T2: 10,000 + 4,000 = 14,000.00 planned, 3,500 + 500 = 4,000.00 spent.
    assert _money(s1["budget"]) == {"BRL": ("14000.00", "4000.00")}
    # S2 = T3 alone, in dollars: never added to the reais.
    assert _money(s2["budget"]) == {"USD": ("2000.00", "300.00")}
    assert _money(s3["budget"]) == {} and _hours(s3["budget"]) == ("0.0", "0.0")
    # O1 and the plan: both currencies side by side; hours 120 + 40 = 160.0, 15.5 + 8 = 23.5.
    expected = {"BRL": ("14000.00", "4000.00"), "USD": ("2000.00", "300.00")}
    assert _money(o1["budget"]) == expected and _money(body["totals"]) == expected
    assert _hours(body["totals"]) == ("160.0", "23.5")
    by_function = {f["function"]: _money(f["budget"]) for f in body["by_function"]}
    assert by_function == {
        "marketing": {"BRL": ("14000.00", "4000.00")},
        "sales": {"USD": ("2000.00", "300.00")},
        "service": {},
        "management": {},
    }


def test_orphans_are_listed_with_why(ana, plan):
    orphans = ana.client("pt-br").get(API).json()["orphans"]
    assert [(o["kind"], o["title"]) for o in orphans] == [
        ("objective", "Cut service cost"),
        ("strategy", "Onboarding"),
        ("tactic", "Fairs"),
        ("tactic", "Visits"),
        ("goal", "Stray goal"),  # not Bruno's quota: it hangs from its team goal
    ]
    assert {o["code"] for o in orphans} == {
        "objective_without_strategies",
        "strategy_without_tactics",
        "tactic_without_goals",
        "goal_without_tactic",
    }
    assert all(o["why"] and o["why"] != o["code"] for o in orphans)


def test_a_cancelled_tactic_needs_no_goal_and_a_deleted_one_leaves_its_goals(ana, plan):
    client = ana.client()
    assert (
        send(client, "patch", f"{API}/tactics/{plan['t2'].pk}", {"status": "cancelled"}).status_code
        == 200
    )
    assert send(client, "delete", f"{API}/tactics/{plan['t1'].pk}").status_code == 204
    assert not TacticSpend.objects.filter(tactic_id=plan["t1"].pk).exists()
    assert Goal.objects.get(pk=plan["g1"].pk).tactic_id is None  # kept, now an orphan
    orphans = {(o["kind"], o["title"]) for o in client.get(API).json()["orphans"]}
    assert ("tactic", "Fairs") not in orphans
    assert ("goal", "40 new customers") in orphans


def test_crud_of_each_item(ana, bruno):
    client = ana.client()
    created = send(
        client, "post", f"{API}/objectives", {"title": " Keep  customers ", "kind": "retain"}
    )
    assert created.status_code == 201, created.content
    objective = created.json()
    assert objective["title"] == "Keep customers" and objective["target_value"] is None
    oid = objective["id"]
    changed = send(
        client,
        "patch",
        f"{API}/objectives/{oid}",
        {
            "kind": "grow_revenue",
            "new_customers": 10,
            "customer_value": "1200.50",
            "customer_value_source": "average_clv",
        },
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["target_value"] == "12005.00"  # 10 x 1,200.50
    assert changed.json()["customer_value_source"] == "average_clv"
    strategy = send(
        client,
        "post",
        f"{API}/strategies",
        {"objective_id": oid, "function": "service", "title": "Care"},
    ).json()
    tactic = send(
        client,
        "post",
        f"{API}/tactics",
        {
            "strategy_id": strategy["id"],
            "title": "Calls",
            "budget_hours": "12.5",
            "owner_id": bruno.user.pk,
        },
    )
    assert tactic.status_code == 201, tactic.content
    tid = tactic.json()["id"]
    assert tactic.json()["budget_currency"] == ""  # no money budget, no currency
    moved = send(
        client,
        "patch",
        f"{API}/tactics/{tid}",
        {"title": "Calls to customers", "budget_amount": 800},
    )
    assert moved.json()["budget_currency"] == "BRL" and moved.json()["budget_amount"] == "800.00"
    assert client.get(f"{API}/tactics/{tid}").json()["title"] == "Calls to customers"
    assert [t["id"] for t in client.get(f"{API}/tactics").json()] == [tid]
    assert (
        send(
            client, "patch", f"{API}/strategies/{strategy['id']}", {"function": "management"}
        ).json()["function"]
        == "management"
    )
    assert client.delete(f"{API}/objectives/{oid}").status_code == 204
    problem(client.get(f"{API}/tactics/{tid}"), 404)  # cascaded
    problem(client.get(f"{API}/strategies/{strategy['id']}"), 404)


def test_reorder(ana):
    client = ana.client()
    ids = [
        send(client, "post", f"{API}/objectives", {"title": t}).json()["id"]
        for t in ("A", "B", "C")
    ]
    assert send(client, "post", f"{API}/objectives/reorder", {"ids": ids[::-1]}).status_code == 204
    assert [o["title"] for o in client.get(API).json()["objectives"]] == ["C", "B", "A"]
    body = problem(send(client, "post", f"{API}/objectives/reorder", {"ids": ids[:2]}), 422)
    assert fields_of(body) == {"ids"}  # every sibling, each once
    problem(send(client, "post", f"{API}/objectives/reorder", {"ids": ["x"]}), 422)


def test_errors_name_each_field(ana, carla, plan):
    client = ana.client()
    body = problem(
        send(
            client,
            "post",
            f"{API}/objectives",
            {
                "title": "",
                "kind": "grow",
                "customer_value": "-1",
                "currency": "XYZ",
                "owner_id": carla.user.pk,
                "due_on": "2026-02-30",
            },
        ),
        422,
    )
    assert fields_of(body) == {"title", "kind", "customer_value", "currency", "owner_id", "due_on"}
    carla_team = __import__("vinculo.workspaces.services", fromlist=["x"]).create_team(
        actor=carla.actor, data={"name": "Theirs"}
    )
    body = problem(
        send(
            client,
            "post",
            f"{API}/tactics",
            {
                "strategy_id": plan["s1"].pk,
                "title": "T",
                "team_id": carla_team.pk,
                "starts_on": "2026-05-01",
                "ends_on": "2026-04-01",
                "budget_hours": "1.25",
                "status": "late",
            },
        ),
        422,
    )
    assert fields_of(body) == {"team_id", "ends_on", "budget_hours", "status"}
    body = problem(
        send(
            client,
            "post",
            f"{API}/strategies",
            {"objective_id": plan["o1"].pk, "function": "finance", "title": "x"},
        ),
        422,
    )
    assert fields_of(body) == {"function"}
    body = problem(
        send(client, "patch", f"{API}/tactics/{plan['t3'].pk}", {"budget_currency": "BRL"}), 422
    )
    assert fields_of(body) == {"budget_currency"}  # its spend is in dollars
    assert Tactic.objects.get(pk=plan["t3"].pk).budget_currency == "USD"


def test_a_viewer_reads_but_does_not_write(vera, plan):
    client = vera.client()
    assert client.get(API).status_code == 200
    problem(send(client, "post", f"{API}/objectives", {"title": "Mine"}), 403)
    problem(send(client, "delete", f"{API}/tactics/{plan['t1'].pk}"), 403)
    problem(send(client, "post", f"{API}/versions", {"note": "x"}), 403)


def test_another_workspace_reaches_none_of_it(ana, carla, plan):
    theirs = carla.client()
    body = theirs.get(API).json()
    assert body["objectives"] == [] and body["orphans"] == [] and body["plan"]["id"] is None
    assert theirs.get(f"{API}/objectives").json() == []
    assert theirs.get(f"{API}/strategies").json() == []
    assert theirs.get(f"{API}/tactics").json() == []
    for kind, key in (("objectives", "o1"), ("strategies", "s1"), ("tactics", "t1")):
        url = f"{API}/{kind}/{plan[key].pk}"
        problem(theirs.get(url), 404)
        problem(send(theirs, "patch", url, {"title": "Mine"}), 404)
        problem(theirs.delete(url), 404)
        problem(send(theirs, "post", f"{API}/{kind}/reorder", {"ids": [plan[key].pk]}), 422)
    problem(theirs.get(f"{API}/tactics/{plan['t1'].pk}/spend"), 404)
    problem(
        send(
            theirs,
            "post",
            f"{API}/tactics/{plan['t1'].pk}/spend",
            {"spent_on": "2026-02-01", "hours": 1},
        ),
        404,
    )
    spent = TacticSpend.objects.filter(tactic=plan["t1"]).first()
    problem(theirs.delete(f"{API}/tactics/{plan['t1'].pk}/spend/{spent.pk}"), 404)
    # Their own items cannot hang from ours.
    mine = send(theirs, "post", f"{API}/objectives", {"title": "Theirs"}).json()
    body = problem(
        send(
            theirs,
            "post",
            f"{API}/strategies",
            {"objective_id": plan["o1"].pk, "function": "sales", "title": "x"},
        ),
        422,
    )
    assert fields_of(body) == {"objective_id"}
    body = problem(
        send(theirs, "post", f"{API}/tactics", {"strategy_id": plan["s1"].pk, "title": "x"}), 422
    )
    assert fields_of(body) == {"strategy_id"}
    problem(send(ana.client(), "patch", f"{API}/objectives/{mine['id']}", {"title": "x"}), 404)
    assert [o["title"] for o in ana.client().get(API).json()["objectives"]] == [
        "Grow revenue",
        "Cut service cost",
    ]


def test_the_plan_title_is_worded_for_each_reader_until_one_is_given(ana, carla):
    send(ana.client(), "post", f"{API}/objectives", {"title": "A"})
    assert ana.client("pt-br").get(API).json()["plan"]["title"] == "Plano de CRM de Padaria Aurora"
    assert ana.client().get(API).json()["plan"]["title"] == "CRM plan of Padaria Aurora"
    changed = send(
        ana.client(),
        "patch",
        API,
        {"title": "Plano 2027", "review_every_months": 6, "next_review_on": "2027-03-31"},
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["title"], changed.json()["review_every_months"]) == ("Plano 2027", 6)
    body = problem(
        send(ana.client(), "patch", API, {"review_every_months": 30, "next_review_on": "amanhã"}),
        422,
    )
    assert fields_of(body) == {"review_every_months", "next_review_on"}
    assert send(carla.client(), "patch", API, {"title": "Da Carla"}).status_code == 200
    assert ana.client().get(API).json()["plan"]["title"] == "Plano 2027"
    assert carla.client().get(API).json()["plan"]["title"] == "Da Carla"
