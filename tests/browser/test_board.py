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
