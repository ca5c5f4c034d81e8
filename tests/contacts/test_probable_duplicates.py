"""The new-person and new-company forms also list the records the duplicate matcher finds
probably the same (names, birth date, address, custom identifiers), each linked with how likely
and why. They never block saving; they ask once ("Save anyway"), as a taken email does. The
check as the user leaves a field sends those fields too; another workspace never counts."""

from __future__ import annotations

import re

import pytest

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, Person

ROSA = {"first_name": "Rosângela", "last_name": "Albuquerque", "birth_date": "1984-03-17"}
TYPED = {"first_name": "Rosangela", "last_name": "Albuquerque", "birth_date": "1984-03-17"}


@pytest.fixture
def rosa(ana):
    return contacts.create_person(actor=ana.actor, data={**ROSA, "city": "Recife"})


def _probable(page: str) -> str:
    start = page.index('class="probable-matches"')
    return page[start : page.index("</ul>", start)]


def test_a_probable_person_stops_the_form_once_with_link_percent_and_reasons(ana, rosa):
    client = ana.web()
    stopped = client.post("/people/new/", TYPED)
    assert stopped.status_code == 200 and Person.objects.count() == 1
    page = stopped.content.decode()
    listed = _probable(page)
    assert f'href="/people/{rosa.pk}/"' in listed and "Rosângela Albuquerque" in listed
    assert re.search(r"\d+% likely the same", listed)
    assert "birth date: same value" in listed and "last name: same value" in listed
    assert "This may be someone already in the workspace:" in page
    assert 'name="confirm_duplicates"' in page
    assert 'value="1984-03-17"' in page  # what was typed stays
    saved = client.post("/people/new/", {**TYPED, "confirm_duplicates": "1"})
    assert saved.status_code == 302 and Person.objects.count() == 2
    other = client.post("/people/new/", {"first_name": "Zuleica", "last_name": "Tavares"})
    assert other.status_code == 302  # nobody like her: no extra step


def test_the_warning_is_in_portuguese(ana, rosa):
    page = ana.web("pt-br").post("/people/new/", TYPED).content.decode()
    listed = _probable(page)
    assert "de chance de ser o mesmo" in listed
    assert "data de nascimento: mesmo valor" in listed
    assert "Pode ser alguém que já está no espaço de trabalho:" in page
    assert "Salvar mesmo assim" in page


def test_the_form_asks_for_what_tells_namesakes_apart_and_checks_it(ana):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "label": "RG", "field_type": "text", "identifier": True},
    )
    contacts.create_custom_field(
        actor=ana.actor, data={"object_type": "person", "label": "Apelido", "field_type": "text"}
    )
    page = ana.web().get("/people/new/").content.decode()
    assert re.search(r'<input id="id_birth_date" name="birth_date" value="" type="date"', page)
    for name in ("first_name", "last_name", "birth_date", "street", "number", "postal_code",
                 "city", "email", "cpf"):  # fmt: skip
        tag = re.search(rf'<input id="id_{name}"[^>]*>', page).group(0)
        assert 'hx-post="/people/check/"' in tag, name
    assert 'hx-post="/people/check/"' not in re.search(r'<input id="id_job_title"[^>]*>', page)[0]
    assert 'hx-post="/people/check/"' in re.search(r'<input id="cf_rg"[^>]*>', page).group(0)
    assert 'hx-post="/people/check/"' not in re.search(r'<input id="cf_apelido"[^>]*>', page)[0]


def test_the_check_reads_names_birth_date_and_address(ana, carla, rosa):
    client = ana.web()
    found = client.post("/people/check/", TYPED, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/people/{rosa.pk}/"' in found and "likely the same" in found
    assert 'id="duplicate-warning"' in found
    by_address = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joaquim", "last_name": "Barbosa", "street": "Rua da Aurora",
              "number": "120", "postal_code": "50050-000"},
    )  # fmt: skip
    typed = {"first_name": "Joaquim", "last_name": "Barbosa", "street": "R. da Aurora",
             "number": "120", "postal_code": "50050-000"}  # fmt: skip
    page = client.post("/people/check/", typed).content.decode()
    assert f'href="/people/{by_address.pk}/"' in page
    nobody = client.post("/people/check/", {"first_name": "Rosângela", "last_name": "Moura"})
    assert "href" not in nobody.content.decode()
    theirs = carla.web().post("/people/check/", TYPED).content.decode()
    assert "href" not in theirs  # Ana's Rosângela is not Carla's


def test_custom_identifiers_are_compared_and_other_custom_fields_are_not(ana):
    for label, identifier in (("RG", True), ("Apelido", False)):
        contacts.create_custom_field(
            actor=ana.actor,
            data={"object_type": "person", "label": label, "field_type": "text",
                  "identifier": identifier},
        )  # fmt: skip
    owner = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joana", "last_name": "Prado", "custom_fields": {"rg": "1234567"}},
    )
    contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Carlos", "last_name": "Dias", "custom_fields": {"apelido": "Cacá"}},
    )
    client = ana.web()
    page = client.post("/people/check/", {"first_name": "Joana", "cf_rg": "1234567"})
    text = page.content.decode()
    assert f'href="/people/{owner.pk}/"' in text and "RG: same value" in text
    by_nickname = client.post("/people/check/", {"first_name": "Outro", "cf_apelido": "Cacá"})
    assert "href" not in by_nickname.content.decode()


def test_an_exact_match_is_listed_once_and_a_taken_cpf_still_refuses(ana):
    cpf = "529.982.247-25"
    maria = contacts.create_person(
        actor=ana.actor,
        data={**ROSA, "email": "rosa@albuquerque.com.br", "cpf": cpf},
    )
    client = ana.web()
    page = client.post("/people/new/", {**TYPED, "email": "rosa@albuquerque.com.br"})
    text = page.content.decode()
    assert text.count(f'href="/people/{maria.pk}/"') == 1 and "(same Email)" in text
    assert 'class="probable-matches"' not in text
    refused = client.post("/people/new/", {**TYPED, "cpf": cpf, "confirm_duplicates": "1"})
    assert refused.status_code in (409, 422) and Person.objects.count() == 1
    assert 'name="confirm_duplicates"' not in refused.content.decode()


def test_a_probable_company_stops_the_form_once(ana, carla):
    acme = contacts.create_company(
        actor=ana.actor,
        data={"name": "Padaria Pão Quente Ltda", "website": "https://www.paoquente.com.br",
              "city": "Olinda"},
    )  # fmt: skip
    client = ana.web()
    form = {"name": "Padaria Pao Quente", "website": "paoquente.com.br", "city": "Olinda"}
    page = client.get("/companies/new/").content.decode()
    tag = re.search(r'<input id="id_website"[^>]*>', page).group(0)
    assert 'hx-post="/companies/check/"' in tag
    stopped = client.post("/companies/new/", form)
    text = stopped.content.decode()
    assert stopped.status_code == 200 and Company.objects.count() == 1
    assert f'href="/companies/{acme.pk}/"' in _probable(text)
    assert "This may be a company already in the workspace:" in text
    assert 'name="confirm_duplicates"' in text
    saved = client.post("/companies/new/", {**form, "confirm_duplicates": "1"})
    assert saved.status_code == 302 and Company.objects.count() == 2
    checked = client.post("/companies/check/", form).content.decode()
    assert f'href="/companies/{acme.pk}/"' in checked
    theirs = carla.web().post("/companies/new/", form)
    assert theirs.status_code == 302  # Ana's bakery is not in Carla's workspace
