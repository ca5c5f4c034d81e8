"""Marking a deal lost in a real browser: the board's dialog offers the pipeline's reasons,
"Other" needs a note, and the deal keeps the reason and the note."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.sales import services
from vinculo.sales.models import Deal, LostReason, Stage

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_board_asks_for_a_listed_reason_and_other_needs_a_note(page, ana):
    pipeline = services.ensure_default_pipeline(actor=ana.actor)
    stages = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
    deal = services.create_deal(
        actor=ana.actor,
        data={"title": "Bolo de casamento", "amount": "900.00", "stage_id": stages["Proposta"].pk},
    )
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/deals/")
    card = page.locator(f'.deal-card[data-deal-id="{deal.pk}"]')
    # The card's "Move to…" form (the keyboard's way; a drag to the column does the same).
    card.locator(".move-to summary").click()
    card.locator("select[name=stage_id]").select_option(str(stages["Perdido"].pk))
    card.locator(".move-form button[type=submit]").click()

    dialog = page.locator("#lost-dialog")
    dialog.wait_for(state="visible")
    options = dialog.locator("select[name=lost_reason_id] option").all_inner_texts()
    assert options[1:] == [
        "Preço", "Escolheu um concorrente", "Sem orçamento", "Sem resposta / momento",
        "Fora do perfil", "Outro (diga o motivo)",
    ]  # fmt: skip
    dialog.locator("select[name=lost_reason_id]").select_option(label="Outro (diga o motivo)")
    dialog.locator("button[value=ok]").click()
    assert dialog.is_visible()  # "Other" without a note: the browser keeps the dialog open
    dialog.locator("input[name=lost_note]").fill("Fechou a loja")
    screenshot(page, "board-lost-dialog-pt")
    dialog.locator("button[value=ok]").click()
    page.wait_for_selector(
        f'.board-column[data-stage-id="{stages["Perdido"].pk}"] '
        f'.deal-card[data-deal-id="{deal.pk}"]:not(.moving)'
    )
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason.code, deal.lost_note) == (
        "lost",
        "other",
        "Fechou a loja",
    )

    page.goto(page.base + f"/deals/{deal.pk}/")
    assert "Outro (diga o motivo) — Fechou a loja" in page.inner_text("#deal-lost-reason")


def test_the_deal_page_marks_lost_with_a_listed_reason(page, ana):
    pipeline = services.ensure_default_pipeline(actor=ana.actor)
    stage = Stage.objects.get(pipeline=pipeline, name="Reunião")
    deal = services.create_deal(
        actor=ana.actor, data={"title": "Coffee break", "stage_id": stage.pk}
    )
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + f"/deals/{deal.pk}/")
    page.click(".mark-lost summary")
    page.select_option("#lost_reason_id", label="Escolheu um concorrente")
    page.click(".mark-lost button[type=submit]")
    page.wait_for_selector("#deal-lost-reason")
    deal.refresh_from_db()
    assert deal.lost_reason == LostReason.objects.get(pipeline=pipeline, code="competitor")
    assert Deal.objects.get(pk=deal.pk).status == "lost"
