"""Record pickers: type to search, any record of a big workspace can be chosen and preselected
from the URL, names in reading order (accents folded), never another workspace's records."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vinculo.contacts.models import Company, Person
from vinculo.sales import services as sales
from vinculo.sales.models import Deal, Product


def _options(html: str) -> list[str]:
    return re.findall(r'data-label="([^"]*)"', html)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'<input type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, f"no picker for {name}"
    return found.group(1)


@pytest.fixture
def crowd(ana) -> list[Person]:
    """210 people named A… to Y…, more than the 200 the old list held, then Zuleica."""
    Person.objects.bulk_create(
        Person(workspace=ana.workspace, first_name=f"A{n:03d}", last_name="Multidão")
        for n in range(210)
    )
    return list(Person.objects.filter(workspace=ana.workspace))


def test_a_person_past_the_200th_is_found_chosen_and_preselected(ana, crowd):
    zuleica = Person.objects.create(
        workspace=ana.workspace, first_name="Zuleica", last_name="Prado", email="zu@prado.test"
    )
    client = ana.web()
    found = client.get("/pick/person/", {"q": "zulei"}, HTTP_HX_REQUEST="true")
    assert found.status_code == 200
    assert _options(found.content.decode()) == ["Zuleica Prado"]
    assert f'data-value="{zuleica.pk}"' in found.content.decode()

    form = client.get(f"/deals/new/?person={zuleica.pk}").content.decode()
    assert _hidden(form, "person_id") == str(zuleica.pk)
    assert 'value="Zuleica Prado"' in form
    assert "A001" not in form  # no list of people in the page any more

    ok = client.post("/deals/new/", {"title": "Bolo", "person_id": zuleica.pk})
    deal = Deal.objects.get()
    assert ok.status_code == 302 and deal.person_id == zuleica.pk
    edit = client.get(f"/deals/{deal.pk}/").content.decode()
    assert _hidden(edit, "person_id") == str(zuleica.pk) and 'value="Zuleica Prado"' in edit


def test_a_search_reads_a_few_rows_through_indexes(ana, crowd):
    client = ana.web()
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        found = client.get("/pick/person/", {"q": "multid"}, HTTP_HX_REQUEST="true")
    assert len(_options(found.content.decode())) == 10
    reads = [q["sql"] for q in queries.captured_queries if '"contacts_person"' in q["sql"]]
    assert reads and all("LIMIT 10" in sql for sql in reads)
    assert all(re.search(r'"(name_key|last_name_key|email)" >= ', sql) for sql in reads)
    assert _options(client.get("/pick/person/", {"q": "a"}).content.decode()) == []


def test_names_sort_with_accents_folded(ana):
    for first in ("Zé", "Ágil", "bruno", "Abel", "Érica", "Ana"):
        Person.objects.create(workspace=ana.workspace, first_name=first, last_name="Acento")
    for name in ("Zeta Acento", "Ágil Sistemas", "Agência Norte", "Azul"):
        Company.objects.create(workspace=ana.workspace, name=name)
    client = ana.web()
    people = _options(client.get("/pick/person/", {"q": "acento"}).content.decode())
    assert people == [f"{n} Acento" for n in ("Abel", "Ágil", "Ana", "bruno", "Érica", "Zé")]
    companies = _options(client.get("/pick/company/", {"q": "ag"}).content.decode())
    assert companies == ["Agência Norte", "Ágil Sistemas"]
    inside = _options(client.get("/pick/company/", {"q": "sistemas"}).content.decode())
    assert inside == ["Ágil Sistemas"]  # a word inside the name, when none starts so
    found = client.get("/search/", {"find": "acento"}, HTTP_HX_REQUEST="true").content.decode()
    assert found.index("Abel") < found.index("Ágil") < found.index("bruno")  # the top bar too
    for typed in ("agil", "ÁGIL", "Ágil a"):  # found however the accents and case are typed
        assert _options(client.get("/pick/person/", {"q": typed}).content.decode()) == [
            "Ágil Acento"
        ]
    assert "Érica" in client.get("/search/", {"find": "erica"}).content.decode()
    assert "Zeta Acento" in client.get("/search/", {"find": "ACENTO"}).content.decode()


def test_company_and_product_pickers(ana):
    Company.objects.bulk_create(
        Company(workspace=ana.workspace, name=f"Empresa {n:03d}") for n in range(205)
    )
    last = Company.objects.create(workspace=ana.workspace, name="Zênite Ótica")
    client = ana.web()
    assert _options(client.get("/pick/company/", {"q": "zenite"}).content.decode()) == [
        "Zênite Ótica"
    ]
    form = client.get(f"/deals/new/?company={last.pk}").content.decode()
    assert _hidden(form, "company_id") == str(last.pk) and 'value="Zênite Ótica"' in form
    person_form = client.get(f"/people/new/?company={last.pk}").content.decode()
    assert _hidden(person_form, "company_id") == str(last.pk)
    client.post("/people/new/", {"first_name": "Íris", "company_id": last.pk})
    assert Person.objects.get(first_name="Íris").companies.get() == last

    Product.objects.bulk_create(
        Product(workspace=ana.workspace, name=f"Pão {n:03d}", unit_price=1) for n in range(205)
    )
    cake = Product.objects.create(workspace=ana.workspace, name="Torta alemã", unit_price=30)
    assert _options(client.get("/pick/product/", {"q": "torta"}).content.decode()) == [
        "Torta alemã"
    ]
    deal = sales.create_deal(actor=ana.actor, data={"title": "Festa"})
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert 'name="product_id"' in page and "Pão 001" not in page
    client.post(f"/deals/{deal.pk}/line-items/", {"action": "add", "product_id": cake.pk})
    assert deal.line_items.get().product_id == cake.pk


def test_task_form_preselects_from_the_url_and_searches_by_index(ana, crowd):
    last = crowd[-1]
    client = ana.web()
    page = client.get(f"/tasks/new/?person={last.pk}").content.decode()
    assert f'value="person:{last.pk}" checked' in page
    with CaptureQueriesContext(connection) as queries:
        found = client.get("/search/", {"q": "a209", "pick": "1"}, HTTP_HX_REQUEST="true")
    assert f'value="person:{last.pk}"' in found.content.decode()
    people = [q["sql"] for q in queries.captured_queries if 'FROM "contacts_person"' in q["sql"]]
    assert people and all('"name_key" >= ' in sql or '" >= ' in sql for sql in people)


def test_carla_cannot_pick_anas_records(ana, carla, crowd):
    anas = Person.objects.create(workspace=ana.workspace, first_name="Segredo", last_name="Ana")
    client = carla.web()
    assert _options(client.get("/pick/person/", {"q": "segredo"}).content.decode()) == []
    assert _options(client.get("/pick/person/", {"q": "multid"}).content.decode()) == []
    form = client.get(f"/deals/new/?person={anas.pk}").content.decode()
    assert _hidden(form, "person_id") == "" and "Segredo" not in form
    refused = client.post("/deals/new/", {"title": "Roubo", "person_id": anas.pk})
    assert refused.status_code == 422 and not Deal.objects.exists()
    page = refused.content.decode()
    field = page[page.index('name="person_id"') :]
    assert 'class="field-error"' in field[: field.index("</div>")]
    assert client.get("/pick/secrets/", {"q": "segredo"}).status_code == 404


def test_events_filter_picks_the_person_by_name(ana, carla, crowd):
    last = crowd[-1]
    page = ana.web().get("/events/", {"person": last.pk}).content.decode()
    assert _hidden(page, "person") == str(last.pk) and f'value="{last.full_name}"' in page
    assert "Person id" not in page
    theirs = carla.web().get("/events/", {"person": last.pk}).content.decode()
    assert _hidden(theirs, "person") == "" and last.full_name not in theirs
