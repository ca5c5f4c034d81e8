"""Leaderboards are opt-in per workspace: off until someone who manages dashboards turns them on
(settings screen or API); while off a leaderboard widget measures nothing and says so, with a
link to the setting. The adoption leaderboard is offered in the edit mode's suggestions. Each
workspace's setting is its own."""

from __future__ import annotations

import json

import pytest

from vinculo.core.errors import PermissionDenied, ValidationFailed
from vinculo.core.models import AuditEntry
from vinculo.core.tenancy import Membership
from vinculo.demo.workspace import ensure_demo_workspace
from vinculo.insights.dashboards import selectors, services
from vinculo.insights.models import Dashboard, DashboardSettings


def _service(persona) -> Dashboard:
    return Dashboard.objects.for_workspace(persona.workspace).get(kind="service")


def _put(persona, body):
    return persona.client().put(
        "/api/v1/dashboard-settings", data=json.dumps(body), content_type="application/json"
    )


def test_off_by_default_and_the_widget_says_who_can_turn_them_on(ana):
    assert selectors.leaderboards_shown(ana.actor) is False
    service = _service(ana)
    board = service.widgets.get(kind="leaderboard")  # calls by owner, a default widget
    page = ana.web("pt-br").get(f"/insights/dashboards/{service.pk}/").content.decode()
    assert "Os rankings estão desligados neste espaço de trabalho" in page
    assert 'href="/insights/settings/"' in page
    data = ana.client().get(f"/api/v1/dashboards/{service.pk}/widgets/{board.pk}/data").json()
    assert data["hidden"] is True and data["groups"] == []


def test_a_manager_turns_them_on_on_the_screen_and_ws_b_stays_off(ana, bruno, carla):
    # Bruno (sales rep) may read the setting, not change it.
    assert bruno.web().get("/insights/settings/").status_code == 200
    with pytest.raises(PermissionDenied):
        services.update_dashboard_settings(actor=bruno.actor, data={"show_leaderboards": True})
    response = ana.web().post("/insights/settings/", {"show_leaderboards": "on"})
    assert response.status_code == 302
    assert selectors.leaderboards_shown(ana.actor) is True
    entry = AuditEntry.objects.for_workspace(ana.workspace).get(action="dashboard_settings.updated")
    assert entry.changes == {"show_leaderboards": [False, True]}
    service = _service(ana)
    board = service.widgets.get(kind="leaderboard")
    data = ana.client().get(f"/api/v1/dashboards/{service.pk}/widgets/{board.pk}/data").json()
    assert data["hidden"] is False
    page = ana.web().get(f"/insights/dashboards/{service.pk}/").content.decode()
    assert "Leaderboards are off" not in page
    # Workspace B keeps its own: off.
    assert selectors.leaderboards_shown(carla.actor) is False
    assert carla.client().get("/api/v1/dashboard-settings").json() == {"show_leaderboards": False}
    # Unchecked: off again.
    ana.web().post("/insights/settings/", {})
    assert selectors.leaderboards_shown(ana.actor) is False


def test_the_api(ana, bruno, vera, carla):
    assert vera.client().get("/api/v1/dashboard-settings").json() == {"show_leaderboards": False}
    assert _put(bruno, {"show_leaderboards": True}).status_code == 403
    bad = _put(ana, {"show_leaderboards": "maybe"})
    assert bad.status_code == 422
    assert _put(ana, {"show_leaderboards": True, "other": 1}).status_code == 422
    assert _put(ana, {"show_leaderboards": True}).json() == {"show_leaderboards": True}
    assert ana.client().get("/api/v1/dashboard-settings").json() == {"show_leaderboards": True}
    assert carla.client().get("/api/v1/dashboard-settings").json() == {"show_leaderboards": False}
    with pytest.raises(ValidationFailed) as refused:
        services.update_dashboard_settings(actor=ana.actor, data={"show_leaderboards": "yes"})
    assert refused.value.errors[0].field == "show_leaderboards"


def test_the_adoption_leaderboard_is_offered_and_ranks_once_on(ana, bruno):
    service = _service(ana)
    page = ana.web().get(f"/insights/dashboards/{service.pk}/?edit=1").content.decode()
    assert 'id="suggest-adoption_leaderboard"' in page
    assert ana.web().post(
        f"/insights/dashboards/{service.pk}/widgets/add",
        {"kind": "leaderboard", "kpi": "activities_logged", "period": "this_month",
         "group_by": "owner", "limit": "10", "width": "2"},
    ).status_code == 302  # fmt: skip
    made = service.widgets.get(kind="leaderboard", kpi="activities_logged")
    assert (made.period, made.group_by, made.limit) == ("this_month", "owner", 10)
    services.update_dashboard_settings(actor=ana.actor, data={"show_leaderboards": True})
    data = ana.client().get(f"/api/v1/dashboards/{service.pk}/widgets/{made.pk}/data").json()
    assert data["hidden"] is False and data["value"] == 0


def test_the_demo_workspace_shows_its_leaderboards(db):
    login = ensure_demo_workspace(people=0, progress=None)
    owner = Membership.objects.select_related("workspace", "user").get(user__email=login.email)
    assert DashboardSettings.objects.get(workspace=owner.workspace).show_leaderboards is True
