"""The plan page and the plan API read the whole tree in a fixed number of queries: the same
with one objective as with many objectives, strategies, tactics, goals and spend entries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.strategy.plan_fixture import goal
from vinculo.strategy.plan import selectors, services, spend


def _grow(ana, objectives):
    a = ana.actor
    for i in range(objectives):
        o = services.create_objective(actor=a, data={"title": f"O{i}", "owner_id": ana.user.pk})
        for function in ("marketing", "sales"):
            s = services.create_strategy(
                actor=a,
                data={
                    "objective_id": o.pk,
                    "function": function,
                    "title": f"S{i}",
                    "owner_id": ana.user.pk,
                },
            )
            for j in range(2):
                t = services.create_tactic(
                    actor=a,
                    data={
                        "strategy_id": s.pk,
                        "title": f"T{i}{j}",
                        "budget_amount": 10,
                        "owner_id": ana.user.pk,
                    },
                )
                spend.add_spend(
                    actor=a,
                    tactic_id=t.pk,
                    data={"spent_on": "2026-01-02", "amount": 1, "hours": 1},
                )
                goal(ana, f"G{i}{j}", tactic=t, owner=ana.user)
        goal(ana, f"Stray {i}", owner=ana.user)


def _count(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_tree_reads_in_six_queries_whatever_its_size(ana):
    _grow(ana, 1)
    small = _count(lambda: selectors.plan_tree(ana.actor))
    _grow(ana, 6)
    assert len(selectors.plan_tree(ana.actor).objectives) == 7
    # The plan, objectives, strategies, tactics, goals and the spend totals.
    assert _count(lambda: selectors.plan_tree(ana.actor)) == small == 6


def test_the_api_and_the_page_do_not_grow_with_the_plan(ana):
    client, web = ana.client(), ana.web()
    _grow(ana, 1)
    client.get("/api/v1/plan"), web.get("/strategy/")  # the token's first use is written once
    api_small = _count(lambda: client.get("/api/v1/plan"))
    page_small = _count(lambda: web.get("/strategy/"))
    _grow(ana, 5)
    assert _count(lambda: client.get("/api/v1/plan")) == api_small
    response = web.get("/strategy/")
    assert response.status_code == 200 and b"T40" in response.content
    assert _count(lambda: web.get("/strategy/")) == page_small
