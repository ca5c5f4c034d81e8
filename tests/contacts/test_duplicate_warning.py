"""Creating a person (company) whose email, phone or CPF (CNPJ) is already in the workspace:
a warning with a link before saving, "Save anyway" where the rules allow it, refused where they
make the value unique; another workspace's records never count."""

from __future__ import annotations

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, Person
from vinculo.quality.services import rules

CPF = "529.982.247-25"
CNPJ = "11.222.333/0001-81"


def _maria(persona, **data):
    return contacts.create_person(
        actor=persona.actor,
        data={"first_name": "Maria", "last_name": "Souza", "email": "maria@cliente.com.br", **data},
    )


def test_a_taken_email_or_phone_warns_with_a_link_and_saves_anyway(ana):
    maria = _maria(ana, mobile_phone="+55 11 98765-4321")
    client = ana.web()
    form = {"first_name": "Mariana", "email": "Maria@Cliente.com.br"}
    stopped = client.post("/people/new/", form)
    assert stopped.status_code == 200 and Person.objects.count() == 1
    page = stopped.content.decode()
    assert f'href="/people/{maria.pk}/"' in page and "Maria Souza" in page
    assert "(same Email)" in page and 'name="confirm_duplicates"' in page
    assert 'value="Maria@Cliente.com.br"' in page  # what was typed stays

    by_phone = client.post("/people/new/", {"first_name": "Outra", "phone": "(11) 98765-4321"})
    assert "(same Phone)" in by_phone.content.decode()  # matched in the mobile phone column
    assert Person.objects.count() == 1

    saved = client.post("/people/new/", {**form, "confirm_duplicates": "1"})
    assert saved.status_code == 302 and Person.objects.count() == 2
    plain = client.post("/people/new/", {"first_name": "Nova", "email": "nova@cliente.com.br"})
    assert plain.status_code == 302  # nothing taken: no extra step


def test_the_warning_is_in_portuguese(ana):
    _maria(ana)
    page = ana.web("pt-br").post(
        "/people/new/", {"first_name": "M", "email": "maria@cliente.com.br"}
    )
    text = page.content.decode()
    assert "Salvar mesmo assim" in text and "(mesmo E-mail)" in text


def test_a_taken_cpf_or_a_unique_rule_is_still_refused_with_the_link(ana):
    maria = _maria(ana, cpf=CPF)
    client = ana.web()
    refused = client.post(
        "/people/new/",
        {"first_name": "Clone", "cpf": CPF.replace(".", ""), "confirm_duplicates": "1"},
    )
    page = refused.content.decode()
    assert refused.status_code in (409, 422) and Person.objects.count() == 1
    assert f'href="/people/{maria.pk}/"' in page and 'name="confirm_duplicates"' not in page
    assert 'class="field-error"' in page[page.index('name="cpf"') :]

    rules.create_entry_rule(
        actor=ana.actor, data={"object_type": "person", "field": "email", "kind": "unique"}
    )
    form = {"first_name": "Clone", "email": "maria@cliente.com.br", "confirm_duplicates": "1"}
    again = client.post("/people/new/", form)
    assert again.status_code == 422 and Person.objects.count() == 1
    assert 'name="confirm_duplicates"' not in again.content.decode()


def test_another_workspace_never_counts(ana, carla):
    _maria(carla)
    client = ana.web()
    saved = client.post("/people/new/", {"first_name": "Maria", "email": "maria@cliente.com.br"})
    assert saved.status_code == 302
    check = client.post("/people/check/", {"email": "maria@cliente.com.br"}).content.decode()
    assert "/people/" in check  # Ana's own Maria now
    carlas = carla.web().post("/people/check/", {"email": "maria@cliente.com.br"})
    assert carlas.status_code == 200
    assert (
        f"/people/{Person.objects.get(workspace=ana.workspace).pk}/" not in carlas.content.decode()
    )


def test_check_as_the_user_leaves_a_field(ana, carla):
    maria = _maria(ana, cpf=CPF)
    client = ana.web()
    page = client.get("/people/new/").content.decode()
    assert 'hx-post="/people/check/"' in page and 'id="duplicate-warning"' in page
    found = client.post("/people/check/", {"cpf": CPF}, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/people/{maria.pk}/"' in found and "must be unique" in found
    nothing = client.post("/people/check/", {"email": "x@y.test", "cpf": "123"})
    assert 'id="duplicate-warning"' in nothing.content.decode()
    assert "href" not in nothing.content.decode()
    assert carla.web().post("/people/check/", {"cpf": CPF}).content.decode().count("href") == 0
    gone = client.get("/people/check/")  # POST only: a GET goes to the list, never a blank 405
    assert (gone.status_code, gone["Location"]) == (302, "/people/")


def test_a_taken_cnpj_links_to_the_company(ana, carla):
    acme = contacts.create_company(actor=ana.actor, data={"name": "Acme", "cnpj": CNPJ})
    client = ana.web()
    assert 'hx-post="/companies/check/"' in client.get("/companies/new/").content.decode()
    found = client.post("/companies/check/", {"cnpj": "11222333000181"}).content.decode()
    assert f'href="/companies/{acme.pk}/"' in found
    refused = client.post("/companies/new/", {"name": "Acme 2", "cnpj": CNPJ})
    page = refused.content.decode()
    assert refused.status_code in (409, 422) and Company.objects.count() == 1
    assert f'href="/companies/{acme.pk}/"' in page
    theirs = carla.web().post("/companies/new/", {"name": "Acme", "cnpj": CNPJ})
    assert theirs.status_code == 302
