"""A move on the board keeps the moved card in sight and offers to undo it (views and selector)."""

from __future__ import annotations

import re

from vinculo.sales import selectors, services
from vinculo.sales.models import Deal


def _deal(persona, **data) -> Deal:
    return services.create_deal(actor=persona.actor, data={"title": "Deal", **data})


def _column(page: str, stage_id: int) -> str:
    start = page.index(f'data-stage-id="{stage_id}" data-stage-kind')
    return page[start : page.find("</section>", start)]


def test_the_board_shows_a_pinned_deal_beyond_a_full_column(ana, carla, vendas):
    proposta = vendas["Proposta"]
    for n in range(3):
        _deal(ana, title=f"Pedido {n}", stage_id=proposta.pk)
    late = _deal(ana, title="O último", stage_id=proposta.pk)
    board = selectors.board(ana.actor, vendas.pipeline.pk, per_stage=3)
    column = next(c for c in board.columns if c.stage.pk == proposta.pk)
    assert late not in column.deals and column.count == 4
    board = selectors.board(ana.actor, vendas.pipeline.pk, per_stage=3, pinned=late.pk)
    column = next(c for c in board.columns if c.stage.pk == proposta.pk)
    assert column.deals[-1] == late and len(column.deals) == 4 and column.count == 4
    carlas = services.create_deal(
        actor=carla.actor,
        data={
            "title": "Da Carla",
            "stage_id": services.ensure_default_pipeline(actor=carla.actor).stages.first().pk,
        },
    )
    board = selectors.board(ana.actor, vendas.pipeline.pk, per_stage=3, pinned=carlas.pk)
    assert all(d.pk != carlas.pk for c in board.columns for d in c.deals)


def test_a_move_into_a_full_column_answers_the_card_and_an_undo(ana, vendas, monkeypatch):
    monkeypatch.setattr("vinculo.sales.views.PER_STAGE", 2)
    reuniao, proposta = vendas["Reunião"], vendas["Proposta"]
    for n in range(2):
        _deal(ana, title=f"Pedido {n}", stage_id=proposta.pk)
    deal = _deal(ana, title="Pães do hotel", amount="100", stage_id=reuniao.pk)
    response = ana.web(language="pt-br").post(
        f"/deals/{deal.pk}/move/?pipeline={vendas.pipeline.pk}",
        {"stage_id": proposta.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pães do hotel" in _column(page, proposta.pk)
    toast = page[page.index('class="toast"') : page.index("</form>", page.index('class="toast"'))]
    assert "Movido para Proposta" in toast
    assert f'action="/deals/{deal.pk}/move/"' in toast
    assert re.search(rf'name="stage_id" value="{reuniao.pk}"', toast)
    assert "Desfazer" in toast


def test_undoing_a_move_out_of_lost_brings_the_reason_back(ana, vendas):
    perdido, proposta = vendas["Perdido"], vendas["Proposta"]
    deal = _deal(ana, title="Café", stage_id=proposta.pk)
    price = vendas.reason("price")
    services.move_deal(
        actor=ana.actor,
        deal_id=deal.pk,
        stage_id=perdido.pk,
        lost_reason_id=price.pk,
        lost_note="caro",
    )
    client = ana.web()
    page = client.post(
        f"/deals/{deal.pk}/move/", {"stage_id": proposta.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'name="lost_reason_id" value="{price.pk}"' in page
    assert 'name="lost_note" value="caro"' in page
    assert re.search(rf'name="stage_id" value="{perdido.pk}"', page)
    # the toast's Undo posts these fields back to the same view
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": perdido.pk, "lost_reason_id": price.pk, "lost_note": "caro"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.stage_id == perdido.pk
    assert (deal.lost_reason, deal.lost_note) == (price, "caro")


def test_a_refused_move_offers_no_undo(ana, vendas):
    deal = _deal(ana, title="Café", stage_id=vendas["Proposta"].pk)
    response = ana.web().post(
        f"/deals/{deal.pk}/move/", {"stage_id": vendas["Perdido"].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'class="toast"' not in response.content.decode()


def test_without_javascript_the_moved_card_is_kept_on_the_board(ana, vendas, monkeypatch):
    monkeypatch.setattr("vinculo.sales.views.PER_STAGE", 2)
    reuniao, proposta = vendas["Reunião"], vendas["Proposta"]
    for n in range(2):
        _deal(ana, title=f"Pedido {n}", stage_id=proposta.pk)
    deal = _deal(ana, title="Pães do hotel", stage_id=reuniao.pk)
    back = f"/deals/?pipeline={vendas.pipeline.pk}&q="
    response = ana.web().post(
        f"/deals/{deal.pk}/move/", {"stage_id": proposta.pk, "next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"{back}&moved={deal.pk}"
    page = response.content.decode()
    assert "Pães do hotel" in _column(page, proposta.pk)
    assert "Pães do hotel moved to Proposta." in page
    # a page elsewhere is left as it was
    elsewhere = ana.web().post(
        f"/deals/{deal.pk}/move/", {"stage_id": reuniao.pk, "next": f"/deals/{deal.pk}/"}
    )
    assert elsewhere["Location"] == f"/deals/{deal.pk}/"
