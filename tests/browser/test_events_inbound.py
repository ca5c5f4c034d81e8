"""An owner in a real browser: creates an inbound webhook endpoint from the e-commerce preset,
tests the mapping with the sample payload, saves it; the shop posts an order to the public URL;
the receipt log and the events page show it."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.events.models import InboundEndpoint
from vinculo.events.presets import PRESETS

pytestmark = pytest.mark.django_db(transaction=True)


def test_inbound_endpoint_flow(page, ana):
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/events/inbound/")
    page.click("a[href$='?preset=ecommerce_order']")
    page.wait_for_selector("#endpoint-form")
    page.click("#endpoint-form button[name=preview]")
    page.wait_for_selector("#mapping-preview")
    assert "199.80" in page.inner_text("#mapping-preview")
    page.fill("#id_name", "Loja virtual")
    page.click("#endpoint-form button.primary")
    page.wait_for_selector("#endpoint-url code")
    endpoint = InboundEndpoint.objects.get()

    body = json.dumps(PRESETS["ecommerce_order"].sample).encode()
    request = urllib.request.Request(  # noqa: S310 (the live test server, http)
        f"{page.base}/hooks/in/{endpoint.token}",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (live test server)
        assert response.status == 200

    page.reload()
    page.wait_for_selector("#receipts td a")
    screenshot(page, "events-inbound")
    page.goto(page.base + "/events/")
    page.wait_for_selector("#events-table >> text=Joana")
    assert "1001" in page.inner_text("#events-table")
