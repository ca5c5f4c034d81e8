"""The new-person form warns about a taken email as the user leaves the field."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def test_taken_email_warns_on_leaving_the_field_then_saves_anyway(page, ana):
    maria = contacts.create_person(
        actor=ana.actor, data={"first_name": "Maria", "email": "maria@padaria.com.br"}
    )
    log_in(page, ana.user.email, PASSWORD)
    page.goto(page.base + "/people/new/")
    page.fill("#id_first_name", "Mariana")
    page.fill("#id_email", "MARIA@padaria.com.br")
    page.keyboard.press("Tab")
    warning = page.locator("#duplicate-warning .duplicate-warning")
    warning.wait_for()
    assert warning.locator(f"a[href='/people/{maria.pk}/']").inner_text() == "Maria"
    page.locator("form.form-grid button.primary").click()  # stops at the warning once
    page.locator("button[name=confirm_duplicates]").wait_for()
    assert Person.objects.count() == 1
    page.locator("button[name=confirm_duplicates]").click()
    page.wait_for_selector(".message.success")
    assert Person.objects.filter(first_name="Mariana").exists()
