"""The deal board in a real browser: drag a card to another stage and see it stick."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts.models import Company
from vinculo.sales import services
from vinculo.sales.models import Deal, Stage

pytestmark = pytest.mark.django_db(transaction=True)


def test_drag_a_deal_to_another_stage(page, ana):
    pipeline = services.ensure_default_pipeline(actor=ana.actor)
    stages = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
    padaria = Company.objects.create(workspace=ana.workspace, name="Padaria Aurora")
    deal = services.create_deal(
        actor=ana.actor,
        data={
            "title": "Pães para o hotel",
            "amount": "1250.00",
            "stage_id": stages["Reunião"].pk,
            "company_id": padaria.pk,
        },
    )
    services.create_deal(
        actor=ana.actor,
        data={"title": "Bolos de festa", "amount": "480.00", "stage_id": stages["Proposta"].pk},
    )
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/deals/")
    card = page.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    target = page.locator(f'.board-column[data-stage-id="{stages["Negociação"].pk}"]')
    assert card.count() == 1
    screenshot(page, "board-pt")

    card.drag_to(target.locator(".board-cards"))
    # the server re-renders the board: the card is in its new column with the column's totals
    page.wait_for_selector(
        f'.board-column[data-stage-id="{stages["Negociação"].pk}"] '
        f'.deal-card[data-deal-id="{deal.pk}"]:not(.moving)'
    )
    assert target.locator(".column-count").inner_text() == "1"
    page.reload()
    assert target.locator(f'.deal-card[data-deal-id="{deal.pk}"]').count() == 1
    deal.refresh_from_db()
    assert deal.stage_id == stages["Negociação"].pk

    page.click(".language-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "Deals"
    assert "R$1,250.00" in target.inner_text()
    screenshot(page, "board-en")
    assert Deal.objects.filter(stage=stages["Reunião"]).count() == 0


def test_a_card_dropped_on_a_full_column_stays_in_sight_with_an_undo(page, ana):
    """A column already shows its 20 cards: the dropped card is still there, both columns'
    counts and totals follow, a toast confirms the move and its Undo moves the deal back."""
    page.set_default_timeout(30_000)
    pipeline = services.ensure_default_pipeline(actor=ana.actor)
    stages = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
    reuniao, negociacao = stages["Reunião"], stages["Negociação"]
    for n in range(22):
        services.create_deal(
            actor=ana.actor,
            data={"title": f"Pedido {n}", "amount": "100.00", "stage_id": negociacao.pk},
        )
    deal = services.create_deal(
        actor=ana.actor,
        data={"title": "Pães para o hotel", "amount": "1000.00", "stage_id": reuniao.pk},
    )
    services.create_deal(
        actor=ana.actor,
        data={"title": "Bolos de festa", "amount": "500.00", "stage_id": reuniao.pk},
    )
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/deals/")
    source = page.locator(f'.board-column[data-stage-id="{reuniao.pk}"]')
    target = page.locator(f'.board-column[data-stage-id="{negociacao.pk}"]')
    assert target.locator(".deal-card").count() == 20
    assert target.locator(".column-count").inner_text() == "22"

    page.locator(f'.deal-card[data-deal-id="{deal.pk}"]').drag_to(target.locator(".column-head"))
    # the server re-rendered the board (the counts moved)...
    count = f'.board-column[data-stage-id="{negociacao.pk}"] .column-count'
    # A function, not an expression: an expression is eval'd, which the page's CSP refuses.
    page.wait_for_function(
        "sel => document.querySelector(sel).textContent.trim() === '23'", arg=count
    )
    # ...and the 21st card of the column is shown, brought into the viewport
    card = target.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    assert card.is_visible()
    assert card.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }"
    )
    assert target.locator(".column-count").inner_text() == "23"
    assert source.locator(".column-count").inner_text() == "1"
    # 22 x 100 + 1000 = 3.200, weighted at Negociação's 75 %; Reunião keeps the 500 (at 25 %)
    assert "R$\xa03.200,00" in target.locator(".column-total").inner_text()
    assert "R$\xa02.400,00" in target.locator(".weighted").inner_text()
    assert "R$\xa0500,00" in source.locator(".column-total .amount").inner_text()
    assert "R$\xa0125,00" in source.locator(".weighted").inner_text()
    toast = page.locator("#board-toast .toast")
    assert "Movido para Negociação" in toast.inner_text()
    deal.refresh_from_db()
    assert deal.stage_id == negociacao.pk

    toast.get_by_role("button", name="Desfazer").click()
    back = f'.board-column[data-stage-id="{reuniao.pk}"] .deal-card[data-deal-id="{deal.pk}"]'
    page.wait_for_selector(back + ":not(.moving)")
    page.wait_for_function(
        "sel => document.querySelector(sel).textContent.trim() === '2'",
        arg=f'.board-column[data-stage-id="{reuniao.pk}"] .column-count',
    )
    assert target.locator(".column-count").inner_text() == "22"
    assert "Movido para Reunião" in page.locator("#board-toast .toast").inner_text()
    deal.refresh_from_db()
    assert deal.stage_id == reuniao.pk
