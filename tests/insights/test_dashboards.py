"""Dashboards (issue 18) through the services and the API: the four default dashboards a new
workspace is made with, two workspaces that never see each other's dashboards, who may change
which dashboard, validation that names the field, and a widget's numbers equal to
``core.kpis.measure`` for the same period, grain and filters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.insights.conftest import deal
from vinculo.core.errors import PermissionDenied, ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.core.kpis.api import measurement_json
from vinculo.insights.dashboards import selectors, services
from vinculo.insights.dashboards.data import days_of
from vinculo.insights.models import Dashboard, Widget
from vinculo.workspaces import services as ws_services


def _sales(persona) -> Dashboard:
    return Dashboard.objects.for_workspace(persona.workspace).get(kind="sales", is_default=True)


def _api(persona, method: str, path: str, body=None, language="en"):
    client = persona.client(language)
    call = getattr(client, method)
    if body is None:
        return call(f"/api/v1{path}")
    return call(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


@pytest.fixture
def recent(ana, bruno, carla):
    """Won in the last 30 days in Ana's workspace: 1,000 (Ana's) and 3,000 (Bruno's); lost:
    500 (Ana's); open: 2,000. Carla's workspace wins 50,000."""
    ana.workspace.timezone = "America/Sao_Paulo"
    ana.workspace.save(update_fields=["timezone"])
    today = workspace_today(ana.actor)
    day = (today - timedelta(days=3)).isoformat()
    deal(ana.actor, "A", "1000", status="won", created=f"{day}T09:00", closed=f"{day}T10:00")
    deal(ana.actor, "B", "3000", status="won", created=f"{day}T09:00", closed=f"{day}T11:00",
         owner_id=bruno.user.pk)  # fmt: skip
    deal(ana.actor, "C", "500", status="lost", created=f"{day}T09:00", closed=f"{day}T12:00")
    deal(ana.actor, "D", "2000", status="open", created=f"{day}T09:00")
    deal(carla.actor, "Z", "50000", status="won", created=f"{day}T09:00", closed=f"{day}T10:00")


# --- the defaults -------------------------------------------------------------------------------


def test_a_new_workspace_has_the_four_default_dashboards_in_the_readers_language(ana):
    found = {d.kind: d for d in Dashboard.objects.for_workspace(ana.workspace)}
    assert set(found) == {"sales", "marketing", "service", "management"}
    assert all(d.scope == "workspace" and d.is_default for d in found.values())
    sales_widgets = [(w.kind, w.kpi) for w in found["sales"].widgets.order_by("position")]
    assert sales_widgets == [
        ("number", "win_rate"), ("number", "new_revenue"), ("number", "pipeline_value"),
        ("number", "sales_cycle"), ("bar", "new_revenue"), ("funnel", ""),
        ("leaderboard", "new_revenue"), ("line", "win_rate"),
    ]  # fmt: skip
    en = _api(ana, "get", "/dashboards").json()["items"]
    pt = _api(ana, "get", "/dashboards", language="pt-br").json()["items"]
    assert [d["name"] for d in en] == ["Sales", "Marketing", "Service", "Management"]
    assert [d["name"] for d in pt] == ["Vendas", "Marketing", "Atendimento", "Gestão"]
    # Made once: making them again finds them there.
    assert services.make_default_dashboards(ana.actor) == []


# --- two workspaces -----------------------------------------------------------------------------


def test_another_workspaces_dashboards_are_never_listed_and_their_ids_are_404(ana, carla):
    mine, theirs = _sales(ana), _sales(carla)
    ids = {d["id"] for d in _api(ana, "get", "/dashboards").json()["items"]}
    assert mine.pk in ids and theirs.pk not in ids
    widget = theirs.widgets.first()
    for path in (
        f"/dashboards/{theirs.pk}",
        f"/dashboards/{theirs.pk}/widgets",
        f"/dashboards/{theirs.pk}/widgets/{widget.pk}",
        f"/dashboards/{theirs.pk}/widgets/{widget.pk}/data",
        f"/dashboards/{mine.pk}/widgets/{widget.pk}",  # my dashboard, their widget
    ):
        assert _api(ana, "get", path).status_code == 404, path
    assert _api(ana, "delete", f"/dashboards/{theirs.pk}").status_code == 404
    assert _api(ana, "patch", f"/dashboards/{theirs.pk}/widgets/{widget.pk}",
                {"width": 2}).status_code == 404  # fmt: skip
    assert Widget.objects.get(pk=widget.pk).width == 1
    assert ana.web().get(f"/insights/dashboards/{theirs.pk}/").status_code == 404


# --- who may change what ------------------------------------------------------------------------


def test_a_member_cannot_change_a_workspace_dashboard_but_can_change_their_own(ana, bruno):
    sales = _sales(ana)
    added = _api(bruno, "post", f"/dashboards/{sales.pk}/widgets", {"kind": "number",
                 "kpi": "deals_won"})  # fmt: skip
    assert added.status_code == 403
    assert _api(bruno, "get", f"/dashboards/{sales.pk}").json()["editable"] is False
    made = _api(bruno, "post", "/dashboards", {"name": "Meu painel"})
    assert made.status_code == 201 and made.json()["scope"] == "personal"
    mine = made.json()["id"]
    widget = _api(bruno, "post", f"/dashboards/{mine}/widgets", {"kind": "number",
                  "kpi": "deals_won", "width": 2})  # fmt: skip
    assert widget.status_code == 201 and widget.json()["width"] == 2
    # Bruno (a sales rep) may not make a workspace dashboard; his personal one is his alone.
    shared = _api(bruno, "post", "/dashboards", {"name": "Para todos", "scope": "workspace"})
    assert shared.status_code == 403
    assert _api(ana, "get", f"/dashboards/{mine}").status_code == 404
    # Ana (the owner) changes the workspace's.
    assert _api(ana, "patch", f"/dashboards/{sales.pk}", {"name": "Vendas SP"}).json()["name"] == (
        "Vendas SP"
    )


def test_a_team_dashboard_is_changed_by_its_members(ana, bruno, vera):
    team = ws_services.create_team(actor=ana.actor, data={"name": "Vendas SP"})
    ws_services.add_team_member(actor=ana.actor, team_id=team.pk, user_id=bruno.user.pk)
    board = services.create_dashboard(
        actor=ana.actor, data={"name": "Time SP", "scope": "team", "team_id": team.pk}
    )
    assert selectors.may_edit(bruno.actor, board)
    services.add_widget(actor=bruno.actor, dashboard_id=board.pk, data={"kind": "number",
                        "kpi": "calls"})  # fmt: skip
    # Vera is not in the team: she does not even see it.
    assert board.pk not in {d.pk for d in selectors.dashboards(vera.actor)}
    with pytest.raises(PermissionDenied):
        services.create_dashboard(actor=vera.actor, data={"name": "Time", "scope": "workspace"})


# --- validation ---------------------------------------------------------------------------------


def _fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_a_bad_widget_is_refused_naming_each_field(ana):
    sales = _sales(ana).pk
    path = f"/dashboards/{sales}/widgets"
    assert _fields(_api(ana, "post", path, {"kind": "number", "kpi": "no_such_kpi"})) == {
        "kpi": "unknown"
    }
    assert "grain" in _fields(_api(ana, "post", path, {"kind": "line", "kpi": "deals_won",
                                                        "grain": "hour"}))  # fmt: skip
    # A year at day grain is 366 points: fine; but the data quality score cannot be cut by owner.
    bad_cut = {"kind": "table", "kpi": "data_quality_score", "group_by": "owner"}
    assert _fields(_api(ana, "post", path, bad_cut)) == {"group_by": "invalid"}
    unknown = {"field": "no_such_field", "op": "eq", "value": 1}
    bad_filter = {"kind": "number", "kpi": "new_leads", "filters": {"segment": unknown}}
    assert list(_fields(_api(ana, "post", path, bad_filter))) == ["filters.segment.field"]
    wide = {"kind": "number", "kpi": "deals_won", "width": 5, "period": "forever"}
    assert _fields(_api(ana, "post", path, wide)) == {"width": "out_of_range",
                                                      "period": "invalid_choice"}  # fmt: skip
    assert _fields(_api(ana, "post", "/dashboards", {"name": "T", "scope": "team"})) == {
        "team_id": "required"
    }
    assert Widget.objects.for_workspace(ana.workspace).filter(dashboard_id=sales).count() == 8


def test_reorder_resize_and_remove(ana):
    sales = _sales(ana)
    ids = list(sales.widgets.order_by("position").values_list("pk", flat=True))
    new_order = [ids[-1], *ids[:-1]]
    done = _api(ana, "post", f"/dashboards/{sales.pk}/widgets/reorder", {"widget_ids": new_order})
    assert [w["id"] for w in done.json()] == new_order
    missing = _api(ana, "post", f"/dashboards/{sales.pk}/widgets/reorder",
                   {"widget_ids": new_order[:-1]})  # fmt: skip
    assert _fields(missing) == {"widget_ids": "invalid"}
    resized = _api(ana, "patch", f"/dashboards/{sales.pk}/widgets/{ids[0]}", {"width": 4})
    assert resized.json()["width"] == 4
    assert _api(ana, "delete", f"/dashboards/{sales.pk}/widgets/{ids[0]}").status_code == 204
    left = [i for i in new_order if i != ids[0]]
    listed = _api(ana, "get", f"/dashboards/{sales.pk}/widgets").json()
    assert [w["id"] for w in listed] == left
    services.move_widget(actor=ana.actor, dashboard_id=sales.pk, widget_id=left[0], step=1)
    order = list(sales.widgets.order_by("position").values_list("pk", flat=True))
    assert order == [left[1], left[0], *left[2:]]


# --- the numbers --------------------------------------------------------------------------------


def test_a_widgets_numbers_are_the_kpi_measured_for_its_period_grain_and_filters(
    ana, bruno, recent
):
    sales = _sales(ana)
    made = services.add_widget(
        actor=ana.actor,
        dashboard_id=sales.pk,
        data={"kind": "line", "kpi": "new_revenue", "grain": "day", "period": "last_30",
              "filters": {"owner_id": bruno.user.pk}},
    )  # fmt: skip
    got = _api(ana, "get", f"/dashboards/{sales.pk}/widgets/{made.pk}/data").json()
    start, end = days_of(ana.actor, made)
    expected = measure("new_revenue", Scope(actor=ana.actor, owner_id=bruno.user.pk),
                       start=start, end=end, grain=Grain.DAY)  # fmt: skip
    assert got["value"] == str(measurement_json(expected)["value"]) == "3000.00"  # Bruno's B only
    assert len(got["series"]) == 30 and got["series"][-4]["value"] == "3000.00"  # three days ago
    assert got["url"].startswith("/insights/kpis/new_revenue/?period=custom")
    assert f"owner_id={bruno.user.pk}" in got["url"]
    # Leaderboards are opt-in: off, the leaderboard is hidden and ranks no one.
    board = sales.widgets.get(kind="leaderboard")
    off = _api(ana, "get", f"/dashboards/{sales.pk}/widgets/{board.pk}/data").json()
    assert off["hidden"] is True and off["groups"] == [] and off["value"] is None
    services.update_dashboard_settings(actor=ana.actor, data={"show_leaderboards": True})
    # On: new revenue by owner, Bruno 3,000, then Ana 1,000.
    ranked = _api(ana, "get", f"/dashboards/{sales.pk}/widgets/{board.pk}/data").json()["groups"]
    assert [(g["key"], g["value"]) for g in ranked] == [
        (bruno.user.pk, "3000.00"), (ana.user.pk, "1000.00"),
    ]  # fmt: skip
    # Win rate: 2 won of 3 closed.
    rate = sales.widgets.get(kind="number", kpi="win_rate")
    data = _api(ana, "get", f"/dashboards/{sales.pk}/widgets/{rate.pk}/data").json()
    assert data["value"] == pytest.approx(2 / 3)


def test_the_funnel_and_a_cohort_widget_whose_basis_is_gone(ana, recent):
    sales = _sales(ana)
    funnel = sales.widgets.get(kind="funnel")
    data = _api(ana, "get", f"/dashboards/{sales.pk}/widgets/{funnel.pk}/data").json()
    # Four deals created this quarter; two won went through every open stage.
    assert data["steps"][0]["deals"] == 4
    assert [s["deals"] for s in data["steps"] if s["kind"] == "won"] == [2]
    assert data["url"].startswith("/insights/reports/pipeline-funnel/?")
    cohort = services.add_widget(actor=ana.actor, dashboard_id=sales.pk,
                                 data={"kind": "cohort", "basis": "purchases"})  # fmt: skip
    Widget.objects.filter(pk=cohort.pk).update(basis="tickets")  # a basis no app registers now
    data = _api(ana, "get", f"/dashboards/{sales.pk}/widgets/{cohort.pk}/data").json()
    assert data["available"] is False and data["cohorts"] is None


def test_a_widget_made_by_a_service_refuses_a_filter_the_kpi_cannot_take(ana):
    with pytest.raises(ValidationFailed) as refused:
        services.add_widget(
            actor=ana.actor,
            dashboard_id=_sales(ana).pk,
            data={"kind": "number", "kpi": "data_quality_score", "filters": {"pipeline_id": 1}},
        )
    assert {e.field for e in refused.value.errors} == {"filters.pipeline_id"}
