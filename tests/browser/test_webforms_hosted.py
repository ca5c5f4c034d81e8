"""A visitor in a real browser fills Ana's hosted form: our script fetches nothing it does not
need, a too-quick first send is refused with a clear message shown in place, the second send
shows the success message, and the person lands in the CRM with the visitor id linked."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from vinculo.contacts.models import Person
from vinculo.webforms import services
from vinculo.webforms.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_fills_the_hosted_form(page, ana):
    form = services.create_form(
        actor=ana.actor,
        data={
            "name": "Encomendas de Natal",
            "fields": [
                {"key": "first_name", "label": "Seu nome", "required": True},
                {"key": "email", "label": "E-mail", "required": True},
                {"key": "mobile_phone", "label": "WhatsApp"},
            ],
            "consent_enabled": True,
            "consent_text": "Aceito receber ofertas por WhatsApp.",
            "consent_channel": "whatsapp",
            "tags": ["natal"],
            "language": "pt-br",
            "min_seconds": 2,
            "success_message": "Recebemos seu pedido!",
        },
    )
    page.goto(f"{page.base}/f/{form.public_key}")
    page.wait_for_selector("text=Padaria Aurora")
    page.fill("input[name=first_name]", "Marta")
    page.fill("input[name=email]", "marta@exemplo.com.br")
    page.fill("input[name=mobile_phone]", "(81) 98888-7777")
    page.check("input[name=consent]")
    screenshot(page, "webforms-hosted-pt")
    page.click("form[data-vinculo-form] button[type=submit]")
    # the first send came too quickly: the message shows in place, the typed values stay
    page.wait_for_selector('[data-error-for=""]:not([hidden])')
    assert page.input_value("input[name=email]") == "marta@exemplo.com.br"
    assert not Person.objects.filter(email="marta@exemplo.com.br").exists()

    page.wait_for_timeout(2100)
    page.click("form[data-vinculo-form] button[type=submit]")
    page.wait_for_selector("#form-success")
    assert page.text_content("#form-success") == "Recebemos seu pedido!"

    person = Person.objects.get(email="marta@exemplo.com.br")
    assert person.mobile_phone == "+5581988887777"
    assert [t.name for t in person.tags.all()] == ["natal"]
    accepted = Submission.objects.get(status="accepted")
    assert accepted.person == person and accepted.consent_given
    assert len(accepted.visitor_id) == 32  # the id our script keeps in the browser
    assert Submission.objects.get(status="spam").reason == "too_fast"
