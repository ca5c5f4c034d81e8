"""An owner answers a data subject in a real browser (pt-BR): export the data, then erase."""

from __future__ import annotations

import os

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.conftest import PASSWORD
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.privacy.models import ErasureRecord

pytestmark = pytest.mark.django_db(transaction=True)


def test_owner_exports_then_erases_a_person(page, ana):
    joana = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joana", "last_name": "Prado", "email": "joana@padaria.com.br"},
    )
    log_in(page, ana.user.email, PASSWORD)
    page.goto(f"{page.base}/people/{joana.pk}/")
    page.click("a:has-text('Exportar dados')")
    page.wait_for_url(f"{page.base}/people/{joana.pk}/data/")
    assert page.locator("h1").inner_text().startswith("Dados pessoais mantidos")
    assert page.locator("#fields dd:has-text('joana@padaria.com.br')").is_visible()
    # Printable: nothing wider than the page.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if os.environ.get("VINCULO_PRIVACY_SHOTS"):
        page.screenshot(path=os.environ["VINCULO_PRIVACY_SHOTS"] + "/document.png", full_page=True)
    screenshot(page, "privacy-document")
    page.goto(f"{page.base}/people/{joana.pk}/")
    page.click("a.button.danger:has-text('Eliminar')")
    page.fill("input[name=confirm]", "0")
    page.click("button:has-text('Eliminar definitivamente')")
    assert page.locator("p.field-error").is_visible()
    page.fill("input[name=confirm]", str(joana.pk))
    page.click("button:has-text('Eliminar definitivamente')")
    page.wait_for_url(f"{page.base}/people/")
    assert "erased-person-" in page.content()
    assert not Person.objects.filter(pk=joana.pk).exists()
    assert ErasureRecord.objects.count() == 1
