"""The home page's counters hold large amounts: on a desktop and on a phone, in Portuguese and
English, each value stays inside its card (no clipping, no overlap), a large amount is shown
short with the full amount in its title and for screen readers, a smaller one in full."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import PASSWORD
from vinculo.sales import services
from vinculo.sales.models import Stage

pytestmark = pytest.mark.django_db(transaction=True)

# Every counter's value inside its card; the cards apart; the values' text not cut.
LAYOUT = """() => {
  const cards = [...document.querySelectorAll(".counters .counter")];
  const problems = [];
  const rects = cards.map((c) => c.getBoundingClientRect());
  cards.forEach((card, i) => {
    const value = card.querySelector(".counter-value");
    const v = value.getBoundingClientRect();
    const c = rects[i];
    if (v.left < c.left || v.right > c.right + 0.5) problems.push(`value ${i} leaves its card`);
    if (value.scrollWidth > value.clientWidth + 1) problems.push(`value ${i} is cut`);
    if (c.right > window.innerWidth + 0.5) problems.push(`card ${i} leaves the screen`);
    rects.forEach((o, j) => {
      const apart = o.right <= c.left || c.right <= o.left
        || o.bottom <= c.top || c.bottom <= o.top;
      if (j > i && !apart) problems.push(`cards ${i} and ${j} overlap`);
    });
  });
  return problems;
}"""


# The value's text as seen (without the full amount kept for screen readers).
SHOWN = """(el) => [...el.childNodes]
  .filter((n) => !(n.classList && n.classList.contains("visually-hidden")))
  .map((n) => n.textContent).join("")"""


def _deal(ana: Any, amount: str) -> None:
    pipeline = services.ensure_default_pipeline(actor=ana.actor)
    stage = Stage.objects.filter(pipeline=pipeline).order_by("position").first()
    services.create_deal(
        actor=ana.actor, data={"title": "Rede de padarias", "amount": amount, "stage_id": stage.pk}
    )


def _plain(text: str) -> str:
    return text.replace("\xa0", " ").strip()  # babel separates with no-break spaces


def _counter(browser: Any, base: str, ana: Any, width: int, language: str) -> dict[str, Any]:
    ana.user.language = language
    ana.user.save(update_fields=["language"])
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="pt-BR")
    page = context.new_page()
    try:
        page.goto(base + "/login/")
        page.fill("input[name=username]", ana.user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("form:has(input[name=password]) button.primary")
        page.wait_for_url(base + "/")
        value = page.locator("#open-pipeline-amount")  # the open pipeline's counter
        return {
            "problems": page.evaluate(LAYOUT),
            "shown": _plain(value.evaluate(SHOWN)),
            "title": _plain(value.get_attribute("title") or ""),
            "spoken": [_plain(t) for t in value.locator(".visually-hidden").all_text_contents()],
            "page": page.evaluate("document.documentElement.scrollWidth"),
        }
    finally:
        context.close()


@pytest.mark.parametrize(
    ("language", "short", "full"),
    [("pt-br", "R$ 2,16 mi", "R$ 2.155.455,00"), ("en", "R$2.16M", "R$2,155,455.00")],
)
def test_a_large_pipeline_fits_its_counter(browser, live_server, ana, language, short, full):
    _deal(ana, "2155455.00")
    for width in (1440, 390):
        seen = _counter(browser, live_server.url, ana, width, language)
        assert seen["problems"] == [], (width, seen)
        assert seen["page"] <= width, (width, seen)
        assert seen["shown"] == short, seen
        assert seen["title"] == full, seen
        assert seen["spoken"] == [full], seen


def test_an_amount_under_a_million_is_shown_in_full_and_fits_a_phone(browser, live_server, ana):
    _deal(ana, "987654.32")
    for language, full in (("pt-br", "R$ 987.654,32"), ("en", "R$987,654.32")):
        for width in (1440, 390):
            seen = _counter(browser, live_server.url, ana, width, language)
            assert seen["problems"] == [], (width, language, seen)
            assert seen["shown"] == full and seen["title"] == full, seen
