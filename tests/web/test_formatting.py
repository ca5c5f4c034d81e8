"""Values as the reader reads them, in pt-BR and English: money, phones, CPF, CNPJ, percentages,
days and the numbers inside messages; the API keeps the stored (machine) forms."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.formats import format_days
from vinculo.sales import services as sales

NBSP = "\xa0"
# language -> (money, percent of a line item's discount)
MONEY = {"pt-br": f"R${NBSP}3.150,00", "en": "R$3,150.00"}
DISCOUNT = {"pt-br": "10,5%", "en": "10.5%"}


@pytest.fixture
def lia(ana) -> Person:
    return contacts.create_person(
        actor=ana.actor,
        data={
            "first_name": "Lia",
            "last_name": "Matos",
            "phone": "11 91234 5678",
            "mobile_phone": "+1 415 555 2671",
            "cpf": "52998224725",
        },
    )


@pytest.fixture
def sol(ana) -> Company:
    return contacts.create_company(
        actor=ana.actor, data={"name": "Ótica Sol", "cnpj": "11222333000181"}
    )


@pytest.fixture
def deal(ana, lia, sol):
    return sales.create_deal(
        actor=ana.actor,
        data={
            "title": "Óculos da loja",
            "amount": "3150",
            "currency": "BRL",
            "person_id": lia.pk,
            "company_id": sol.pk,
        },
    )


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_person_page_shows_money_phones_and_cpf_as_people_write_them(ana, lia, deal, language):
    page = ana.web(language).get(f"/people/{lia.pk}/").content.decode()
    assert MONEY[language] in page and "BRL" not in page and "3150" not in page
    assert 'value="(11) 91234-5678"' in page and "+5511912345678" not in page
    assert 'value="+1 415-555-2671"' in page
    assert 'value="529.982.247-25"' in page and "52998224725" not in page


def test_the_person_form_reads_its_formatted_values_back_unchanged(ana, lia):
    web = ana.web("pt-br")
    web.post(
        f"/people/{lia.pk}/edit/",
        {
            "first_name": "Lia",
            "last_name": "Matos",
            "phone": "(11) 91234-5678",
            "mobile_phone": "+1 415-555-2671",
            "cpf": "529.982.247-25",
        },
    )
    lia.refresh_from_db()
    assert (lia.phone, lia.mobile_phone, lia.cpf) == (
        "+5511912345678",
        "+14155552671",
        "52998224725",
    )


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_company_page_and_list_show_the_cnpj_punctuated(ana, sol, language):
    web = ana.web(language)
    page = web.get(f"/companies/{sol.pk}/").content.decode()
    assert "CNPJ 11.222.333/0001-81" in page and 'value="11.222.333/0001-81"' in page
    listing = web.get("/companies/", {"columns": "name,cnpj"}).content.decode()
    assert "11.222.333/0001-81" in listing and "11222333000181" not in listing


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_people_list_shows_phones_and_cpf_formatted(ana, lia, language):
    listing = ana.web(language).get("/people/", {"columns": "name,phone,mobile_phone,cpf"})
    page = listing.content.decode()
    assert "(11) 91234-5678" in page and "+1 415-555-2671" in page and "529.982.247-25" in page
    assert "+5511912345678" not in page and "52998224725" not in page


@pytest.mark.parametrize("language", ["pt-br", "en"])
def test_deal_page_board_list_and_search_show_money_in_the_locale(ana, deal, language):
    web = ana.web(language)
    web.post(
        f"/deals/{deal.pk}/line-items/",
        {
            "action": "add",
            "name": "Lente",
            "quantity": "10",
            "unit_price": "350",
            "discount_percent": "10.5",
        },
    )
    page = web.get(f"/deals/{deal.pk}/").content.decode()
    money = {"pt-br": f"R${NBSP}3.132,50", "en": "R$3,132.50"}[language]
    assert money in page and DISCOUNT[language] in page
    assert ">10<" in page and "1E+1" not in page  # the quantity
    deal.refresh_from_db()
    board = web.get("/deals/").content.decode()
    assert money in board
    days = re.search(r'class="deal-days[^>]*>([^<]+)<', board).group(1)
    assert days == {"pt-br": "hoje", "en": "today"}[language]  # it entered its stage today
    assert money in web.get("/deals/list/").content.decode()
    found = web.get("/search/", {"q": "Óculos"}, HTTP_HX_REQUEST="true").content.decode()
    assert money in found and "BRL" not in found


def test_an_overdue_task_is_tagged_in_the_singular(ana, lia):
    activities.create_task(
        actor=ana.actor,
        data={"subject": "Ligar", "person_id": lia.pk, "due_at": "2024-01-10T09:00"},
    )
    home = ana.web("pt-br").get("/").content.decode()
    tasks = home.split('id="home-tasks"')[1].split("</section>")[0]
    assert ">Atrasada<" in tasks and "Atrasadas<" not in tasks
    listing = ana.web("pt-br").get("/tasks/", {"when": "overdue"}).content.decode()
    assert ">Atrasada<" in listing


def test_zero_is_plural_and_no_days_is_today():
    with translation.override("pt-br"):
        assert format_days(0) == "hoje"
        assert format_days(1) == "1 dia" and format_days(2) == "2 dias"
        assert translation.ngettext("%(n)s day", "%(n)s days", 0) % {"n": 0} == "0 dias"
    with translation.override("en"):
        assert format_days(0) == "today" and format_days(1) == "1 day"


@pytest.mark.parametrize(
    ("language", "text"), [("pt-br", "pelo menos 0,00"), ("en", "at least 0.00")]
)
def test_numbers_in_error_messages_are_in_the_readers_locale(ana, language, text):
    page = ana.web(language).post("/deals/new/", {"title": "X", "amount": "-5"})
    assert page.status_code == 422
    assert text in page.content.decode()
    api = ana.client(language).post(
        "/api/v1/deals", {"title": "X", "amount": "-5"}, content_type="application/json"
    )
    assert text in api.content.decode()


def test_the_api_keeps_the_stored_forms(ana, lia, sol, deal):
    client = ana.client("pt-br")
    person = client.get(f"/api/v1/people/{lia.pk}").json()
    assert (person["phone"], person["mobile_phone"], person["cpf"]) == (
        "+5511912345678",
        "+14155552671",
        "52998224725",
    )
    assert client.get(f"/api/v1/companies/{sol.pk}").json()["cnpj"] == "11222333000181"
    body = client.get(f"/api/v1/deals/{deal.pk}").json()
    assert (body["amount"], body["currency"]) == ("3150.00", "BRL")
