"""The customer-value screen and the person page's value card in a real browser, in pt-BR and in
English (issue 18): a workspace whose models are fitted shows the parameters, the chart of the
probability alive drawn on a canvas by ECharts (our own static file), the customers at risk with
their reason; recompute as of a date; the person page's card shows CLV, probability alive and
churn risk in words. Nothing breaks the Content-Security-Policy and the console stays clean."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.browser.test_csp import COLLECT, violations
from tests.conftest import PASSWORD
from tests.events.clv_data import DAY, many
from vinculo.events.models import CustomerValue
from vinculo.events.services.rfm import recompute_rfm

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "pt-br": {
        "title": "Valor do cliente",
        "at_risk": "Clientes em risco",
        "done": "Valor do cliente recalculado.",
        "alive": "Probabilidade de estar ativo",
        "reason": "Nenhuma compra",
    },
    "en": {
        "title": "Customer value",
        "at_risk": "Customers at risk",
        "done": "Customer value recomputed.",
        "alive": "Probability alive",
        "reason": "No purchase",
    },
}


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_the_customer_value_screen_and_card(page, ana, language):
    words = WORDS[language]
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    many(ana.actor)
    recompute_rfm(ana.actor, DAY)
    page.add_init_script(COLLECT)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    log_in(page, ana.user.email, PASSWORD)

    page.goto(page.base + "/customer-value/")
    assert words["title"] in page.locator("h1").inner_text()
    assert "r = " in page.locator("#clv-parameters").inner_text()
    page.locator("#p-alive-chart canvas").wait_for()
    assert words["at_risk"] in page.locator("#at-risk h2").inner_text()
    first = page.locator("#at-risk-table tbody tr").first
    assert words["reason"] in first.locator(".churn-reason").inner_text()
    page.wait_for_timeout(300)
    screenshot(page, f"customer-value-{language}")

    page.fill("#id_analysis_date", "2026-06-30")
    page.locator("#recompute-form button[type=submit]").click()
    page.wait_for_url(page.base + "/customer-value/")
    assert words["done"] in page.locator("body").inner_text()
    rows = CustomerValue.objects.for_workspace(ana.workspace)
    assert {str(d) for d in rows.values_list("analysis_date", flat=True)} == {"2026-06-30"}

    person = rows.filter(clv__isnull=False).order_by("-clv").first()
    assert person is not None
    page.goto(page.base + f"/people/{person.person_id}/")
    card = page.locator("#customer-value")
    assert words["alive"] in card.inner_text()
    assert card.locator(".clv").inner_text().startswith("R$")

    assert not violations(page)
    assert not problems, problems
