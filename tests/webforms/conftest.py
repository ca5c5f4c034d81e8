"""Shared fixtures of the web-forms tests: Ana's lead form and a helper that posts it like a
visitor who took their time (a render token issued ``age`` seconds ago)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from vinculo.webforms import services
from vinculo.webforms.models import WebForm


@pytest.fixture
def lead_form(ana) -> WebForm:
    return services.create_form(
        actor=ana.actor,
        data={
            "name": "Newsletter da padaria",
            "fields": [
                {"key": "first_name", "label": "Seu nome", "required": True},
                {"key": "email", "label": "E-mail", "required": True},
                {"key": "phone", "label": "Telefone"},
                {"key": "city"},
            ],
            "consent_enabled": True,
            "consent_text": "Quero receber novidades por e-mail.",
            "consent_channel": "email",
            "consent_legal_basis": "consent",
            "tags": ["newsletter", "site"],
            "lifecycle_stage": "lead",
            "source": "site",
            "allowed_domains": ["padaria-aurora.com.br"],
            "language": "en",
            "success_message": "Obrigado!",
        },
    )


def token(form: WebForm, age: float = 10) -> str:
    return services.render_token(form, now=time.time() - age)


def post_form(
    form: WebForm, data: dict, *, age: float = 10, client: Client | None = None, **headers
):
    """Post the hosted form as a browser without our script would."""
    body = {"_vt": token(form, age), "_website": "", **data}
    return (client or Client()).post(
        reverse("webforms:submit", args=[form.public_key]), body, **headers
    )


def post_json(form: WebForm, body: dict, *, age: float = 10, client: Client | None = None, **h):
    payload = {"token": token(form, age), **body}
    return (client or Client()).post(
        reverse("webforms:submit", args=[form.public_key]),
        payload,
        content_type="application/json",
        **h,
    )
