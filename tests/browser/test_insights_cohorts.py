"""The cohort retention heat map and the activity-per-rep bars in a real browser, in pt-BR and
in English: from the overview, open each report, see the chart drawn on a canvas from the raw
numbers (the heat map's six cells of tests/events/cohort_seed.py, its month-offset labels in the
page's language) beside its table. No request leaves our origin, nothing breaks the
Content-Security-Policy and the console stays clean."""

from __future__ import annotations

import pytest

from tests.activities.activity_seed import JUNE, seed_activities
from tests.browser.conftest import log_in
from tests.browser.screens import watch_problems
from tests.browser.test_csp import COLLECT, violations
from tests.conftest import PASSWORD
from tests.events.cohort_seed import seed_purchases

pytestmark = pytest.mark.django_db(transaction=True)

OPTION = "(id) => window.echarts.getInstanceByDom(document.getElementById(id)).getOption()"


@pytest.mark.parametrize(("language", "month"), [("pt-br", "Mês 1"), ("en", "Month 1")])
def test_the_heat_map_and_the_bars(page, ana, bruno, carla, language, month):
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    seed_purchases(ana, carla)
    seed_activities(ana, bruno, carla)
    page.add_init_script(COLLECT)
    problems = watch_problems(page)
    log_in(page, ana.user.email, PASSWORD)
    page.goto(f"{page.base}/insights/")
    page.locator("#report-cohort-retention").click()
    page.wait_for_url("**/insights/reports/cohort-retention/**")
    page.goto(f"{page.base}/insights/reports/cohort-retention/?from=2026-01&to=2026-04")
    page.locator("#cohort-chart canvas").first.wait_for()
    option = page.evaluate(f"({OPTION})('cohort-chart')")
    # January 100, 66.7, 66.7, 0; March 100, 100 (February and April are empty).
    assert [cell[2] for cell in option["series"][0]["data"]] == [100, 66.7, 66.7, 0, 100, 100]
    assert option["xAxis"][0]["data"][1] == month
    assert page.locator("#report-table tbody tr").count() == 5  # four cohorts and all of them
    assert (
        page.locator("#report-csv")
        .get_attribute("href")
        .startswith("/insights/reports/cohort-retention/csv?")
    )
    page.goto(f"{page.base}/insights/reports/activity-per-rep/?period=custom&{JUNE}")
    page.locator("#activity-chart canvas").first.wait_for()
    bars = page.evaluate(f"({OPTION})('activity-chart')")
    assert bars["series"][0]["data"] == [2, 1, 0]  # calls: Ana, Bruno, Vera
    assert not violations(page)
    assert not problems, problems
