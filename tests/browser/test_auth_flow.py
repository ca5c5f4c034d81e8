"""Signing in, in a real browser: an invitation accepted by a newcomer, the lockout page after
too many wrong passwords, and the two-factor QR code drawn on the page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.core.tenancy import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_invitation_lockout_and_two_factor_screens(browser, page, ana, live_server):
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/settings/members/")
    page.fill("#id_email", "nina@aurora.test")
    page.click("form[action$='/members/add/'] button.primary")
    link = page.locator("#invitation-link").inner_text()
    assert page.locator("#invitations >> text=nina@aurora.test").is_visible()

    # The QR code of the two-factor set-up is drawn on the page (inline SVG).
    page.goto(page.base + "/account/two-factor/")
    box = page.locator(".qr svg").bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    screenshot(page, "two-factor-pt")

    # A newcomer opens the link in another browser and chooses a password.
    other = browser.new_context(locale="pt-BR")
    newcomer = other.new_page()
    newcomer.goto(live_server.url + urlsplit(link).path)
    newcomer.fill("#id_full_name", "Nina Reis")
    newcomer.fill("#id_new_password1", "senha-da-nina-2026")
    newcomer.fill("#id_new_password2", "senha-da-nina-2026")
    newcomer.click("form:has(#id_new_password1) button.primary")
    newcomer.wait_for_url(live_server.url + "/")
    assert newcomer.locator(".message >> text=Padaria Aurora").is_visible()
    assert Membership.objects.filter(workspace=ana.workspace, user__email="nina@aurora.test")
    other.close()

    # Ten wrong passwords: the page says sign-in is blocked and for how long.
    guesser = browser.new_context(locale="pt-BR").new_page()
    for attempt in range(10):
        guesser.goto(live_server.url + "/login/")
        guesser.fill("input[name=username]", ana.user.email)
        guesser.fill("input[name=password]", f"errada-{attempt}")
        guesser.click("form:has(input[name=password]) button.primary")
    alert = guesser.locator("[role=alert]")
    assert "15 minutos" in alert.inner_text()
    screenshot(guesser, "locked-out-pt")
