"""The home page's open-pipeline counter: a large amount short, the full one in its title and for
screen readers, in the reader's language; a smaller amount in full."""

from __future__ import annotations

import pytest

from vinculo.sales import services
from vinculo.sales.models import Stage


def _open_deal(ana, amount: str) -> None:
    pipeline = services.ensure_default_pipeline(actor=ana.actor)
    stage = Stage.objects.filter(pipeline=pipeline).first()
    services.create_deal(
        actor=ana.actor, data={"title": "Rede de padarias", "amount": amount, "stage_id": stage.pk}
    )


@pytest.mark.parametrize(
    ("language", "short", "full"),
    [
        ("pt-br", "R$\xa02,16\xa0mi", "R$\xa02.155.455,00"),
        ("en", "R$2.16M", "R$2,155,455.00"),
    ],
)
def test_a_large_pipeline_is_short_with_the_full_amount_in_its_title(ana, language, short, full):
    _open_deal(ana, "2155455.00")
    html = ana.web(language).get("/").content.decode()
    assert f'title="{full}"><span aria-hidden="true">{short}</span>' in html
    assert f'<span class="visually-hidden">{full}</span>' in html


def test_an_amount_under_a_million_is_shown_in_full(ana):
    _open_deal(ana, "987654.32")
    html = ana.web("pt-br").get("/").content.decode()
    assert 'title="R$\xa0987.654,32">R$\xa0987.654,32</strong>' in html
