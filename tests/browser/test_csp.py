"""The Content-Security-Policy (issue 15, item 9) in a real browser, in pt-BR: on every screen
nothing is refused (a refused style, script or handler would be a broken screen), including
htmx's swaps, the API documentation's Swagger UI and the hosted web form."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import log_in
from tests.browser.screens import walk
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

# Every refusal on the page, collected from the first script on (violations also show as
# console errors, which screens.walk fails on too).
COLLECT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} refused ${e.blockedURI || "inline"} `
    + `(${e.sourceFile || "?"}:${e.lineNumber}) ${e.sample || ""}`.trim()
  );
});
"""


def violations(page: Any) -> list[str]:
    return list(page.evaluate("() => window.__cspViolations || []"))


def test_no_screen_breaks_the_content_security_policy(page, ana, every_screen):
    assert len(every_screen) > 50, every_screen
    page.add_init_script(COLLECT)
    seen: dict[str, str] = {}

    def check(page: Any) -> list[str]:
        seen[page.url] = page.locator("html").get_attribute("lang") or ""
        return violations(page)

    failures = walk(page, ana, every_screen, check)
    assert not failures, "\n".join(failures)
    assert set(seen.values()) == {"pt-br"}, seen  # walked in Portuguese
    assert any("/api/v1/docs" in url for url in seen)
    assert any("/f/" in url for url in seen)  # the hosted web form


def test_swagger_ui_runs_under_the_policy(page, ana):
    page.add_init_script(COLLECT)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    log_in(page, ana.user.email, PASSWORD)
    page.set_default_timeout(60_000)  # Swagger UI renders ~170 operations: slow on a busy machine
    response = page.goto(page.base + "/api/v1/docs")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    page.locator(".opblock-summary").first.click(no_wait_after=True)  # open an operation
    page.locator(".opblock-body").first.wait_for()
    page.locator(".try-out__btn").first.click(no_wait_after=True)
    # call the API from the page (connect-src 'self')
    page.locator(".execute").first.click(no_wait_after=True)
    page.locator(".responses-table .response-col_status").first.wait_for()
    assert not violations(page)
    assert not errors


def test_htmx_swaps_and_confirmations_run_under_the_policy(page, ana):
    page.add_init_script(COLLECT)
    log_in(page, ana.user.email, PASSWORD)
    # htmx keeps its indicator rules out of the page (app.css has them)
    page.goto(page.base + "/people/")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    assert page.locator("style").count() == 0
    # a search refreshes the table through htmx
    page.fill("input[name=q]", "zz-nobody")
    page.wait_for_timeout(600)
    page.wait_for_load_state("networkidle")
    # a form that used an inline onsubmit asks through app.js now; refusing keeps the record
    page.goto(page.base + "/settings/tokens/")
    asked: list[str] = []

    def dismiss(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.locator("form[data-confirm] button[type=submit]").first.click()
    assert asked  # the revocation asked first, and was refused
    assert page.url.endswith("/settings/tokens/")
    assert not violations(page)


def test_the_hosted_form_hides_its_honeypot_without_a_style_attribute(page, ana, every_screen):
    hosted = next(path for path in every_screen if path.startswith("/f/"))
    page.add_init_script(COLLECT)
    page.goto(page.base + hosted)
    box = page.locator("[data-vinculo-hp]").bounding_box()
    assert box is not None and box["x"] + box["width"] < 0
    assert not violations(page)
