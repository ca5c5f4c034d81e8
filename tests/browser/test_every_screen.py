"""Every screen of the product (tests/browser/screens.py), in a real browser: nothing is loaded
from another origin, nothing logs a console error, and at 390 px (a phone) nothing overflows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.screens import walk

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = 390
TOP_BAR = ("#global-search", ".quick-create summary", ".account-toggle", ".nav-toggle")

# The page is wider than the screen, or an element sticks out of it without being inside a box
# that scrolls (overflow-x auto/scroll) or clips (hidden/clip) it: the outermost such element.
# ``width`` is the phone's: a mobile browser widens its layout viewport (innerWidth) to fit an
# overflowing page, so innerWidth would hide the very defect.
OVERFLOW = """(width) => {
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page}px wide`);
  const contained = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return true;
    }
    return false;
  };
  // not rendered (closed <details>, display:none) or parked left of the page (a honeypot)
  const sticksOut = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && el.checkVisibility()
      && (r.right > width + 1 || r.left < -1);
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + [...el.classList].map((c) => "." + c).join("");
  for (const el of document.body.querySelectorAll("*")) {
    if (!sticksOut(el) || contained(el)) continue;
    if (el.parentElement && el.parentElement !== document.body && sticksOut(el.parentElement)
        && !contained(el.parentElement)) continue;
    const r = el.getBoundingClientRect();
    problems.push(`${name(el)} spans ${Math.round(r.left)}..${Math.round(r.right)}px`);
  }
  return problems;
}"""


def test_no_screen_loads_from_another_origin_or_logs_an_error(page, ana, every_screen):
    assert len(every_screen) > 50, every_screen
    failures = walk(page, ana, every_screen, lambda page: [])
    assert not failures, "\n".join(failures)


def test_every_screen_fits_a_phone(browser, live_server, ana, every_screen):
    context = browser.new_context(
        viewport={"width": PHONE, "height": 844}, locale="pt-BR", is_mobile=True, has_touch=True
    )
    page: Any = context.new_page()
    page.set_default_timeout(10_000)
    page.set_default_navigation_timeout(30_000)
    page.base = live_server.url

    def fits(page: Any) -> list[str]:
        problems: list[str] = page.evaluate(OVERFLOW, PHONE)
        # the top bar keeps search, "+" and the account menu on screen
        for control in TOP_BAR:
            box = page.locator(control).bounding_box() if page.locator(control).count() else None
            if box is not None and not (box["x"] >= 0 and box["x"] + box["width"] <= PHONE):
                problems.append(f"{control} is off screen")
        # no search box squashed beside its toolbar's other controls
        for width in page.eval_on_selector_all(
            "main input[type=search]",
            "(all) => all.filter((e) => e.checkVisibility())"
            ".map((e) => e.getBoundingClientRect().width)",
        ):
            if width < PHONE / 2:
                problems.append(f"a search box is {round(width)}px wide")
        # the menu button shows the navigation
        if page.locator(".nav-toggle").count() and not page.locator(".sidenav").is_visible():
            page.click(".nav-toggle")
            if not page.locator(".sidenav").is_visible():
                problems.append("the menu button does not show the navigation")
            page.click(".nav-toggle")
        return problems

    try:
        failures = walk(page, ana, every_screen, fits, watch=False)
    finally:
        context.close()
    assert not failures, "\n".join(failures)
