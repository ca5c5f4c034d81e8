"""Uniform data entry: the same email rules whatever path a value takes."""

from __future__ import annotations

import pytest

from vinculo.core.errors import ValidationFailed
from vinculo.core.validators import clean_email


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Maria.Souza@Exemplo.COM.br", "maria.souza@exemplo.com.br"),
        ("a+tag@sub.dominio.com.br", "a+tag@sub.dominio.com.br"),
        ("o'neil@x.ie", "o'neil@x.ie"),
        ("joão@exemplo.com.br", "joão@exemplo.com.br"),
        ("  ana@aurora.com.br ", "ana@aurora.com.br"),
    ],
)
def test_valid_addresses_are_normalised(raw, clean):
    assert clean_email(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        "x@localhost",
        "a..b@x.com",
        ".a@x.com",
        "a.@x.com",
        "a@x",
        "a@-x.com",
        "a@x.test",
        "a@x.local",
        "a@@x.com",
        "a b@x.com",
        "a@x.com.",
        "a@x.invalid",
    ],
)
def test_invalid_addresses_name_the_field(raw):
    with pytest.raises(ValidationFailed) as caught:
        clean_email(raw, "contact_email")
    assert caught.value.errors[0].field == "contact_email"
