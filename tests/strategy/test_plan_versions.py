"""Versions of the plan: each saved with the next number and a note, freezing the tree; the
difference between two versions (or a version and the plan now) lists what was added, removed
and changed by title; another workspace sees none of them."""

from __future__ import annotations

from tests.api import fields_of, problem, send
from tests.strategy.plan_fixture import make_plan
from vinculo.strategy.plan import services

API = "/api/v1/plan"


def test_versions_freeze_the_plan_and_compare(ana, bruno, carla):
    plan = make_plan(ana, bruno)
    client = ana.client()
    first = send(client, "post", f"{API}/versions", {"note": "Approved by the board"})
    assert first.status_code == 201, first.content
    assert first.json()["number"] == 1 and first.json()["created_by"]["id"] == ana.user.pk
    a = ana.actor
    services.update_tactic(actor=a, tactic_id=plan["t1"].pk, data={"budget_amount": "12000"})
    services.delete_strategy(actor=a, strategy_id=plan["s3"].pk)
    services.create_objective(actor=a, data={"title": "Open a second shop"})
    assert send(client, "post", f"{API}/versions", {}).json()["number"] == 2
    listed = client.get(f"{API}/versions").json()
    assert [(v["number"], v["note"]) for v in listed] == [(2, ""), (1, "Approved by the board")]
    frozen = client.get(f"{API}/versions/1").json()["snapshot"]
    blog = frozen["objectives"][0]["strategies"][0]["tactics"][0]
    assert blog["budget_amount"] == "10000.00" and "status_label" not in blog
    diff = client.get(f"{API}/versions/diff?from_number=1&to_number=2").json()
    assert diff["added"] == [
        {"kind": "objective", "id": diff["added"][0]["id"], "title": "Open a second shop"}
    ]
    assert diff["removed"] == [{"kind": "strategy", "id": plan["s3"].pk, "title": "Onboarding"}]
    assert diff["changed"] == [
        {
            "kind": "tactic",
            "id": plan["t1"].pk,
            "title": "Blog",
            "fields": [{"field": "budget_amount", "old": "10000.00", "new": "12000.00"}],
        }
    ]
    # Against the plan as it is now.
    services.update_objective(actor=a, objective_id=plan["o2"].pk, data={"title": "Cut costs"})
    now = client.get(f"{API}/versions/diff?from_number=2").json()
    assert now["to_number"] is None
    assert [(c["title"], [f["field"] for f in c["fields"]]) for c in now["changed"]] == [
        ("Cut costs", ["title"])
    ]
    problem(client.get(f"{API}/versions/9"), 404)
    problem(client.get(f"{API}/versions/diff?from_number=9"), 404)
    body = problem(send(client, "post", f"{API}/versions", {"note": "x" * 301}), 422)
    assert fields_of(body) == {"note"}
    theirs = carla.client()
    assert theirs.get(f"{API}/versions").json() == []
    problem(theirs.get(f"{API}/versions/1"), 404)
    problem(theirs.get(f"{API}/versions/diff?from_number=1&to_number=2"), 404)
    assert send(theirs, "post", f"{API}/versions", {}).json()["number"] == 1  # their own plan
