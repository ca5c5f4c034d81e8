"""The deal screens (server-rendered): board, moves, table, form and the deal page."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from vinculo.sales import services
from vinculo.sales.models import Deal, StageChange

NBSP = "\xa0"


def _deal(persona, **data) -> Deal:
    return services.create_deal(actor=persona.actor, data={"title": "Deal", **data})


def _column(page: str, stage_id: int) -> str:
    """The HTML of one board column."""
    start = page.index(f'data-stage-id="{stage_id}" data-stage-kind')
    end = page.find("</section>", start)
    return page[start:end]


# --- the board --------------------------------------------------------------------------------


def test_board_shows_the_stages_in_order_with_counts_and_totals(
    ana, vendas, django_assert_max_num_queries
):
    negociacao, proposta = vendas["Negociação"], vendas["Proposta"]
    _deal(ana, title="Padaria do Zé", amount="1000.50", stage_id=negociacao.pk)
    _deal(ana, title="Café Central", amount="300", stage_id=negociacao.pk)
    old = _deal(ana, title="Mercado Velho", amount="50", stage_id=proposta.pk)
    Deal.objects.filter(pk=old.pk).update(stage_entered_at=timezone.now() - timedelta(days=30))
    client = ana.web(language="pt-br")
    stage_count = vendas.pipeline.stages.count()  # one query per stage for its cards
    # (+1: the pipeline's lost reasons, offered by the lost dialog)
    with django_assert_max_num_queries(12 + stage_count):
        response = client.get("/deals/")
    assert response.status_code == 200
    page = response.content.decode()
    names = ["Qualificação", "Reunião", "Proposta", "Negociação", "Ganho", "Perdido"]
    positions = [page.index(f">{name} <span") for name in names]
    assert positions == sorted(positions)
    column = _column(page, negociacao.pk)
    assert 'class="badge column-count" title="Negócios">2<' in column
    assert f"R${NBSP}1.300,50" in column  # pt-BR money: R$ 1.300,50
    assert f"R${NBSP}975,38" in column  # weighted at 75 %
    assert "Padaria do Zé" in column and "Café Central" in column
    rotting = _column(page, proposta.pk)
    assert "Mercado Velho" in rotting and "rotting-mark" in rotting
    assert re.search(r'class="deal-days[^>]*>30 ', rotting)  # days in the stage
    assert "rotting-mark" not in column
    english = ana.web().get("/deals/").content.decode()
    assert "R$1,300.50" in _column(english, negociacao.pk)


def test_board_filters_by_owner_search_and_the_filter_language(ana, bruno, vendas):
    stage = vendas["Reunião"]
    _deal(ana, title="Forno novo", amount="100", stage_id=stage.pk)
    _deal(ana, title="Balcão", amount="250", stage_id=stage.pk, owner_id=bruno.user.pk)
    client = ana.web()
    mine = client.get(f"/deals/?owner_id={bruno.user.pk}").content.decode()
    assert "Balcão" in mine and "Forno novo" not in mine
    assert 'title="Deals">1<' in _column(mine, stage.pk) and "R$250.00" in mine
    found = client.get("/deals/?q=forno", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board")
    partial = found.content.decode()
    assert "Forno novo" in partial and "Balcão" not in partial and "<html" not in partial
    tree = json.dumps({"and": [{"field": "amount", "op": "gte", "value": 200}]})
    filtered = client.get("/deals/", {"filter": tree}).content.decode()
    assert "Balcão" in filtered and "Forno novo" not in filtered
    bad = client.get("/deals/?filter={not json").content.decode()
    assert 'class="message error"' in bad and "The filter is not valid JSON." in bad


def test_moving_on_the_board_persists_and_re_renders_the_columns(ana, vendas):
    start, target = vendas["Qualificação"], vendas["Proposta"]
    deal = _deal(ana, title="Pão de queijo", amount="120", stage_id=start.pk)
    client = ana.web()
    response = client.post(
        f"/deals/{deal.pk}/move/?pipeline={vendas.pipeline.pk}&q=queijo",
        {"stage_id": target.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="board"') and "<html" not in page
    assert "Pão de queijo" in _column(page, target.pk)
    assert 'title="Deals">1<' in _column(page, target.pk)
    assert 'title="Deals">0<' in _column(page, start.pk)
    assert "?pipeline=" in page and "q=queijo" in page  # the filters stay in the "next" links
    deal.refresh_from_db()
    assert deal.stage_id == target.pk
    assert StageChange.objects.filter(deal=deal, from_stage=start, to_stage=target).exists()


def test_moving_to_lost_needs_a_reason(ana, vendas):
    start, lost = vendas["Reunião"], vendas["Perdido"]
    deal = _deal(ana, title="Bolo de rolo", stage_id=start.pk)
    client = ana.web()
    refused = client.post(f"/deals/{deal.pk}/move/", {"stage_id": lost.pk}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Choose why the deal was lost." in page
    assert "Bolo de rolo" in _column(page, start.pk)  # the card is back in its column
    deal.refresh_from_db()
    assert (deal.stage_id, deal.status) == (start.pk, "open")
    assert StageChange.objects.filter(deal=deal).count() == 1
    done = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": lost.pk, "lost_reason_id": vendas.reason("price").pk, "lost_note": ""},
        HTTP_HX_REQUEST="true",
    )
    assert done.status_code == 200
    deal.refresh_from_db()
    assert (deal.stage_id, deal.status, deal.lost_reason) == (
        lost.pk,
        "lost",
        vendas.reason("price"),
    )


def test_the_move_form_works_without_javascript(ana, vendas):
    deal = _deal(ana, title="Sonho", stage_id=vendas["Qualificação"].pk)
    client = ana.web()
    back = f"/deals/?pipeline={vendas.pipeline.pk}"
    moved = client.post(f"/deals/{deal.pk}/move/", {"stage_id": vendas["Ganho"].pk, "next": back})
    # back to the board, with the moved card kept in sight
    assert moved.status_code == 302 and moved["Location"] == f"{back}&moved={deal.pk}"
    deal.refresh_from_db()
    assert deal.status == "won"
    refused = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage_id": vendas["Perdido"].pk, "next": "https://evil.example/"},
        follow=True,
    )
    assert "Choose why the deal was lost." in refused.content.decode()
    assert refused.redirect_chain[-1][0] == f"/deals/{deal.pk}/"  # no open redirect
    deal.refresh_from_db()
    assert deal.status == "won"


def test_a_viewer_sees_the_board_but_cannot_move(ana, vera, vendas):
    stage = vendas["Reunião"]
    deal = _deal(ana, title="Rosca", stage_id=stage.pk)
    client = vera.web()
    page = client.get("/deals/").content.decode()
    assert "Rosca" in page and 'draggable="true"' not in page and "move-form" not in page
    response = client.post(
        f"/deals/{deal.pk}/move/", {"stage_id": vendas["Proposta"].pk}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert "cannot create or change deals" in response.content.decode()
    assert client.get("/deals/new/").status_code == 403
    deal.refresh_from_db()
    assert deal.stage_id == stage.pk


def test_carla_cannot_see_or_move_anas_deals(ana, carla, vendas):
    stage = vendas["Reunião"]
    deal = _deal(ana, title="Segredo da Aurora", stage_id=stage.pk, amount="10")
    client = carla.web()
    assert client.get(f"/deals/{deal.pk}/").status_code == 404
    moved = client.post(
        f"/deals/{deal.pk}/move/", {"stage_id": vendas["Proposta"].pk}, HTTP_HX_REQUEST="true"
    )
    assert moved.status_code == 404
    assert client.post(f"/deals/{deal.pk}/edit/", {"title": "X"}).status_code == 404
    items = client.post(f"/deals/{deal.pk}/line-items/", {"action": "add", "name": "X"})
    assert items.status_code == 404
    assert client.get(f"/deals/?pipeline={vendas.pipeline.pk}").status_code == 404
    assert "Segredo da Aurora" not in client.get("/deals/").content.decode()
    assert "Segredo da Aurora" not in client.get("/deals/list/").content.decode()
    deal.refresh_from_db()
    assert (deal.stage_id, deal.title, deal.line_items.count()) == (
        stage.pk,
        "Segredo da Aurora",
        0,
    )


# --- the table --------------------------------------------------------------------------------


def test_deal_table_searches_filters_sorts_pages_and_exports(
    ana, vendas, django_assert_max_num_queries
):
    for i in range(55):
        _deal(ana, title=f"Encomenda {i:02d}", amount=str(i), stage_id=vendas["Reunião"].pk)
    _deal(ana, title="Festa junina", amount="999", stage_id=vendas["Ganho"].pk)
    client = ana.web()
    # + the filter builder's choices (lost reasons too), the columns' custom fields, the saved
    # views and the count, and the bell's unread notifications
    with django_assert_max_num_queries(20):
        first = client.get("/deals/list/?sort=-amount")
    page = first.content.decode()
    assert page.index("Festa junina") < page.index("Encomenda 54") < page.index("Encomenda 10")
    cursor = re.search(r"cursor=([\w-]+)", page).group(1)
    more = client.get(f"/deals/list/?sort=-amount&cursor={cursor}", HTTP_HX_REQUEST="true")
    rows = more.content.decode()
    assert "<html" not in rows and "Encomenda 00" in rows and "Festa junina" not in rows
    won = client.get("/deals/list/?status=won").content.decode()
    assert "Festa junina" in won and "Encomenda" not in won
    found = client.get(
        "/deals/list/?q=festa", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="deal-results"
    ).content.decode()
    assert "Festa junina" in found and "Encomenda" not in found and "<html" not in found
    bad = client.get("/deals/list/?status=maybe").content.decode()
    assert 'class="message error"' in bad
    export = client.get("/deals/export.csv?status=won")
    body = b"".join(export.streaming_content).decode("utf-8")
    assert body.startswith('\ufeff"ID","Title","Pipeline","Currency","Stage","Status","Amount"')
    assert "Festa junina" in body and "Encomenda" not in body and "999.00" in body


def test_a_viewer_cannot_export(vera):
    assert vera.web().get("/deals/export.csv").status_code == 403


# --- the form ---------------------------------------------------------------------------------


def test_create_form_keeps_the_input_and_names_the_bad_fields(ana, vendas, maria, acme):
    client = ana.web()
    form = client.get(f"/deals/new/?stage={vendas['Proposta'].pk}").content.decode()
    assert f'value="{vendas["Proposta"].pk}" selected' in form
    response = client.post(
        "/deals/new/",
        {
            "title": "",
            "amount": "muito",
            "currency": "BRL",
            "expected_close_date": "2026-13-45",
            "stage_id": vendas["Proposta"].pk,
            "person_id": maria.pk,
            "source": "Feira",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="muito"' in page and 'value="Feira"' in page and 'value="2026-13-45"' in page
    assert f'name="person_id" value="{maria.pk}"' in page and 'value="Maria Souza"' in page
    assert page.count('class="field-error"') >= 3  # title, amount, expected_close_date
    assert "Enter a number." in page
    assert not Deal.objects.exists()
    ok = client.post(
        "/deals/new/",
        {
            "title": "Buffet",
            "amount": "1.234,50",
            "currency": "BRL",
            "stage_id": vendas["Proposta"].pk,
            "person_id": maria.pk,
            "company_id": acme.pk,
            "owner_id": ana.user.pk,
        },
    )
    deal = Deal.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/deals/{deal.pk}/"
    assert (deal.amount, deal.stage_id, deal.company_id) == (
        Decimal("1234.50"),
        vendas["Proposta"].pk,
        acme.pk,
    )


def test_create_form_custom_fields(ana, vendas, segment_field):
    client = ana.web()
    assert 'name="cf_segment"' in client.get("/deals/new/").content.decode()
    bad = client.post("/deals/new/", {"title": "Atacado", "cf_segment": "b2c"})
    assert bad.status_code == 422 and not Deal.objects.exists()
    client.post("/deals/new/", {"title": "Atacado", "cf_segment": "wholesale"})
    assert Deal.objects.get().custom_fields == {"segment": "wholesale"}


# --- the deal page ----------------------------------------------------------------------------


def test_deal_page_shows_progress_history_and_timeline(
    ana, vendas, maria, django_assert_max_num_queries
):
    deal = _deal(ana, title="Casamento", amount="5000", stage_id=vendas["Reunião"].pk)
    services.update_deal(actor=ana.actor, deal_id=deal.pk, data={"person_id": maria.pk})
    services.move_deal(actor=ana.actor, deal_id=deal.pk, stage_id=vendas["Proposta"].pk)
    client = ana.web()
    with django_assert_max_num_queries(20):  # 20: + the pipeline's lost reasons
        response = client.get(f"/deals/{deal.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Casamento" in page and "R$5,000.00" in page
    assert re.search(r'class="step done kind-open"[^>]*>.*?Reunião', page, re.S)
    assert 'aria-current="step"' in page
    history = page[page.index("Stage history") :]
    assert history.index("Reunião") < history.index("Proposta")
    assert "from Reunião" in history
    assert "Maria Souza" in page and f"/people/{maria.pk}/" in page
    assert 'id="timeline"' in page


def test_deal_page_edits_fields_and_moves(ana, vendas):
    deal = _deal(ana, title="Coffee break", amount="100", stage_id=vendas["Reunião"].pk)
    client = ana.web()
    bad = client.post(f"/deals/{deal.pk}/edit/", {"title": "Coffee break", "amount": "-5"})
    assert bad.status_code == 422
    assert 'value="-5"' in bad.content.decode() and "Must be at least" in bad.content.decode()
    deal.refresh_from_db()
    assert deal.amount == Decimal("100.00")
    good = client.post(
        f"/deals/{deal.pk}/edit/",
        {"title": "Coffee break VIP", "amount": "150,00", "expected_close_date": "2030-01-31"},
    )
    assert good.status_code == 302
    deal.refresh_from_db()
    assert (deal.title, deal.amount, str(deal.expected_close_date)) == (
        "Coffee break VIP",
        Decimal("150.00"),
        "2030-01-31",
    )
    lost = client.post(
        f"/deals/{deal.pk}/move/",
        {
            "stage_id": vendas["Perdido"].pk,
            "lost_reason_id": vendas.reason("no_budget").pk,
            "lost_note": "Sem verba",
            "next": f"/deals/{deal.pk}/",
        },
        follow=True,
    )
    assert "Sem verba" in lost.content.decode()
    deal.refresh_from_db()
    assert deal.status == "lost"


def test_line_items_are_added_and_removed_and_drive_the_amount(ana, vendas):
    deal = _deal(ana, title="Festa", amount="0", stage_id=vendas["Reunião"].pk)
    client = ana.web()
    url = f"/deals/{deal.pk}/line-items/"
    bad = client.post(url, {"action": "add", "name": "Salgados", "quantity": "0"})
    assert bad.status_code == 422
    page = bad.content.decode()
    assert "Must be more than zero." in page and 'value="Salgados"' in page
    assert deal.line_items.count() == 0
    client.post(url, {"action": "add", "name": "Salgados", "quantity": "100", "unit_price": "2"})
    client.post(
        url,
        {
            "action": "add",
            "name": "Bolo",
            "quantity": "1",
            "unit_price": "80",
            "discount_percent": "10",
        },
    )
    deal.refresh_from_db()
    assert [i.name for i in deal.line_items.all()] == ["Salgados", "Bolo"]
    assert deal.amount == Decimal("272.00")
    assert "R$272.00" in client.get(f"/deals/{deal.pk}/").content.decode()
    client.post(url, {"action": "remove", "index": "0"})
    deal.refresh_from_db()
    assert [i.name for i in deal.line_items.all()] == ["Bolo"]
    assert deal.amount == Decimal("72.00")


def test_deals_is_in_the_navigation(ana):
    page = ana.web().get("/").content.decode()
    assert 'href="/deals/"' in page
