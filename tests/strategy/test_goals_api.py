"""The goals API: create (measured at once), read with readings and the reason in words, change,
measure now, delete; every bad field a 422 naming it; a viewer refused; and two workspaces that
never see each other's goals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api import fields_of, problem, send
from tests.strategy.goal_fixtures import utc_workspace, won
from vinculo.strategy.models import Goal, GoalReading


@pytest.fixture
def today(ana):
    return utc_workspace(ana)


def _body(today, **data):
    return {
        "title": "Deals won",
        "kpi_key": "deals_won",
        "starts_on": (today - timedelta(days=9)).isoformat(),
        "deadline": (today + timedelta(days=20)).isoformat(),
        "target": "15",
    } | data


def test_create_read_change_measure_and_delete(ana, bruno, today):
    for n in (0, 2, 4, 6, 8):
        won(ana.actor, today - timedelta(days=9 - n))
    made = send(ana.client(), "post", "/api/v1/goals", _body(today, owner_id=bruno.user.pk))
    assert made.status_code == 201, made.content
    goal = made.json()
    # 5 deals since the start, 0 in the 30 days before; forecast 14.697 (see the measuring
    # tests' arithmetic): at risk.
    assert (goal["current"], goal["baseline"], goal["forecast"]) == ("5.0000", "0.0000", "14.6970")
    assert goal["status"] == "at_risk" and goal["shape"] == "total"
    assert goal["progress"] == "0.3333"  # 5 / 15
    assert goal["reason"]["code"] == "forecast_short"
    assert "14.7" in goal["reason"]["text"] and "98%" in goal["reason"]["text"]
    assert len(goal["readings"]) == 10 and "90%" in goal["rule"]
    # In Portuguese, the same reason in words.
    pt = ana.client("pt-br").get(f"/api/v1/goals/{goal['id']}").json()
    assert pt["reason"]["text"].startswith("A previsão para")
    # Change the target: measured again, the readings kept (the KPI is the same).
    changed = send(ana.client(), "patch", f"/api/v1/goals/{goal['id']}", {"target": "14"})
    assert changed.json()["status"] == "on_track"
    assert GoalReading.objects.filter(goal_id=goal["id"]).count() == 10
    # Change the KPI: the baseline and readings start over.
    send(ana.client(), "patch", f"/api/v1/goals/{goal['id']}", {"kpi_key": "new_deals"})
    assert Goal.objects.get(pk=goal["id"]).current == 5  # the same five deals, created then
    measured = send(ana.client(), "post", f"/api/v1/goals/{goal['id']}/measure")
    assert measured.status_code == 200 and measured.json()["measured_at"]
    listed = ana.client().get("/api/v1/goals?status=on_track").json()["items"]
    assert [g["id"] for g in listed] == [goal["id"]]
    assert ana.client().get("/api/v1/goals?status=at_risk").json()["items"] == []
    assert send(ana.client(), "delete", f"/api/v1/goals/{goal['id']}").status_code == 204
    assert not Goal.objects.filter(pk=goal["id"]).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kpi_key": "no_such_kpi"}, "kpi_key"),
        ({"kpi_key": "cac", "filter_owner_id": "me"}, "filter_owner_id"),  # CAC: by source only
        ({"deadline": "2020-01-01"}, "deadline"),
        ({"segment": {"field": "no_such_field", "op": "eq", "value": 1}}, "segment"),
        ({"currency": "BRL"}, "currency"),  # deals won is a count, not money
        ({"target": "abc"}, "target"),
        ({"window_days": 0}, "window_days"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(ana, today, data, field):
    if data.get("filter_owner_id") == "me":
        data = data | {"filter_owner_id": ana.user.pk}
    response = send(ana.client(), "post", "/api/v1/goals", _body(today, **data))
    if response.status_code == 422 and response["Content-Type"] == "application/problem+json":
        fields = {f.split(".")[0] for f in fields_of(response.json())}
        assert field in fields, response.json()
    else:
        pytest.fail(f"expected a 422 on {field}, got {response.status_code}: {response.content}")
    assert not Goal.objects.exists()


def test_a_quota_must_share_an_additive_kpi_with_its_team_goal(ana, today):
    team = send(ana.client(), "post", "/api/v1/goals", _body(today)).json()
    other = send(
        ana.client(),
        "post",
        "/api/v1/goals",
        _body(today, kpi_key="new_revenue", parent_id=team["id"]),
    )
    assert problem(other, 422)["errors"][0]["code"] == "kpi_mismatch"
    rate = send(ana.client(), "post", "/api/v1/goals",
                _body(today, kpi_key="win_rate", target="0.5")).json()  # fmt: skip
    quota = send(ana.client(), "post", "/api/v1/goals",
                 _body(today, kpi_key="win_rate", target="0.5", parent_id=rate["id"]))  # fmt: skip
    body = problem(quota, 422)
    assert body["errors"][0] == {
        "field": "parent_id",
        "code": "not_additive",
        "message": body["errors"][0]["message"],
    }
    assert "rate" in body["errors"][0]["message"]


def test_a_viewer_reads_but_cannot_change_goals(ana, vera, today):
    made = send(ana.client(), "post", "/api/v1/goals", _body(today)).json()
    assert vera.client().get(f"/api/v1/goals/{made['id']}").status_code == 200
    problem(send(vera.client(), "post", "/api/v1/goals", _body(today)), 403)
    problem(send(vera.client(), "post", f"/api/v1/goals/{made['id']}/measure"), 403)
    problem(send(vera.client(), "delete", f"/api/v1/goals/{made['id']}"), 403)


def test_two_workspaces_never_see_each_others_goals(ana, carla, today):
    mine = send(ana.client(), "post", "/api/v1/goals", _body(today)).json()
    theirs = carla.client()
    assert theirs.get("/api/v1/goals").json()["items"] == []
    url = f"/api/v1/goals/{mine['id']}"
    problem(theirs.get(url), 404)
    problem(send(theirs, "patch", url, {"title": "Mine now"}), 404)
    problem(send(theirs, "post", f"{url}/measure"), 404)
    problem(send(theirs, "delete", url), 404)
    # Nor can Carla hang a quota on Ana's goal, or pick Ana as an owner.
    quota = send(theirs, "post", "/api/v1/goals", _body(today, parent_id=mine["id"]))
    assert "parent_id" in fields_of(problem(quota, 422))
    owner = send(theirs, "post", "/api/v1/goals", _body(today, owner_id=ana.user.pk))
    assert "owner_id" in fields_of(problem(owner, 422))
    assert Goal.objects.get(pk=mine["id"]).title == "Deals won"
