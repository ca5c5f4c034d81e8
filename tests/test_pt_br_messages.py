"""Single messages that read wrong in pt-BR: email-validator's English reasons, "Open" as a verb."""

from __future__ import annotations

import pytest
from django.utils import translation

from vinculo.core.errors import ValidationFailed
from vinculo.core.validators import clean_email
from vinculo.sales.models import DealStatus


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("joana@", "falta algo depois do @."),
        ("joana", "falta o @."),
        ("@aurora.com.br", "falta algo antes do @."),
        ("jo..ana@aurora.com.br", "tem pontos ou hífens seguidos."),
        ("joana@aurora", "a parte depois do @ não é um domínio válido (como empresa.com.br)."),
        ("Joana <joana@aurora.com.br>", "escreva só o endereço, sem nome nem nada em volta."),
        ("jo ana@aurora.com.br", "tem caracteres que um endereço de e-mail não pode ter."),
    ],
)
def test_email_errors_are_whole_portuguese_sentences(value, reason):
    with translation.override("pt-br"), pytest.raises(ValidationFailed) as exc:
        clean_email(value)
    message = exc.value.errors[0].message
    assert message == f"{value!r} não é um endereço de e-mail válido: {reason}"


def test_the_person_form_shows_the_email_reason_in_portuguese(ana):
    response = ana.web(language="pt-br").post(
        "/people/new/", {"first_name": "Joana", "email": "joana@aurora"}
    )
    page = response.content.decode()
    assert "não é um domínio válido" in page
    assert "@-sign" not in page and "It should have a period" not in page


def test_the_integrations_hub_says_abrir_not_aberto(ana):
    page = ana.web(language="pt-br").get("/integrations/").content.decode()
    assert ">Abrir</a>" in page and ">Aberto</a>" not in page
    # The adjective keeps its translation where it is one (a deal's status).
    with translation.override("pt-br"):
        assert str(DealStatus.OPEN.label) == "Aberto"
