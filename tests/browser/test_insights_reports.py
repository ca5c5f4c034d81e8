"""The sales reports' screens in a real browser, in pt-BR and in English (issue 18 "Reports"):
from the overview (March 2026) open each report and see its chart drawn on a canvas beside its
table. No request leaves our origin, nothing breaks the Content-Security-Policy and the console
stays clean."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.browser.screens import watch_problems
from tests.browser.test_csp import COLLECT, violations
from tests.conftest import PASSWORD
from tests.insights.conftest import MARCH, seed_march

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_each_report_draws_its_chart(page, ana, bruno, carla, language):
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    seed_march(ana, bruno, carla)
    page.add_init_script(COLLECT)
    problems = watch_problems(page)
    log_in(page, ana.user.email, PASSWORD)
    for name, rows in (("pipeline-funnel", 6), ("sales-forecast", 10), ("win-loss", None)):
        page.goto(f"{page.base}/insights/?{MARCH}")
        page.locator(f"#report-{name}").click()
        page.wait_for_url(f"**/insights/reports/{name}/**")
        page.locator("#report-chart canvas").wait_for()
        if rows is not None:
            assert page.locator("#report-table tbody tr").count() == rows
        else:
            assert page.locator("#won-count").inner_text() == "4"
            assert page.locator("#owners-table tbody tr").count() == 2
    assert not violations(page)
    assert not problems, problems
