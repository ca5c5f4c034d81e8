"""The sales screens at 1440 px: nothing is cut off on the right (the deal page's line items and
stage history were; the deal table, forms, settings and the deals card of the 360° pages too)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from vinculo.contacts.models import Company, Person
from vinculo.sales import services
from vinculo.sales.models import LostReason, Stage

pytestmark = pytest.mark.django_db(transaction=True)

# Every element whose content is wider than its box (scrolled or clipped), and every element
# that reaches past the viewport's right edge: a description of each, empty when all fits.
# ``boxes``: selectors of boxes made to scroll sideways (the board's columns), left out.
OVERFLOWS = """(boxes) => {
  boxes = boxes || [];
  const width = document.documentElement.clientWidth;
  const found = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (el.classList.length ? "." + [...el.classList].join(".") : "");
  for (const el of document.querySelectorAll("#content *")) {
    const style = getComputedStyle(el);
    if (["none", "inline"].includes(style.display) || style.position === "fixed") continue;
    if (el.closest(".visually-hidden, details:not([open]) > :not(summary)")) continue;
    if (el.matches("input, textarea, select, option")) continue; // text scrolls inside a field
    if (boxes.some((box) => el.closest(box))) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      found.push(`${name(el)} scrollWidth ${el.scrollWidth} > clientWidth ${el.clientWidth}`);
    const right = el.getBoundingClientRect().right;
    if (right > width + 1) found.push(`${name(el)} right ${Math.round(right)} > viewport ${width}`);
  }
  if (document.documentElement.scrollWidth > width)
    found.push(`page scrollWidth ${document.documentElement.scrollWidth} > ${width}`);
  return found;
}"""


def _long_deal(ana):
    pipeline = services.ensure_default_pipeline(actor=ana.actor)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    company = Company.objects.create(
        workspace=ana.workspace, name="Distribuidora de Alimentos Nordeste Atacadista Ltda."
    )
    person = Person.objects.create(
        workspace=ana.workspace, first_name="Maria Aparecida", last_name="dos Santos Gonçalves"
    )
    deal = services.create_deal(
        actor=ana.actor,
        data={
            "title": "Fornecimento anual de pães especiais para a rede de hotéis",
            "stage_id": stages[0].pk,
            "company_id": company.pk,
            "person_id": person.pk,
            "line_items": [
                {
                    "name": "Pão de fermentação natural integral com castanhas (caixa)",
                    "quantity": "125.5",
                    "unit_price": "12345.67",
                    "discount_percent": "12.5",
                },
                {"name": "Bolo", "quantity": "3", "unit_price": "99.90"},
            ],
        },
    )
    for stage in stages[1:4]:
        services.move_deal(actor=ana.actor, deal_id=deal.pk, stage_id=stage.pk)
    return deal


@pytest.mark.parametrize(("width", "language"), [(1440, "pt-BR"), (1440, "en"), (1280, "pt-BR")])
def test_nothing_on_the_deal_page_is_cut_off(browser, live_server, ana, width, language):
    deal = _long_deal(ana)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale=language)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.base = live_server.url
    try:
        log_in(page, ana.user.email, PASSWORD)
        if language == "en":
            ana.user.language = "en"
            ana.user.save(update_fields=["language"])
        page.goto(f"{page.base}/deals/{deal.pk}/")
        assert page.locator("table.line-items tbody tr").count() == 2
        assert page.locator("table.stage-history tbody tr").count() == 4
        assert page.evaluate(OVERFLOWS) == []
        # the Total column and the history's last column are inside the viewport, visible
        for cell in ("table.line-items tfoot th.num", "table.stage-history tbody tr td:last-child"):
            box = page.locator(cell).first.bounding_box()
            assert box is not None and box["x"] + box["width"] <= width
    finally:
        context.close()


def test_no_sales_screen_is_cut_off_at_1440(browser, live_server, ana):
    deal = _long_deal(ana)
    other = services.create_deal(
        actor=ana.actor,
        data={
            "title": "Cestas de Natal para os funcionários da distribuidora (pedido grande)",
            "amount": "98765.43",
            "stage_id": deal.stage_id,
            "company_id": deal.company_id,
            "person_id": deal.person_id,
        },
    )
    lost = Stage.objects.get(pipeline=deal.pipeline, kind="lost")
    competitor = LostReason.objects.get(pipeline=deal.pipeline, code="competitor")
    services.move_deal(
        actor=ana.actor,
        deal_id=other.pk,
        stage_id=lost.pk,
        lost_reason_id=competitor.pk,
        lost_note="Escolheu o concorrente",
    )
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="pt-BR")
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.base = live_server.url
    try:
        log_in(page, ana.user.email, PASSWORD)
        screens = [
            "/deals/",
            "/deals/list/",
            "/deals/new/",
            f"/deals/{other.pk}/",
            f"/companies/{deal.company_id}/",
            f"/people/{deal.person_id}/",
            "/settings/pipelines/",
            f"/settings/pipelines/{deal.pipeline_id}/",
        ]
        found = {}
        for path in screens:
            page.goto(live_server.url + path)
            overflows = page.evaluate(OVERFLOWS, [".board"])
            if overflows:
                found[path] = overflows
        assert found == {}
    finally:
        context.close()
