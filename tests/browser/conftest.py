"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against a live server.

Skipped when Chromium is not installed (CI installs it with apt). Screenshots of the main screens
are written to docs/img/ when VINCULO_SCREENSHOTS=1 (`make screenshots`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.browser import screens

CHROMIUM = os.environ.get("VINCULO_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "img"

# Playwright's sync API runs an event loop in this thread; the ORM calls our fixtures make are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    # A page load may wait on a busy 2-core machine (the live server's first request warms the
    # static files): navigation gets more time than an element does.
    page.set_default_navigation_timeout(30_000)
    page.base = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    """Save docs/img/<name>.png when asked (the README shows them)."""
    if os.environ.get("VINCULO_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def log_in(page, email: str, password: str) -> None:
    page.goto(page.base + "/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form:has(input[name=password]) button.primary")
    page.wait_for_url(page.base + "/")


@pytest.fixture
def every_screen(ana, settings):
    """Ana's workspace with one of everything, and the path of every screen with real ids
    (tests/browser/screens.py; walk them with ``screens.walk``). E-mail is on, so the password
    reset screens exist."""
    settings.EMAIL_ENABLED = True
    found = screens.screen_paths(ana, screens.seed(ana))
    assert not found.broken, "\n".join(found.broken)
    return found.paths
