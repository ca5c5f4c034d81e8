"""The duplicates page says what the matcher learned from the last scan: records read, pairs
compared, estimated recall, expected precision and recall, thresholds, the compared fields with
their weights and the blocking rules in words; numbers written the reader's way. Before a scan,
a note that the default weights are used. Carla sees only her workspace's."""

from __future__ import annotations

import math
import re

import pytest

from vinculo.contacts import services as contacts
from vinculo.core.formats import format_number, format_percent
from vinculo.quality.models import MatchModel
from vinculo.quality.services import duplicates as detection

URL = "/quality/duplicates/"


@pytest.fixture
def scanned(ana):
    for first, last, email, city in [
        ("Heloísa", "Bragança", "helo@b.com.br", "Olinda"),
        ("Heloisa", "Braganca", "helo@b.com.br", "Olinda"),
        ("Otávio", "Lima", "otavio@l.com.br", "Recife"),
        ("Marta", "Queiroz", "marta@q.com.br", "Recife"),
    ]:
        contacts.create_person(
            actor=ana.actor,
            data={"first_name": first, "last_name": last, "email": email, "city": city},
        )
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    return MatchModel.objects.get(workspace=ana.workspace, object_type="person")


def _card(page: str) -> str:
    start = page.index('id="matcher-card"')
    return page[start : page.index("</section>", start)]


def _dd(card: str, dd_id: str) -> str:
    found = re.search(rf'<dd id="{dd_id}">(.*?)</dd>', card, re.S)
    assert found, dd_id
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def _pct(value: float, language: str) -> str:
    return format_percent(round(value * 100, 1), language)


def test_before_a_scan_the_card_says_default_weights_are_used(ana):
    page = ana.web().get(URL).content.decode()
    card = _card(page)
    assert "What the matcher learned" in card
    assert "uses its default weights until the first one" in card
    assert 'id="matcher-fields"' not in card
    pt = _card(ana.web("pt-br").get(URL).content.decode())
    assert "usa seus pesos padrão até a primeira" in pt


@pytest.mark.parametrize("language", ["en", "pt-br"])
def test_after_a_scan_the_card_has_the_figures_in_the_readers_way(ana, scanned, language):
    MatchModel.objects.filter(pk=scanned.pk).update(records=12345, compared=1234567)
    card = _card(ana.web(language).get(URL).content.decode())
    assert _dd(card, "matcher-records") == format_number(12345, language=language)
    assert _dd(card, "matcher-compared") == format_number(1234567, language=language)
    assert _dd(card, "matcher-records") == ("12,345" if language == "en" else "12.345")
    thresholds = scanned.report["thresholds"]
    assert _dd(card, "matcher-review") == _pct(scanned.review_threshold, language)
    assert _dd(card, "matcher-auto").startswith(_pct(scanned.auto_merge_threshold, language))
    assert _dd(card, "matcher-review-precision") == _pct(thresholds["review_precision"], language)
    assert _dd(card, "matcher-review-recall") == _pct(thresholds["review_recall"], language)
    recall = scanned.report["recall"]["recall"]
    assert _dd(card, "matcher-recall") == (_pct(recall, language) if recall is not None else "—")
    assert _dd(card, "matcher-labels") == "0"


def test_the_fields_table_shows_fill_and_weights_in_bits(ana, scanned):
    card = _card(ana.web("pt-br").get(URL).content.decode())
    column = scanned.params["signature"].index("email:email")
    m, u = scanned.params["m"][column], scanned.params["u"][column]
    same = format_number(round(math.log2(m[-1] / u[-1]), 1), 1, "pt-br")
    different = format_number(round(math.log2(m[0] / u[0]), 1), 1, "pt-br")
    row = re.search(r"<tr><td>e-mail</td>(.*?)</tr>", card, re.S)
    assert row, card
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    assert cells == ["100%", same, different]
    assert '<div class="table-wrap">' in card  # wide tables scroll inside the card


def test_the_rules_table_says_each_rule_in_words(ana, scanned):
    card = _card(ana.web().get(URL).content.decode())
    assert "<td>names that sound alike</td>" in card
    assert "<td>first name + first 3 letters of last name</td>" in card
    assert "<td>birth date + postal code</td>" in card
    assert "<td>last name + year of birth date</td>" in card
    assert "<td>email mailbox name</td>" in card
    assert "<td>every word of the names sounds alike</td>" in card
    assert "<td>first 3 letters of both names + city</td>" in card
    assert "not used</span> rarely filled" in card
    pt = _card(ana.web("pt-br").get(URL).content.decode())
    assert "<td>nomes que soam parecido</td>" in pt
    assert "<td>nome + 3 primeiras letras de sobrenome</td>" in pt
    assert "<td>3 primeiras letras dos dois nomes + cidade</td>" in pt
    assert "não usada</span> pouco preenchida" in pt


def test_the_precision_setting_explains_how_thresholds_are_chosen(ana):
    page = ana.web("pt-br").get(URL).content.decode()
    assert 'aria-describedby="auto-merge-precision-hint"' in page
    assert "Os limites não são definidos à mão" in page
    assert 'value="99.5"' in page  # a number input's value is never localised


def test_carla_sees_her_own_default_note_not_anas_model(ana, carla, scanned):
    card = _card(carla.web().get(URL).content.decode())
    assert 'id="matcher-default"' in card and 'id="matcher-records"' not in card
    companies = _card(ana.web().get(URL + "?type=company").content.decode())
    assert 'id="matcher-default"' in companies
