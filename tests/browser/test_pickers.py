"""Picking a person by typing in the deal form, among more people than a list could hold."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from vinculo.contacts.models import Person
from vinculo.sales.models import Deal

pytestmark = pytest.mark.django_db(transaction=True)


def test_pick_a_person_by_typing_in_the_deal_form(page, ana):
    Person.objects.bulk_create(
        Person(workspace=ana.workspace, first_name=f"A{n:03d}", last_name="Multidão")
        for n in range(210)
    )
    zuleica = Person.objects.create(
        workspace=ana.workspace, first_name="Zuleica", last_name="Prado", email="zu@prado.test"
    )
    Person.objects.create(workspace=ana.workspace, first_name="Zuleide", last_name="Prado")
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/deals/new/")
    page.fill("#id_title", "Bolo de casamento")
    box = page.locator("#id_person_id")
    box.click()
    page.keyboard.type("zule")
    options = page.locator("#id_person_id-options [role=option]")
    options.first.wait_for()
    assert options.count() == 2
    assert page.locator("#id_person_id-options").is_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # chooses, does not submit
    assert page.locator("#id_person_id-options").is_hidden()
    assert box.input_value() == "Zuleica Prado"
    assert page.locator("input[type=hidden][name=person_id]").input_value() == str(zuleica.pk)
    assert not Deal.objects.exists()

    box.fill("")  # emptying unlinks, typing again and clicking chooses
    page.keyboard.type("Prado")
    page.locator("#id_person_id-options [role=option] >> text=Zuleica Prado").click()
    assert page.locator("input[type=hidden][name=person_id]").input_value() == str(zuleica.pk)
    page.locator("form.form-grid button[type=submit]").click()
    page.wait_for_selector(".message.success")
    assert Deal.objects.get().person_id == zuleica.pk
    assert page.locator("text=Zuleica Prado").count() >= 1
