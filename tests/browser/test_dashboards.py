"""The dashboards in a real browser, in pt-BR and in English (issue 18): open the Sales dashboard
from the list, see its widgets drawn by ECharts (a canvas each) with their numbers, switch to
edit mode, add a widget, resize it, move it up, remove it, download a widget's CSV and find its
PNG link filled by the chart; the Management dashboard's cohort heat map drawn in pt-BR. No
request leaves our origin, nothing breaks the Content-Security-Policy and the console stays
clean."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.screens import watch_problems
from tests.browser.test_csp import COLLECT, violations
from tests.conftest import PASSWORD
from tests.events.cohort_seed import seed_purchases
from tests.insights.conftest import deal
from vinculo.core.filters.context import workspace_today
from vinculo.insights.models import Dashboard

pytestmark = pytest.mark.django_db(transaction=True)


def _seed(ana, bruno) -> None:
    """A year of deals: won every month or so by Ana and Bruno, two lost, two open."""
    today = workspace_today(ana.actor)
    for i, (amount, owner) in enumerate(
        [("1200", ana), ("3400", bruno), ("2100", ana), ("5600", bruno), ("800", ana),
         ("4100", bruno), ("2900", ana), ("3300", bruno)]
    ):  # fmt: skip
        day = (today - timedelta(days=5 + 40 * i)).isoformat()
        deal(ana.actor, f"Ganho {i}", amount, status="won", created=f"{day}T09:00",
             closed=f"{day}T15:00", owner_id=owner.user.pk)  # fmt: skip
    for i in range(2):
        day = (today - timedelta(days=10 + i)).isoformat()
        deal(ana.actor, f"Perdido {i}", "900", status="lost", created=f"{day}T09:00",
             closed=f"{day}T12:00")  # fmt: skip
        deal(ana.actor, f"Aberto {i}", "1500", status="open", created=f"{day}T09:00")


WORDS = {
    "pt-br": {"sales": "Vendas", "dashboards": "Painéis", "added": "Widget adicionado."},
    "en": {"sales": "Sales", "dashboards": "Dashboards", "added": "Widget added."},
}


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_a_dashboard_is_drawn_and_edited(page, ana, bruno, language):
    words = WORDS[language]
    _seed(ana, bruno)
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    page.add_init_script(COLLECT)
    problems = watch_problems(page)
    log_in(page, ana.user.email, PASSWORD)

    # 1. From the home page to the Sales dashboard.
    page.locator("#home-dashboards a.button").first.click()
    page.wait_for_url("**/insights/dashboards/*/")
    assert page.locator("h1").inner_text() == words["sales"]
    widgets = page.locator(".dashboard-grid .widget")
    assert widgets.count() == 8
    page.locator(".widget-chart canvas").first.wait_for()
    charts = page.locator("[data-widget-chart]")
    for i in range(charts.count()):
        charts.nth(i).locator("canvas").wait_for()
    # Every number links to the KPI behind it, with the widget's period.
    value = page.locator(".widget-value").first
    assert "/insights/kpis/win_rate/?period=custom" in (value.get_attribute("href") or "")
    # The PNG link is filled by the chart once drawn; the CSV is the server's.
    png = page.locator(".widget-png").first
    png.wait_for(state="visible")
    assert (png.get_attribute("href") or "").startswith("data:image/png;base64,")
    with page.expect_download() as csv_download:
        page.locator(".widget-csv").first.click()
    assert csv_download.value.suggested_filename.endswith(".csv")
    page.wait_for_timeout(300)
    screenshot(page, f"dashboard-sales-{language}")

    # 2. Edit: add a widget (a bar chart of deals won, weekly, over the last 90 days).
    page.locator("#dashboard-edit").click()
    page.wait_for_url("**?edit=1")
    page.select_option("#widget-kind", "bar")
    page.select_option("#widget-kpi", "deals_won")
    page.select_option("#widget-period", "last_90")
    page.select_option("#widget-width", "1")
    page.fill("#widget-title", "Ganhos / Won")
    with page.expect_navigation():
        page.locator("#widget-add").click()
    assert words["added"] in page.locator("ul.messages").inner_text()
    assert widgets.count() == 9
    added = widgets.last
    assert "Ganhos / Won" in (added.locator("h2").text_content() or "")
    added.locator("canvas").wait_for()
    added_id = (added.get_attribute("id") or "").removeprefix("widget-")

    # 3. Resize it to the whole row.
    page.select_option(f"#widget-{added_id}-width", "4")
    with page.expect_navigation():
        page.locator(f"#widget-{added_id}-resize").click()
    assert "width-4" in (page.locator(f"#widget-{added_id}").get_attribute("class") or "")

    # 4. Move it up one place (by keyboard: the button takes focus and Enter).
    page.locator(f"#widget-{added_id}-up").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    ids = [widgets.nth(i).get_attribute("id") for i in range(widgets.count())]
    assert ids[-2] == f"widget-{added_id}"

    # 5. Remove it.
    with page.expect_navigation():
        page.locator(f"#widget-{added_id}-remove").click()
    assert widgets.count() == 8
    assert page.locator(f"#widget-{added_id}").count() == 0

    # 6. The list of dashboards by scope.
    page.goto(page.base + "/insights/dashboards/")
    assert words["dashboards"] in page.locator("h1").inner_text()
    assert page.locator("#dashboards-workspace .report-link").count() == 4

    assert not violations(page)
    assert not problems, problems


OPTION = "(el) => window.echarts.getInstanceByDom(el).getOption()"


def test_the_management_dashboards_cohort_heat_map_in_portuguese(page, ana, carla):
    """The Management dashboard's cohort widget draws the cohort report's heat map (a canvas,
    twelve monthly cohorts, the offsets named in Portuguese), its title links to the report."""
    seed_purchases(ana, carla)
    ana.user.language = "pt-br"
    ana.user.save(update_fields=["language"])
    board = Dashboard.objects.for_workspace(ana.workspace).get(kind="management", is_default=True)
    widget = board.widgets.get(kind="cohort")
    page.add_init_script(COLLECT)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, ana.user.email, PASSWORD)
    page.goto(f"{page.base}/insights/dashboards/{board.pk}/")
    assert page.locator("h1").inner_text() == "Gestão"
    tile = page.locator(f"#widget-{widget.pk}")
    heat = tile.locator("[data-widget-chart]")
    heat.locator("canvas").first.wait_for()
    option = heat.evaluate(OPTION)
    assert option["series"][0]["type"] == "heatmap"
    assert option["xAxis"][0]["data"][:2] == ["Mês 0", "Mês 1"]
    assert len(option["yAxis"][0]["data"]) == 12  # the last twelve months' cohorts
    link = tile.locator("h2 a").get_attribute("href") or ""
    assert link.startswith("/insights/reports/cohort-retention/?basis=purchases&from=")
    png = tile.locator(".widget-png")
    png.wait_for(state="visible")
    assert (png.get_attribute("href") or "").startswith("data:image/png;base64,")
    tile.scroll_into_view_if_needed()
    screenshot(page, "dashboard-management-pt-br")
    assert not violations(page)
    assert not problems, problems
