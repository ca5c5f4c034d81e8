"""A dashboard's cohort heat map (issue 18) against the hand-computed purchases of
tests/events/cohort_seed.py: the widget's numbers are the cohort report's for the months of its
period, on its basis; the default Management dashboard ends with one; its number links to the
report's screen for the same months and basis; its CSV file is the report's; a bad basis is
refused naming ``basis``; another workspace's purchases never show.

The widgets' periods run up to the workspace's today: the clock of the widgets' numbers is set to
15 April 2026 (São Paulo), so that ``this_year`` is January to April 2026 and
``last_12_months`` May 2025 to April 2026."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from tests.events.cohort_seed import seed_purchases
from tests.integrations.test_openapi_contract import conforms
from vinculo.core.reports import cohort_report
from vinculo.core.reports_api import cohorts_out
from vinculo.insights.dashboards import data as widget_data_module
from vinculo.insights.dashboards import services
from vinculo.insights.models import Dashboard, Widget

TODAY = date(2026, 4, 15)
REPORT = "/insights/reports/cohort-retention/"


@pytest.fixture
def april(ana, carla, monkeypatch):
    """The purchases of tests/events/cohort_seed.py, the widgets' today 15 April 2026."""
    seed_purchases(ana, carla)
    monkeypatch.setattr(widget_data_module, "workspace_today", lambda actor: TODAY)


def _board(persona, kind: str = "management") -> Dashboard:
    return Dashboard.objects.for_workspace(persona.workspace).get(kind=kind, is_default=True)


def _api(persona, method: str, path: str, body=None):
    call = getattr(persona.client(), method)
    if body is None:
        return call(f"/api/v1{path}")
    return call(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


def _fields(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["code"] for e in response.json()["errors"]}


def test_a_new_workspace_management_dashboard_ends_with_a_purchase_cohort_heat_map(ana):
    widgets = list(_board(ana).widgets.order_by("position"))
    assert len(widgets) == 7
    last = widgets[-1]
    assert (last.kind, last.kpi, last.basis, last.period, last.grain, last.width) == (
        "cohort", "", "purchases", "last_12_months", "month", 4,
    )  # fmt: skip


def test_a_cohort_widgets_numbers_are_the_cohort_report_for_its_months(ana, carla, april):
    board = _board(ana).pk
    asked = {"kind": "cohort", "basis": "purchases", "period": "this_year", "grain": "day"}
    made = _api(ana, "post", f"/dashboards/{board}/widgets", asked)
    assert made.status_code == 201, made.content
    widget = made.json()
    # The heat map is monthly whatever grain was sent; it takes no KPI.
    assert (widget["basis"], widget["grain"], widget["kpi"]) == ("purchases", "month", "")
    path = f"/dashboards/{board}/widgets/{widget['id']}/data"
    response = _api(ana, "get", path)
    assert response.status_code == 200, response.content
    conforms(Client().get("/api/v1/openapi.json").json(), "get", f"/api/v1{path}", response)
    got = response.json()
    assert got["available"] is True
    # This year on 15 April: the cohorts of January to April, as the report computes them.
    expected = cohort_report(ana.actor, "purchases", first=date(2026, 1, 1),
                             last=date(2026, 4, 1))  # fmt: skip
    assert got["cohorts"] == json.loads(json.dumps(cohorts_out(expected), default=str))
    # By hand (tests/events/test_cohorts.py): January is Lia, Rui and Bea, 2 of them back in
    # February and in March, none in April; February's only buyer is binned; March is Caio,
    # back in April.
    rows = [(c["month"], c["size"], c["retained"]) for c in got["cohorts"]["cohorts"]]
    assert rows == [("2026-01", 3, [3, 2, 2, 0]), ("2026-02", 0, [0, 0, 0]),
                    ("2026-03", 1, [1, 1]), ("2026-04", 0, [0])]  # fmt: skip
    assert got["url"] == f"{REPORT}?basis=purchases&from=2026-01&to=2026-04"
    # The lifecycle basis answers the lifecycle report for the same months.
    lifecycle = services.add_widget(actor=ana.actor, dashboard_id=board, data={
        "kind": "cohort", "basis": "lifecycle", "period": "this_year"})  # fmt: skip
    got = _api(ana, "get", f"/dashboards/{board}/widgets/{lifecycle.pk}/data").json()
    expected = cohort_report(ana.actor, "lifecycle", first=date(2026, 1, 1),
                             last=date(2026, 4, 1))  # fmt: skip
    assert got["cohorts"] == json.loads(json.dumps(cohorts_out(expected), default=str))
    assert got["url"] == f"{REPORT}?basis=lifecycle&from=2026-01&to=2026-04"


def test_another_workspaces_cohort_widget_shows_only_its_purchases_and_is_404_to_others(
    ana, carla, april
):
    theirs = _board(carla).widgets.get(kind="cohort")
    path = f"/dashboards/{theirs.dashboard_id}/widgets/{theirs.pk}/data"
    got = _api(carla, "get", path).json()["cohorts"]
    # May 2025 to April 2026 in Carla's workspace: only Outra, January 2026, never back.
    sized = [(c["month"], c["size"], c["retained"]) for c in got["cohorts"] if c["size"]]
    assert sized == [("2026-01", 1, [1, 0, 0, 0])]
    assert _api(ana, "get", path).status_code == 404
    assert ana.web().get(f"/insights/dashboards/{theirs.dashboard_id}/widgets/{theirs.pk}/csv")\
        .status_code == 404  # fmt: skip


def test_a_bad_basis_is_refused_naming_the_field(ana):
    board = _board(ana).pk
    path = f"/dashboards/{board}/widgets"
    assert _fields(_api(ana, "post", path, {"kind": "cohort"})) == {"basis": "required"}
    assert _fields(_api(ana, "post", path, {"kind": "cohort", "basis": "tickets"})) == {
        "basis": "invalid_choice"
    }
    cut = {"kind": "cohort", "basis": "purchases", "filters": {"owner_id": ana.user.pk}}
    assert _fields(_api(ana, "post", path, cut)) == {"filters.owner_id": "invalid"}
    # Another kind keeps no basis.
    number = _api(ana, "post", path, {"kind": "number", "kpi": "orders", "basis": "purchases"})
    assert number.status_code == 201 and number.json()["basis"] == ""
    cohort = _board(ana).widgets.get(kind="cohort")
    patched = _api(ana, "patch", f"{path}/{cohort.pk}", {"basis": "nope"})
    assert _fields(patched) == {"basis": "invalid_choice"}
    assert Widget.objects.get(pk=cohort.pk).basis == "purchases"
    # The edit form says it by field too.
    answer = ana.web().post(f"/insights/dashboards/{board}/widgets/add",
                            {"kind": "cohort", "basis": "nope"}, follow=True)  # fmt: skip
    assert "basis: &#x27;nope&#x27; is not one of: purchases, lifecycle." in answer.content.decode()


def test_the_heat_map_on_the_dashboard_its_link_and_its_csv_file(ana, carla, april):
    board = _board(ana)
    widget = board.widgets.get(kind="cohort")
    page = ana.web().get(f"/insights/dashboards/{board.pk}/").content.decode()
    # The title links to the report for the same months (May 2025 to April 2026) and basis.
    link = f"{REPORT}?basis=purchases&amp;from=2025-05&amp;to=2026-04"
    assert f'<a href="{link}">Cohort retention</a>' in page
    charts = json.loads(page.split('id="dashboard-data" type="application/json">')[1]
                        .split("</script>")[0])  # fmt: skip
    heat = charts[str(widget.pk)]
    assert heat["kind"] == "cohort" and heat["offsets"] == 12
    assert heat["cohorts"][0] == "2025-05-01" and heat["cohorts"][-1] == "2026-04-01"
    # [offset, cohort row, share in percent, people]: December 2025 (row 7) is Old, back in
    # January; January 2026 (row 8) 3 people, 2 of 3 = 66.7% back in February and March.
    assert [c for c in heat["cells"] if c[1] == 7] == [[0, 7, 100.0, 1], [1, 7, 100.0, 1],
                                                       [2, 7, 0.0, 0], [3, 7, 0.0, 0],
                                                       [4, 7, 0.0, 0]]  # fmt: skip
    assert [c for c in heat["cells"] if c[1] == 8] == [[0, 8, 100.0, 3], [1, 8, 66.7, 2],
                                                       [2, 8, 66.7, 2], [3, 8, 0.0, 0]]  # fmt: skip
    assert f'data-widget-chart="{widget.pk}"' in page
    # The widget's CSV file is the report's for the same months and basis.
    client = ana.web()
    mine = client.get(f"/insights/dashboards/{board.pk}/widgets/{widget.pk}/csv")
    assert mine.status_code == 200
    assert mine["Content-Disposition"] == (
        'attachment; filename="cohort-retention_2025-05-01_2026-04-15.csv"'
    )
    report = client.get(f"{REPORT}csv?basis=purchases&from=2025-05&to=2026-04")
    assert mine.content == report.content
    lines = mine.content.decode("utf-8").splitlines()
    assert lines[0] == (
        '\ufeff"basis","cohort","size","offset","month","retained","churned","share",'
        '"revenue","revenue_share","currency"'
    )
    assert '"purchases","2026-01","3","1","2026-02","2","1","0.666667","70.00","0.5","BRL"' in lines
