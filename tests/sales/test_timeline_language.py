"""Deal entries on the timeline (created, stage changes, won, lost with its reason, bin and
restore, a move when a stage is deleted) are kept as a message and its parameters and read in
the reader's language, whatever the language of whoever wrote them (issue 14, item 10)."""

from __future__ import annotations

from django.utils import translation

from vinculo.activities.models import TimelineEntry
from vinculo.sales import services


def _deal_history(ana, vendas, language: str):
    """Everything a deal's timeline can say, written in ``language``; returns the two deals."""
    with translation.override(language):
        deal = services.create_deal(actor=ana.actor, data={"title": "Bolo"})
        services.move_deal(actor=ana.actor, deal_id=deal.pk, stage_id=vendas["Ganho"].pk)
        services.move_deal(
            actor=ana.actor,
            deal_id=deal.pk,
            stage_id=vendas["Perdido"].pk,
            lost_reason_id=vendas.reason("price").pk,
            lost_note="caro",
        )
        services.delete_deal(actor=ana.actor, deal_id=deal.pk)
        services.restore_deal(actor=ana.actor, deal_id=deal.pk)
        other = services.create_deal(
            actor=ana.actor, data={"title": "Torta", "stage_id": vendas["Reunião"].pk}
        )
        services.delete_stage(
            actor=ana.actor, stage_id=vendas["Reunião"].pk, move_deals_to=vendas["Proposta"].pk
        )
    return deal, other


PORTUGUESE = [
    "Negócio Bolo criado na etapa Qualificação",
    "Negócio Bolo ganho (Qualificação → Ganho)",
    "Negócio Bolo perdido (Ganho → Perdido): Preço: caro",
    "Negócio Bolo movido para a lixeira",
    "Negócio Bolo restaurado da lixeira",
]
ENGLISH = [
    "Deal Bolo created in Qualificação",
    "Deal Bolo won (Qualificação → Ganho)",
    "Deal Bolo lost (Ganho → Perdido): Price: caro",
    "Deal Bolo moved to the bin",
    "Deal Bolo restored from the bin",
]


def _lines(ana, language: str, deal_id: int) -> tuple[str, list[str]]:
    page = ana.web(language=language).get(f"/deals/{deal_id}/").content.decode()
    api = ana.client(language).get(f"/api/v1/deals/{deal_id}/timeline").json()
    return page, [e["summary"] for e in api["items"]]


def test_deal_entries_written_in_english_read_in_portuguese(ana, vendas):
    deal, other = _deal_history(ana, vendas, "en")
    assert TimelineEntry.objects.get(kind="deal.deleted").summary == "Deal Bolo moved to the bin"
    page, api = _lines(ana, "pt-br", deal.pk)
    for line in PORTUGUESE:
        assert line in page and line in api
    assert "Deal Bolo" not in page and not any("Deal" in s for s in api)
    page, api = _lines(ana, "pt-br", other.pk)
    assert "Movido de Reunião para Proposta (etapa excluída)" in api
    assert "Movido de Reunião para Proposta (etapa excluída)" in page


def test_deal_entries_written_in_portuguese_read_in_english(ana, vendas):
    deal, other = _deal_history(ana, vendas, "pt-br")
    page, api = _lines(ana, "en", deal.pk)
    for line in ENGLISH:
        assert line in page and line in api
    assert "Negócio" not in page and not any("Negócio" in s for s in api)
    _page, api = _lines(ana, "en", other.pk)
    assert "Moved from Reunião to Proposta (stage deleted)" in api


def test_old_deal_entries_stored_as_text_still_read(ana, vendas):
    deal = services.create_deal(actor=ana.actor, data={"title": "Bolo"})
    TimelineEntry.objects.filter(deal=deal).update(summary="Negócio Bolo criado", data={})
    page, api = _lines(ana, "en", deal.pk)
    assert "Negócio Bolo criado" in page and "Negócio Bolo criado" in api
