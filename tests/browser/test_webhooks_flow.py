"""An owner in a real browser: opens the integrations hub, creates a webhook (secret shown
once), sends a test event, sees it delivered in the log, opens it and redelivers it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from tests.webhooks.conftest import receiver  # noqa: F401  (the fixture)
from vinculo.core.worker import run_burst
from vinculo.integrations.models import WebhookAttempt, WebhookSubscription

pytestmark = pytest.mark.django_db(transaction=True)


def test_webhook_flow(page, ana, receiver):  # noqa: F811  (the imported fixture)
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/integrations/")
    page.click("#hub-webhooks a.button")
    page.wait_for_url("**/integrations/webhooks/")
    page.click("a[href$='/integrations/webhooks/new/']")
    page.fill("#id_name", "ERP da padaria")
    page.fill("#id_url", receiver.url)
    page.check("input[name=event_types][value='person.created']")
    page.fill("#id_condition", '{"field": "tags", "op": "has_any", "value": ["vip"]}')
    page.click("#webhook-form button.primary")
    page.wait_for_selector("#webhook-secret")
    sub = WebhookSubscription.objects.get()
    assert sub.secret in page.inner_text("#webhook-secret")
    assert sub.condition == {"field": "tags", "op": "has_any", "value": ["vip"]}

    page.click("#send-ping")
    page.wait_for_selector("#delivery-table [data-delivery]")
    run_burst(mode="db")
    assert [r.headers["Vinculo-Event"] for r in receiver.requests] == ["webhook.ping"]
    # the log refreshes itself (htmx, every 5 s) and shows the delivery as delivered
    page.wait_for_selector("#delivery-table .badge.ok", timeout=15_000)
    screenshot(page, "webhooks-detail-pt")

    page.click("#delivery-table [data-delivery] a")
    page.wait_for_selector("[data-attempt='1']")
    assert "Vinculo-Signature" in page.inner_text("[data-attempt='1']")
    page.click("#redeliver")
    page.wait_for_load_state()
    run_burst(mode="db")
    page.wait_for_selector("[data-attempt='2']", timeout=15_000)
    assert WebhookAttempt.objects.filter(manual=True).count() == 2  # ping + redelivery
    assert len(receiver.requests) == 2
