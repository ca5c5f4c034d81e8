"""The deals of a company or a person on their pages: open and closed deals with totals and a
"+ deal" that opens the new-deal form with the record chosen."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vinculo.sales import selectors, services
from vinculo.sales.models import Deal

NBSP = "\xa0"


def _deal(persona, **data) -> Deal:
    return services.create_deal(actor=persona.actor, data={"title": "Deal", **data})


def _three_deals(ana, vendas, **link) -> list[Deal]:
    """An open, a won and a lost deal linked to ``link`` (company_id or person_id)."""
    open_deal = _deal(
        ana, title="Pães do hotel", amount="1500", stage_id=vendas["Proposta"].pk, **link
    )
    won = _deal(ana, title="Bolos de maio", amount="800.50", stage_id=vendas["Reunião"].pk, **link)
    services.move_deal(actor=ana.actor, deal_id=won.pk, stage_id=vendas["Ganho"].pk)
    lost = _deal(ana, title="Café da tarde", amount="300", stage_id=vendas["Reunião"].pk, **link)
    services.move_deal(
        actor=ana.actor,
        deal_id=lost.pk,
        stage_id=vendas["Perdido"].pk,
        lost_reason_id=vendas.reason("price").pk,
    )
    return [open_deal, won, lost]


def _carlas_deal_pointing_at(carla, **link) -> Deal:
    """A deal of Carla's workspace whose link (forced in the database) points at Ana's record:
    a page scoped by the record only, not by the workspace, would show it."""
    pipeline = services.ensure_default_pipeline(actor=carla.actor)
    stage = pipeline.stages.order_by("position").first()
    deal = services.create_deal(
        actor=carla.actor, data={"title": "Segredo da Carla", "amount": "999", "stage_id": stage.pk}
    )
    Deal.objects.filter(pk=deal.pk).update(**link)
    return deal


def _card(page: str) -> str:
    start = page.index('class="card related-deals"')
    return page[start : page.index("</article>", start)]


def test_company_page_lists_open_and_closed_deals_with_totals(ana, carla, vendas, acme):
    open_deal, won, lost = _three_deals(ana, vendas, company_id=acme.pk)
    _carlas_deal_pointing_at(carla, company_id=acme.pk)
    response = ana.web(language="pt-br").get(f"/companies/{acme.pk}/")
    assert response.status_code == 200
    card = _card(response.content.decode())
    for deal in (open_deal, won, lost):
        assert f'href="/deals/{deal.pk}/"' in card
    assert "Segredo da Carla" not in card
    assert re.search(r"<h2>Negócios <span class=\"badge\">3</span>", card)
    assert f"R${NBSP}1.500,00" in card  # the open total
    assert f"R${NBSP}800,50" in card  # the won total
    assert re.search(r"Total em aberto</dt><dd[^>]*>R\$\xa01\.500,00 <span[^>]*>\(1\)", card)
    assert re.search(r"Total ganho</dt><dd[^>]*>R\$\xa0800,50 <span[^>]*>\(1\)", card)
    assert re.search(r"Negócios perdidos</dt><dd[^>]*>1<", card)
    assert 'href="/deals/new/?company=' + str(acme.pk) + '"' in card
    open_part, closed_part = card.split("open-deals")[1].split("closed-deals")
    assert "Pães do hotel" in open_part and "Bolos de maio" not in open_part
    assert "Bolos de maio" in closed_part and "Café da tarde" in closed_part


def test_person_page_lists_deals_and_offers_one_prefilled(ana, carla, vendas, maria):
    open_deal, won, lost = _three_deals(ana, vendas, person_id=maria.pk)
    _carlas_deal_pointing_at(carla, person_id=maria.pk)
    page = ana.web().get(f"/people/{maria.pk}/").content.decode()
    card = _card(page)
    for deal in (open_deal, won, lost):
        assert f'href="/deals/{deal.pk}/"' in card
    assert "Segredo da Carla" not in card
    assert "R$1,500.00" in card and "R$800.50" in card
    assert f'href="/deals/new/?person={maria.pk}"' in card


def test_the_new_deal_form_opens_with_the_company_or_person_chosen(ana, vendas, acme, maria):
    client = ana.web()
    form = client.get(f"/deals/new/?company={acme.pk}").content.decode()
    assert f'name="company_id" value="{acme.pk}"' in form and 'value="Acme Pães"' in form
    form = client.get(f"/deals/new/?person={maria.pk}").content.decode()
    assert f'name="person_id" value="{maria.pk}"' in form and 'value="Maria Souza"' in form


def test_a_viewer_sees_the_deals_but_no_add_link(ana, vera, vendas, acme):
    _three_deals(ana, vendas, company_id=acme.pk)
    card = _card(vera.web().get(f"/companies/{acme.pk}/").content.decode())
    assert "Pães do hotel" in card
    assert "/deals/new/" not in card


def test_a_record_without_deals_still_offers_one(ana, acme):
    card = _card(ana.web().get(f"/companies/{acme.pk}/").content.decode())
    assert "No deals yet." in card
    assert f'href="/deals/new/?company={acme.pk}"' in card


def test_carla_gets_404_for_anas_company_and_person(ana, carla, acme, maria):
    client = carla.web()
    assert client.get(f"/companies/{acme.pk}/").status_code == 404
    assert client.get(f"/people/{maria.pk}/").status_code == 404


def test_the_deals_card_costs_the_same_queries_for_3_or_40_deals(ana, vendas, acme):
    _three_deals(ana, vendas, company_id=acme.pk)
    client = ana.web()
    client.get(f"/companies/{acme.pk}/")  # the session's first request loads more
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/companies/{acme.pk}/").status_code == 200
    for n in range(37):
        _deal(
            ana,
            title=f"Pedido {n}",
            amount="10",
            stage_id=vendas["Proposta"].pk,
            company_id=acme.pk,
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/companies/{acme.pk}/").content.decode()
    assert len(many) == len(few)
    card = _card(page)
    assert card.count('href="/deals/') == 20 + 2 + 1  # 20 open, 2 closed shown, "+ deal"
    assert "and 18 more" in card
    assert "R$1,870.00" in card  # 1500 + 37 x 10: the total covers the deals not listed


def test_related_deals_totals_skip_other_currencies(ana, vendas, acme):
    _deal(ana, title="Em reais", amount="100", stage_id=vendas["Proposta"].pk, company_id=acme.pk)
    _deal(
        ana,
        title="In dollars",
        amount="50",
        currency="USD",
        stage_id=vendas["Proposta"].pk,
        company_id=acme.pk,
    )
    found = selectors.related_deals(ana.actor, company_id=acme.pk)
    assert found.open_count == 2 and found.count == 2
    assert str(found.open_amount) == "100.00"
    assert found.other_currencies == 1
