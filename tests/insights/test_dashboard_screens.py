"""The dashboards' screens through the Django client: a widget's CSV file (plain numbers, text
escaped against formulas), the KPI page a widget's number links to (cut by the widget's filters),
the edit forms (refusals said by field, a member refused a workspace dashboard), the home page's
links, and another workspace's dashboard answering 404."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from tests.insights.conftest import deal
from vinculo.core.filters.context import workspace_today
from vinculo.insights.dashboards import services
from vinculo.insights.models import Dashboard, Widget


@pytest.fixture
def won(ana, bruno):
    """Won three days ago: 1,000 by Ana, 3,000 by Bruno (whose name starts like a formula)."""
    bruno.user.full_name = "=HYPERLINK(1)"
    bruno.user.save(update_fields=["full_name"])
    day = (workspace_today(ana.actor) - timedelta(days=3)).isoformat()
    deal(ana.actor, "A", "1000", status="won", created=f"{day}T09:00", closed=f"{day}T10:00")
    deal(ana.actor, "B", "3000", status="won", created=f"{day}T09:00", closed=f"{day}T11:00",
         owner_id=bruno.user.pk)  # fmt: skip


def _sales(persona) -> Dashboard:
    return Dashboard.objects.for_workspace(persona.workspace).get(kind="sales")


def test_a_leaderboards_csv_holds_plain_numbers_and_escaped_names(ana, won):
    sales = _sales(ana)
    services.update_dashboard_settings(actor=ana.actor, data={"show_leaderboards": True})
    board = services.add_widget(actor=ana.actor, dashboard_id=sales.pk,
                                data={"kind": "leaderboard", "kpi": "new_revenue"})  # fmt: skip
    response = ana.web().get(f"/insights/dashboards/{sales.pk}/widgets/{board.pk}/csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="new-revenue_')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["Section", "First day", "Last day", "Label", "Value (BRL)",
                       "Previous period"]  # fmt: skip
    assert rows[1][0] == "Period" and rows[1][4] == "4000.00"  # 1,000 + 3,000
    groups = [(r[3], r[4]) for r in rows if r[0] == "Group"]
    assert groups == [("'=HYPERLINK(1)", "3000.00"), (ana.user.email, "1000.00")]


def test_a_widgets_number_links_to_the_kpi_cut_by_its_filters(ana, bruno, won):
    sales = _sales(ana)
    mine = {"kind": "number", "kpi": "new_revenue", "filters": {"owner_id": bruno.user.pk}}
    services.add_widget(actor=ana.actor, dashboard_id=sales.pk, data=mine)
    page = ana.web().get(f"/insights/dashboards/{sales.pk}/").content.decode()
    link = page.split('class="kpi-value widget-value" href="')[-1].split('"')[0]
    assert f"owner_id={bruno.user.pk}" in link
    kpi = ana.web().get(link.replace("&amp;", "&"))
    assert kpi.status_code == 200
    html = kpi.content.decode()
    assert 'id="kpi-narrowed"' in html
    assert 'id="kpi-value">R$3,000.00<' in html.replace("\n", "")  # Bruno's deal only
    bad = ana.web().get("/insights/kpis/new_revenue/?filter=%7B%22field%22%3A%22nope%22%7D")
    assert bad.status_code == 400  # said on the page, never a 500


def test_the_edit_forms_say_refusals_by_field_and_refuse_a_member(ana, bruno):
    sales = _sales(ana)
    client = ana.web()
    answer = client.post(f"/insights/dashboards/{sales.pk}/widgets/add",
                         {"kind": "number", "kpi": "no_such_kpi"}, follow=True)  # fmt: skip
    assert "kpi: No KPI is called no_such_kpi." in answer.content.decode()
    assert Widget.objects.for_workspace(ana.workspace).filter(dashboard=sales).count() == 8
    refused = bruno.web().post(f"/insights/dashboards/{sales.pk}/widgets/add",
                               {"kind": "number", "kpi": "deals_won"})  # fmt: skip
    assert refused.status_code == 403
    page = bruno.web().get(f"/insights/dashboards/{sales.pk}/?edit=1").content.decode()
    assert 'id="dashboard-edit"' not in page and 'id="add-widget"' not in page


def test_the_home_page_links_to_the_dashboards_and_another_workspace_gets_404(ana, carla):
    home = ana.web("pt-br").get("/").content.decode()
    assert 'id="home-dashboards"' in home
    for name in ("Vendas", "Marketing", "Atendimento", "Gestão"):
        assert f">{name}</a>" in home
    assert carla.web().get(f"/insights/dashboards/{_sales(ana).pk}/").status_code == 404
    widget = _sales(ana).widgets.first()
    assert (
        carla.web()
        .get(f"/insights/dashboards/{_sales(ana).pk}/widgets/{widget.pk}/csv")
        .status_code
        == 404
    )
