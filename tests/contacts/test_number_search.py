"""Search by a phone, CPF or CNPJ in any usual spelling: global search, the lists and the API."""

from __future__ import annotations

import pytest
from django.db import connection

from vinculo.contacts import selectors, services

SPELLINGS = [
    "(71)98206-1917",
    "71 98206-1917",
    "(71) 98206-1917",
    "071 98206-1917",
    "+55 (71) 98206-1917",
    "+55 71 98206 1917",
    "5571982061917",
    "+5571982061917",
    "71982061917",
    "98206-1917",
    "982061917",
    "(71) 98206",  # still typing
    "+55 71 9820",
]


@pytest.fixture
def found(ana, carla):
    """Ana's Lia (the mobile), Ana's Rui (another number, same last digits elsewhere) and
    Carla's Lia with the same mobile in workspace B."""
    lia = services.create_person(
        actor=ana.actor,
        data={
            "first_name": "Lia",
            "last_name": "Matos",
            "mobile_phone": "(71) 98206-1917",
            "cpf": "529.982.247-25",
        },
    )
    services.create_person(
        actor=ana.actor,
        data={"first_name": "Rui", "last_name": "Neto", "phone": "(11) 3456-7890"},
    )
    services.create_person(
        actor=carla.actor,
        data={"first_name": "Outra", "last_name": "Pessoa", "mobile_phone": "71982061917"},
    )
    return lia


@pytest.mark.parametrize("typed", SPELLINGS)
def test_every_spelling_of_a_phone_finds_the_person_everywhere(ana, found, typed):
    assert found.mobile_phone == "+5571982061917"
    web = ana.web()
    dropdown = web.get("/search/", {"q": typed}, HTTP_HX_REQUEST="true").content.decode()
    assert f"/people/{found.pk}/" in dropdown and "Rui" not in dropdown and "Outra" not in dropdown
    assert f"/people/{found.pk}/" in web.get("/search/", {"q": typed}).content.decode()
    listing = web.get("/people/", {"q": typed}).content.decode()
    assert "Lia Matos" in listing and "Rui Neto" not in listing and "Outra" not in listing
    api = ana.client().get("/api/v1/people", {"q": typed}).json()["items"]
    assert [p["id"] for p in api] == [found.pk]


@pytest.mark.parametrize("typed", ["(11) 3456-7890", "11 3456 7890", "3456-7890", "011 34567890"])
def test_a_fixed_line_in_any_spelling(ana, found, typed):
    names = [
        p["first_name"] for p in ana.client().get("/api/v1/people", {"q": typed}).json()["items"]
    ]
    assert names == ["Rui"]


@pytest.mark.parametrize("typed", ["529.982.247-25", "52998224725", "529 982 247 25", "529.982.24"])
def test_a_cpf_with_or_without_punctuation(ana, carla, found, typed):
    services.create_person(actor=carla.actor, data={"first_name": "Zé", "cpf": "52998224725"})
    api = ana.client().get("/api/v1/people", {"q": typed}).json()["items"]
    assert [p["id"] for p in api] == [found.pk]
    page = ana.web().get("/search/", {"q": typed}).content.decode()
    assert f"/people/{found.pk}/" in page and "Zé" not in page


@pytest.mark.parametrize("typed", ["11.222.333/0001-81", "11222333000181", "11 222 333 0001 81"])
def test_a_cnpj_with_or_without_punctuation(ana, carla, typed):
    mine = services.create_company(
        actor=ana.actor, data={"name": "Ótica Sol", "cnpj": "11222333000181"}
    )
    services.create_company(
        actor=carla.actor, data={"name": "Outra Ltda", "cnpj": "11222333000181"}
    )
    api = ana.client().get("/api/v1/companies", {"q": typed}).json()["items"]
    assert [c["id"] for c in api] == [mine.pk]
    page = ana.web().get("/search/", {"q": typed}).content.decode()
    assert f"/companies/{mine.pk}/" in page and "Outra Ltda" not in page
    assert "Ótica Sol" in ana.web().get("/companies/", {"q": typed}).content.decode()


def test_carla_finds_only_her_own_person_by_the_same_number(carla, found):
    api = carla.client().get("/api/v1/people", {"q": "(71) 98206-1917"}).json()["items"]
    assert [p["first_name"] for p in api] == ["Outra"]
    page = carla.web().get("/search/", {"q": "71 98206-1917"}).content.decode()
    assert "Outra" in page and "Lia" not in page


def test_a_typed_number_is_looked_up_on_the_indexes(ana, found):
    """No scan of the people table for a number (SQLite's plan; PostgreSQL's is checked by the
    benchmarks): each spelling is an equality or a range on an indexed column."""
    if connection.vendor != "sqlite":
        pytest.skip("reads SQLite's query plan")
    for typed in ["71 98206-1917", "98206-1917", "+55 71 9820", "529.982.247-25"]:
        plan = selectors.people(ana.actor, q=typed).explain()
        scans = [line for line in plan.splitlines() if "SCAN" in line and "contacts_person" in line]
        assert not scans, plan
