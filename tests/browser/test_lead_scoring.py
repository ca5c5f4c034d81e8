# ruff: noqa: RUF001, RUF003  (the reasons say "2×" with a multiplication sign)
"""Lead scoring in a real browser, in pt-BR and in English: add a behaviour rule in Settings,
recompute, see the person on the top list and the score card on their page; train the model on
a history with a signal and see the calibration chart drawn on a canvas beside its table. No
request leaves our origin, nothing breaks the Content-Security-Policy, the console stays clean."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import log_in, screenshot
from tests.browser.screens import watch_problems
from tests.browser.test_csp import COLLECT, violations
from tests.conftest import PASSWORD
from tests.scoring.history import make_history
from vinculo.contacts import services as contacts
from vinculo.events.models import TrackedEvent

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = {
    "pt-br": {"reason": "+20: visitou páginas com “pricing” 2× nos últimos 30 dias",
              "auc": "AUC no holdout", "title": "Pontuação de leads"},
    "en": {"reason": "+20: visited pages with “pricing” 2× in the last 30 days",
           "auc": "Holdout AUC", "title": "Lead scoring"},
}  # fmt: skip


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_rules_score_card_and_calibration_chart(page, ana, language):
    words = WORDS[language]
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    joana = contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    now = timezone.now()
    TrackedEvent.objects.bulk_create(
        [
            TrackedEvent(workspace=ana.workspace, name="page_viewed", person=joana,
                         occurred_at=now - timedelta(minutes=m),
                         properties={"url": "https://ex.com/pricing"})
            for m in (5, 6)
        ]
    )  # fmt: skip
    make_history(ana, won=60, lost=60, signal=True)
    page.add_init_script(COLLECT)
    problems = watch_problems(page)
    log_in(page, ana.user.email, PASSWORD)

    # 1. A behaviour rule, added in Settings; recompute; Joana tops the list with her reason.
    page.goto(page.base + "/settings/scoring/")
    assert words["title"] in page.locator("h1").inner_text()
    page.fill("#id_name", "Pricing")
    page.select_option("#id_kind", "behaviour")
    page.fill("#id_points", "10")
    page.fill("#id_event_name", "page_viewed")
    page.fill("#id_property_key", "url")
    page.fill("#id_property_contains", "pricing")
    page.fill("#id_window_days", "30")
    page.locator("#rule-form button[type=submit]").click()
    page.wait_for_url(page.base + "/settings/scoring/")
    assert page.locator("#scoring-rules tbody tr").count() == 1
    page.locator("form[action$='/settings/scoring/recompute/'] button").first.click()
    page.wait_for_url(page.base + "/settings/scoring/")
    top = page.locator("#scoring-top tbody tr").first
    assert "Joana" in top.inner_text() and words["reason"] in top.inner_text()
    screenshot(page, f"lead-scoring-rules-{language}")

    # 2. The card on her page.
    page.goto(page.base + f"/people/{joana.pk}/")
    assert words["reason"] in page.locator("#lead-score").inner_text()

    # 3. Train: the status, the AUC and the calibration chart on a canvas beside its table.
    page.goto(page.base + "/settings/scoring/model/")
    page.locator("form[action$='/settings/scoring/train/'] button").click()
    page.wait_for_url(page.base + "/settings/scoring/model/")
    assert words["auc"] in page.locator("#model-status").inner_text()
    page.locator("#calibration-chart canvas").wait_for()
    assert page.locator("#calibration-table tbody tr").count() >= 2
    screenshot(page, f"lead-scoring-model-{language}")

    assert not violations(page)
    assert not problems, problems
