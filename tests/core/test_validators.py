"""Uniform data entry: the same email rules whatever path a value takes."""

from __future__ import annotations

import pytest

from vinculo.core import validators
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


def _reference_phone(text: str, region: str) -> str | None:
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _ours(clean, *args, **kwargs):
    try:
        return clean(*args, **kwargs)
    except ValidationFailed:
        return None


def test_phones_clean_exactly_as_phonenumbers_parses_them():
    """clean_phone has a shortcut for Brazilian numbers; it must agree with the library on every
    way people write them (with/without +55, brackets, trunk 0, carrier codes, other regions)."""
    import random

    rnd = random.Random(20261123)  # noqa: S311
    samples = [
        "(11) 98765-4321",
        "+55 11 98765-4321",
        "11 3456-7890",
        "011 98765-4321",
        "0 21 98765 4321",
        "(0xx21) 3456-7890",
        "0800 123 4567",
        "+1 415 555 2671",
        "5511987654321",
        "21.98765.4321",
    ]
    for _ in range(3000):
        ddd = rnd.randint(0, 99)
        body = "".join(rnd.choice("0123456789") for _ in range(rnd.choice([7, 8, 9, 10])))
        prefix = rnd.choice(["", "9", "0", "+55 ", "55", "+1 ", "90"])
        samples.append(f"{prefix}({ddd:02d}) {body[:5]}-{body[5:]}")
        samples.append(f"{prefix}{ddd:02d}{body}")
    for region in ("BR", "PT"):
        disagree = [
            s
            for s in samples
            if _ours(validators.clean_phone, s, region=region) != _reference_phone(s, region)
        ]
        assert disagree == [], region
    assert validators.clean_phone("(11) 98765-4321") == "+5511987654321"


def test_cpf_check_digits_agree_with_validate_docbr():
    import random

    from validate_docbr import CPF

    rnd = random.Random(7)  # noqa: S311
    reference = CPF()
    samples = [reference.generate() for _ in range(2000)]
    samples += ["".join(rnd.choice("0123456789") for _ in range(11)) for _ in range(2000)]
    samples += [str(d) * 11 for d in range(10)]
    for cpf in samples:
        assert (_ours(validators.clean_cpf, cpf) == cpf) == reference.validate(cpf), cpf
    assert validators.clean_cpf("529.982.247-25") == "52998224725"
