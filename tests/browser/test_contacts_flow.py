"""A sales rep's day in a real browser: log in, find a person, edit, switch language, isolation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts import services
from vinculo.contacts.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_find_a_person_and_edit_in_place(page, ana):
    services.create_person(
        actor=ana.actor,
        data={
            "first_name": "Joana",
            "last_name": "Prado",
            "email": "joana@padaria.com.br",
            "lifecycle_stage": "mql",
            "tags": ["vip"],
        },
    )
    services.create_person(actor=ana.actor, data={"first_name": "Marcos", "last_name": "Lima"})
    log_in(page, ana.user.email, PASSWORD)
    screenshot(page, "home-pt")
    page.goto(page.base + "/people/")
    assert page.locator("#people-rows >> text=Marcos Lima").count() == 1
    page.fill("input[name=q]", "joana")  # results update as you type
    page.wait_for_selector("#people-rows >> text=Marcos Lima", state="detached")
    assert page.locator("#people-rows >> text=Joana Prado").count() == 1
    assert "q=joana" in page.url  # the search is in the address, so it can be shared
    screenshot(page, "people-pt")
    page.click("text=Joana Prado")
    page.fill("#pf_cpf", "123")
    page.click("#person-fields button[type=submit]")
    page.wait_for_selector("#person-fields .field-error")
    assert page.input_value("#pf_cpf") == "123"  # what the user typed is kept
    page.fill("#pf_cpf", "529.982.247-25")
    page.click("#person-fields button[type=submit]")
    page.wait_for_selector("#person-fields .message.success")
    page.reload()
    assert page.input_value("#pf_cpf") == "529.982.247-25"  # shown punctuated (issue 14 item 17)
    assert Person.objects.get(first_name="Joana").cpf == "52998224725"  # stored as digits
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "person-pt")


def test_switch_to_english_and_back(page, ana):
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/people/")
    assert page.locator("html").get_attribute("lang") == "pt-br"
    page.click(".language-switch button[value=en]")
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").inner_text() == "People"
    screenshot(page, "people-en")
    page.click(".language-switch button[value=pt-br]")
    page.wait_for_selector("html[lang=pt-br]")
    assert page.locator("h1").inner_text() == "Pessoas"


def test_a_user_cannot_open_another_workspaces_record(page, ana, carla):
    theirs = services.create_person(actor=carla.actor, data={"first_name": "Da Brasa"})
    log_in(page, ana.user.email, PASSWORD)
    response = page.goto(f"{page.base}/people/{theirs.pk}/")
    assert response.status == 404
    assert "Da Brasa" not in page.content()
