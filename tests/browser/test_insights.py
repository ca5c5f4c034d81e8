"""The insights screens in a real browser, in pt-BR and in English (issue 18): pick March 2026 on
the overview, see the cards with their numbers and a sparkline drawn on a canvas, open a KPI, see
its chart, group it by owner (a bar chart and a table of the owners). No request leaves our
origin (ECharts is our own static file), nothing breaks the Content-Security-Policy and the
console stays clean."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.screens import watch_problems
from tests.browser.test_csp import COLLECT, violations
from tests.conftest import PASSWORD
from tests.insights.conftest import seed_march

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "pt-br": {"won": "Negócios ganhos", "revenue": "R$\xa06.000,00", "sales": "Vendas"},
    "en": {"won": "Deals won", "revenue": "R$6,000.00", "sales": "Sales"},
}


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_insights_cards_charts_and_a_kpi_by_owner(page, ana, bruno, carla, language):
    words = WORDS[language]
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    seed_march(ana, bruno, carla)
    page.add_init_script(COLLECT)
    problems = watch_problems(page)
    log_in(page, ana.user.email, PASSWORD)

    # 1. The navigation leads to the overview; March is a custom period.
    page.locator("nav.sidenav a[data-icon=insights]").click()
    page.wait_for_url(page.base + "/insights/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("#period-from").is_hidden()  # only for a custom period
    page.select_option("#period-select", "custom")
    page.fill("#period-from", "2026-03-01")
    page.fill("#period-to", "2026-03-31")
    page.locator("#period-form button[type=submit]").click()
    page.wait_for_url("**/insights/?period=custom&from=2026-03-01&to=2026-03-31")

    # 2. The cards, grouped by app, with their numbers and a sparkline on a canvas.
    assert words["sales"] in page.locator("#kpis-sales h2").inner_text()
    won = page.locator("#kpi-deals_won")
    assert words["won"] in won.locator(".kpi-name").text_content()
    assert won.locator(".kpi-value").inner_text() == "4"
    assert won.locator(".kpi-change.good").count() == 1
    assert page.locator("#kpi-new_revenue .kpi-value").inner_text() == words["revenue"]
    won.locator("[data-sparkline] canvas").wait_for()
    assert page.locator("[data-sparkline] canvas").count() == page.locator(".kpi-card").count()
    page.wait_for_timeout(300)  # the charts' animation, for the screenshot
    screenshot(page, f"insights-overview-{language}")

    # 3. One KPI: its chart, its table, the previous period.
    won.click()
    page.wait_for_url("**/insights/kpis/deals_won/?period=custom&from=2026-03-01&to=2026-03-31")
    page.locator("#series-chart canvas").wait_for()
    assert page.locator("#kpi-value").inner_text() == "4"
    assert page.locator("#kpi-previous").inner_text() == "1"
    assert page.locator("#series-table tbody tr").count() == 31  # day by day in March
    pt_locale = page.locator("script[src*='langPT-br.js']").count()
    assert pt_locale == (1 if language == "pt-br" else 0)

    # 4. Grouped by owner: a bar per owner and the table, largest first.
    page.select_option("#kpi-grain", "week")
    page.select_option("#kpi-group-by", "owner")
    page.locator("#kpi-form button[type=submit]").click()
    page.wait_for_url("**group_by=owner**")
    page.locator("#groups-chart canvas").wait_for()
    owners = page.locator("#groups-table tbody tr")
    assert owners.count() == 2
    assert (ana.user.full_name or ana.user.email) in owners.nth(0).inner_text()
    assert (bruno.user.full_name or bruno.user.email) in owners.nth(1).inner_text()
    assert page.locator("#series-table tbody tr").count() == 6  # weeks of March
    box: Any = page.locator("#groups-chart").bounding_box()
    assert box and box["height"] >= 160
    page.wait_for_timeout(300)
    screenshot(page, f"insights-kpi-{language}")

    assert not violations(page)
    assert not problems, problems
