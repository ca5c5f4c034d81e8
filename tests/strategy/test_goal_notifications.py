"""In-app notifications: a goal turning at risk tells its owner (without one, the managers) once;
the API lists mine (unread on request), marks one or all read; nobody reads another's, in this
workspace or another; the bell counts the unread and the page lists them in the reader's
language."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api import problem, send
from tests.strategy.goal_fixtures import utc_workspace, won
from vinculo.core import notifications
from vinculo.core.models import Notification
from vinculo.core.tenancy import Role
from vinculo.strategy.goals import services as goals
from vinculo.workspaces import services as workspaces


@pytest.fixture
def alert(ana, bruno):
    """Bruno's goal at risk (forecast 14.697 of 15: see the measuring tests)."""
    today = utc_workspace(ana)
    for n in (0, 2, 4, 6, 8):
        won(ana.actor, today - timedelta(days=9 - n))
    goal = goals.create_goal(
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
    return goal


def test_the_owner_reads_the_alert_and_marks_it_read(bruno, ana, alert):
    body = bruno.client().get("/api/v1/notifications?unread=true").json()
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert item["code"] == "goal.at_risk" and item["link"] == f"/strategy/goals/{alert.pk}/"
    assert item["text"].startswith("The goal “Deals won” is at risk. The forecast")
    pt = bruno.client("pt-br").get("/api/v1/notifications").json()["items"][0]["text"]
    assert pt.startswith("A meta “Deals won” está em risco.")
    # Ana (no alert of her own) sees none.
    assert ana.client().get("/api/v1/notifications").json()["items"] == []
    read = send(bruno.client(), "post", f"/api/v1/notifications/{item['id']}/read").json()
    assert read["read_at"] is not None
    assert bruno.client().get("/api/v1/notifications?unread=true").json()["items"] == []
    assert len(bruno.client().get("/api/v1/notifications?unread=false").json()["items"]) == 1


def test_read_all_and_nobody_reads_anothers(bruno, ana, carla, alert):
    notifications.notify(bruno.workspace, [bruno.user], "goal.off_track",
                         {"title": "Other", "kpi": "deals_won", "reason": {}})  # fmt: skip
    mine = Notification.objects.filter(user=bruno.user)
    assert mine.count() == 2
    one = mine.first()
    problem(send(ana.client(), "post", f"/api/v1/notifications/{one.pk}/read"), 404)
    problem(send(carla.client(), "post", f"/api/v1/notifications/{one.pk}/read"), 404)
    assert carla.client().get("/api/v1/notifications").json()["items"] == []
    assert send(carla.client(), "post", "/api/v1/notifications/read-all").json()["marked"] == 0
    assert mine.filter(read_at__isnull=True).count() == 2
    done = send(bruno.client(), "post", "/api/v1/notifications/read-all").json()
    assert done == {"marked": 2, "unread": 0}


def test_a_goal_without_an_owner_alerts_the_managers(ana, today_goal_data):
    member = workspaces.add_member(actor=ana.actor, email="mia@aurora.test", role=Role.MANAGER)
    goals.create_goal(actor=ana.actor, data=today_goal_data)
    user = member.membership.user
    assert list(Notification.objects.values_list("user", flat=True)) == [user.pk]


@pytest.fixture
def today_goal_data(ana):
    today = utc_workspace(ana)
    for n in (0, 2, 4, 6, 8):
        won(ana.actor, today - timedelta(days=9 - n))
    return {
        "title": "Nobody's",
        "kpi_key": "deals_won",
        "starts_on": today - timedelta(days=9),
        "deadline": today + timedelta(days=20),
        "target": "40",  # 14.697 / 40 = 0.37: off track
    }


def test_the_bell_counts_and_the_page_lists(bruno, alert):
    web = bruno.web("pt-br")
    home = web.get("/").content.decode()
    assert 'id="notifications-unread">1<' in home
    page = web.get("/notifications/").content.decode()
    assert "A meta “Deals won” está em risco." in page
    opened = web.post(f"/notifications/{Notification.objects.get().pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/strategy/goals/{alert.pk}/"
    assert 'id="notifications-unread"' not in web.get("/").content.decode()


def test_with_email_set_up_the_owner_is_also_emailed(
    ana, bruno, smtp, django_capture_on_commit_callbacks
):
    bruno.user.language = "pt-br"
    bruno.user.save(update_fields=["language"])
    today = utc_workspace(ana)
    for n in (0, 2, 4, 6, 8):
        won(ana.actor, today - timedelta(days=9 - n))
    with django_capture_on_commit_callbacks(execute=True):
        goal = goals.create_goal(
            actor=ana.actor,
            data={"title": "Deals won", "kpi_key": "deals_won", "owner_id": bruno.user.pk,
                  "starts_on": today - timedelta(days=9), "deadline": today + timedelta(days=20),
                  "target": "15"},
        )  # fmt: skip
    text = smtp.last_to("bruno@aurora.test")
    assert "A meta “Deals won” está em risco." in text  # in Bruno's language
    assert f"/strategy/goals/{goal.pk}/" in text
