"""The goal screens: the list with its filters, a goal's page (chart data, the rule in words,
quotas, the KPI's page linked), the form (create, bad input shown on the field), "measure now";
pages never measure; another workspace's goal is a 404."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.strategy.goal_fixtures import utc_workspace, won
from vinculo.strategy.goals import services as goals
from vinculo.strategy.models import Goal, GoalReading


@pytest.fixture
def goal(ana, bruno):
    today = utc_workspace(ana)
    for n in (0, 2, 4, 6, 8):
        won(ana.actor, today - timedelta(days=9 - n))
    return goals.create_goal(
        actor=ana.actor,
        data={
            "title": "Deals won",
            "kpi_key": "deals_won",
            "owner_id": bruno.user.pk,
            "starts_on": today - timedelta(days=9),
            "deadline": today + timedelta(days=20),
            "target": "15",
        },
    )


def test_the_list_and_the_goal_page_show_the_stored_measurement(ana, goal):
    web = ana.web("pt-br")
    measured_at = goal.measured_at
    page = web.get("/strategy/goals/").content.decode()
    assert "Deals won" in page and 'data-status="at_risk"' in page and "Em risco" in page
    assert 'value="33"' in page  # the progress bar: 5 / 15
    assert "Deals won" not in web.get("/strategy/goals/?status=on_track").content.decode()
    detail = web.get(f"/strategy/goals/{goal.pk}/")
    text = detail.content.decode()
    assert "A previsão para" in text and "90%" in text
    assert "/insights/kpis/deals_won/?from=" in text
    chart = detail.context["chart"]
    assert chart["series"][0]["values"][:10] == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert chart["series"][1]["values"][0] == 0 and chart["series"][1]["values"][-1] == 15
    assert chart["series"][2]["values"][-1] == pytest.approx(14.7)
    json.dumps(chart)
    goal.refresh_from_db()
    assert goal.measured_at == measured_at  # reads never write


def test_create_with_the_form_and_measure_now(ana, goal):
    web = ana.web()
    form = web.get("/strategy/goals/new/")
    assert form.status_code == 200 and b"deals_won" in form.content
    data = {
        "title": "Win rate",
        "kpi_key": "win_rate",
        "measure": "level",
        "window_days": "90",
        "starts_on": goal.starts_on.isoformat(),
        "deadline": goal.deadline.isoformat(),
        "target": "40",  # percent on the form: 0.40
        "segment_object": "person",
    }
    bad = web.post("/strategy/goals/new/", data | {"deadline": "2000-01-01"})
    assert bad.status_code == 422 and "deadline" in bad.context["errors"]
    saved = web.post("/strategy/goals/new/", data)
    assert saved.status_code == 302
    made = Goal.objects.get(title="Win rate")
    assert str(made.target) == "0.4000"
    before = GoalReading.objects.filter(goal=goal).count()
    GoalReading.objects.filter(goal=goal).order_by("day").first().delete()
    web.post(f"/strategy/goals/{goal.pk}/measure/")
    assert GoalReading.objects.filter(goal=goal).count() == before  # the gap filled again
    edit = web.get(f"/strategy/goals/{made.pk}/edit/")
    assert edit.context["form"]["target"] == 40


def test_another_workspace_gets_a_404(carla, goal):
    web = carla.web()
    assert web.get(f"/strategy/goals/{goal.pk}/").status_code == 404
    assert web.post(f"/strategy/goals/{goal.pk}/measure/").status_code == 404
    assert web.post(f"/strategy/goals/{goal.pk}/delete/").status_code == 404
    assert b"Deals won" not in web.get("/strategy/goals/").content


def test_the_goals_kpi_carries_its_glossary_definition(ana, goal):
    # The default glossary defines "Taxa de ganho" (win rate) for a pt-BR workspace, tied to
    # the KPI by its key: the goal's page and the list show it as the KPI's tooltip.
    goal.kpi_key = "win_rate"
    goal.save(update_fields=["kpi_key"])
    web = ana.web(language="pt-br")
    for url in (f"/strategy/goals/{goal.pk}/", "/strategy/goals/"):
        page = web.get(url).content.decode()
        assert 'class="glossary-tip"' in page and 'data-glossary="taxa de ganho"' in page, url
