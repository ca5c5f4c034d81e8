"""Uniform data entry (C1): the cleaners every service uses for emails, phones, documents, names.

Each cleaner returns the normalised value or raises :class:`ValidationFailed` naming ``field``.
Empty input cleans to ``""`` (callers decide whether a field is required).
"""

from __future__ import annotations

import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlparse

import email_validator
import phonenumbers
from babel.numbers import list_currencies
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from email_validator import EmailNotValidError, validate_email
from validate_docbr import CNPJ

from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.formats import format_number

_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"\D")
# Text no database column can hold: NUL (PostgreSQL) and lone UTF-16 surrogates (any encoding).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_text_error(text: str, field: str) -> FieldError | None:
    """The error of text holding a NUL character or a lone surrogate, or None if it has
    neither: no database column can store them (the API refuses them in every input)."""
    if not _UNSTORABLE.search(text):
        return None
    if "\x00" in text:
        return FieldError(field, _("Text may not contain a NUL character."), "null_character")
    return FieldError(
        field, _("Text may not contain a lone surrogate (invalid Unicode)."), "invalid_unicode"
    )


def clean_name(value: Any, field: str, *, required: bool = False, max_length: int = 200) -> str:
    """Trim and collapse inner whitespace; refuse empty (when required), too long, or holding
    a NUL character or a lone surrogate (a cell of an imported file, a form field)."""
    text = _SPACES.sub(" ", str(value or "")).strip()
    problem = unstorable_text_error(text, field)
    if problem is not None:
        raise ValidationFailed(problem.message, errors=[problem])
    if required and not text:
        raise ValidationFailed.field(field, _("This field is required."), "required")
    if len(text) > max_length:
        raise ValidationFailed.field(
            field, _("At most %(n)s characters.") % {"n": format_number(max_length)}, "too_long"
        )
    return text


# Free-text limits (docs/api.md): names and subjects are cleaned by clean_name (200-255 at most,
# per field); descriptions, notes, bodies and other long text by clean_long_text.
MAX_LONG_TEXT = 10_000


def clean_long_text(value: Any, field: str, *, max_length: int = MAX_LONG_TEXT) -> str:
    """Multi-line free text (descriptions, notes, bodies): trimmed, line breaks kept; refuse
    anything but text, or more than ``max_length`` characters (never cut silently)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationFailed.field(field, _("Enter text."), "invalid_type")
    text = value.strip()
    if len(text) > max_length:
        raise ValidationFailed.field(
            field, _("At most %(n)s characters.") % {"n": format_number(max_length)}, "too_long"
        )
    return text


# Plain ASCII addresses (almost all of them) are checked here; anything else goes through
# email-validator, which knows internationalised names and quoting rules.
_SIMPLE_EMAIL = re.compile(
    r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_USE: tuple[frozenset[str], int] | None = None


def _special_use_domains() -> tuple[frozenset[str], int]:
    """email-validator's special-use names (``test``, ``localhost``…) and the most labels one
    has: an address is refused when its domain ends with one."""
    global _SPECIAL_USE
    if _SPECIAL_USE is None:
        names = frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES)
        _SPECIAL_USE = (names, max((n.count(".") + 1 for n in names), default=0))
    return _SPECIAL_USE


def _is_simple_email(text: str) -> bool:
    if len(text) > 254 or not _SIMPLE_EMAIL.fullmatch(text):
        return False
    local, domain = text.rsplit("@", 1)
    if len(local) > 64:
        return False
    names, most = _special_use_domains()
    labels = domain.split(".")
    # The domain's last one, two… ``most`` labels: set look-ups, not a scan of the names.
    return not any(".".join(labels[-n:]) in names for n in range(1, min(most, len(labels)) + 1))


def _email_problems() -> list[tuple[tuple[str, ...], str]]:
    # email-validator's messages are English only: each is mapped, by what it says, to our own
    # translated sentence (first match wins).
    return [
        (("must have an @-sign", "small commercial at"), _("it needs an @ sign.")),
        (("something before the @-sign",), _("something is missing before the @.")),
        (("something after the @-sign",), _("something is missing after the @.")),
        (("too long",), _("it is too long.")),
        (("periods in a row", "period and a hyphen", "two dashes"),
         _("it has dots or dashes in a row.")),
        (("display name", "angle bracket", "anything after", "after close quote"),
         _("write only the address, without a name or anything around it.")),
        (("should have a period", "top-level domain", "special-use", "after the @-sign"),
         _("the part after the @ is not a valid domain (like empresa.com.br).")),
        (("character", "ASCII", "Quoting"),
         _("it contains characters an email address cannot have.")),
    ]  # fmt: skip


def email_problem(exc: Exception) -> str:
    """What is wrong with an address email-validator refused, in the reader's language."""
    text = str(exc)
    for needles, message in _email_problems():
        if any(n in text for n in needles):
            return message
    return _("it is not written like an email address.")


def clean_email(value: Any, field: str = "email") -> str:
    """A syntactically valid address (no DNS lookup), lower-cased."""
    text = str(value or "").strip()
    if not text:
        return ""
    lowered = text.lower()
    if _is_simple_email(lowered):
        return lowered
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed.field(
            field,
            _("%(value)r is not a valid email address: %(why)s")
            % {"value": text, "why": email_problem(exc)},
            "invalid_email",
        ) from None
    return str(result.normalized).lower()


_PHONE_CHARS = re.compile(r"\+?[0-9 ().\-]+")


class _BrazilianNumbers:
    """Brazil's fixed-line and mobile number patterns, read once from phonenumbers' metadata.

    A shortcut for the common case (a Brazilian area code + number, written with or without
    +55, spaces, brackets, dots or dashes): it accepts only numbers that phonenumbers would
    parse the same way and find valid, and leaves everything else (trunk prefixes, carrier
    codes, toll-free, extensions, other countries) to phonenumbers. ``parse`` is most of the
    cost of validating a person on a 100,000-row import.
    """

    def __init__(self) -> None:
        # Any: the stubs make every part optional; Brazil's are always in phonenumbers' data.
        meta: Any = phonenumbers.PhoneMetadata.metadata_for_region("BR")
        if meta is None:
            raise RuntimeError("phonenumbers has no metadata for Brazil")
        self.general = re.compile(meta.general_desc.national_number_pattern)
        self.kinds = [
            (re.compile(desc.national_number_pattern), frozenset(desc.possible_length))
            for desc in (meta.fixed_line, meta.mobile)
        ]

    def e164(self, text: str, region: str) -> str | None:
        if not _PHONE_CHARS.fullmatch(text):
            return None
        digits = _DIGITS.sub("", text)
        if text.startswith("+"):
            if not digits.startswith("55"):
                return None
            digits = digits[2:]
        elif region != "BR":
            return None
        elif len(digits) in (11, 12) and digits[0] == "0":
            # The trunk prefix "0" before the area code ("011 98765-4321"): with only 10 or 11
            # digits after it, there is no room for a carrier code, so phonenumbers drops the 0.
            digits = digits[1:]
        # Any other leading 0 or 90 is a carrier code that phonenumbers rewrites.
        if len(digits) not in (10, 11) or digits[0] == "0" or digits.startswith("90"):
            return None
        if not self.general.fullmatch(digits):
            return None
        for pattern, lengths in self.kinds:
            if len(digits) in lengths and pattern.fullmatch(digits):
                return "+55" + digits
        return None


_BRAZIL: _BrazilianNumbers | None = None


def clean_phone(value: Any, field: str = "phone", *, region: str = "BR") -> str:
    """Normalise to E.164 (``+5511987654321``); national numbers use the workspace region."""
    global _BRAZIL
    text = str(value or "").strip()
    if not text:
        return ""
    if _BRAZIL is None:
        _BRAZIL = _BrazilianNumbers()
    quick = _BRAZIL.e164(text, (region or "BR").upper())
    if quick is not None:
        return quick
    try:
        number = phonenumbers.parse(text, region or "BR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationFailed.field(
            field,
            _("%(value)r is not a valid phone number for %(region)s.")
            % {"value": text, "region": region or "BR"},
            "invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# A number as people type it into a search box: digits with an optional leading +, spaces,
# brackets, dots, dashes and slashes (phones, CPF 529.982.247-25, CNPJ 12.345.678/0001-95).
_TYPED_NUMBER = re.compile(r"\+?[0-9 ().\-/]+")


@dataclass(frozen=True)
class TypedNumber:
    """What a number typed into a search box can be, in the forms the records store.

    ``digits`` are the digits typed (a CPF/CNPJ or its beginning); ``phones`` the E.164 numbers
    it can be in full; ``phone_prefixes`` the E.164 beginnings it can be (a number still being
    typed). Every form is matched by equality or a range on an indexed column.
    """

    digits: str
    phones: frozenset[str]
    phone_prefixes: tuple[str, ...]


def typed_number(text: str, region: str = "BR") -> TypedNumber | None:
    """Read ``text`` as a phone or document number in any usual spelling; None when it is not one.

    ``71 98206-1917``, ``(71) 98206-1917``, ``071 98206-1917``, ``+55 (71) 98206-1917`` and
    ``5571982061917`` are all ``+5571982061917``; with a Brazilian workspace a local number
    without its area code (``98206-1917``) is that number in every area code.
    """
    text = text.strip()
    if not _TYPED_NUMBER.fullmatch(text):
        return None
    digits = _DIGITS.sub("", text)
    if not digits:
        return None
    region = (region or "BR").upper()
    phones: set[str] = set()
    try:
        phones.add(clean_phone(text, region=region))
        complete = True
    except ValidationFailed:
        complete = False
    if not text.startswith("+") and len(digits) >= 12:
        with suppress(ValidationFailed):  # the country code typed without its "+"
            phones.add(clean_phone("+" + digits, region=region))
    if region == "BR" and not text.startswith("+") and len(digits) in (8, 9):
        global _BRAZIL
        if _BRAZIL is None:
            _BRAZIL = _BrazilianNumbers()
        # Brazilian area codes are 11 to 99 without a 0; the metadata keeps the real ones.
        local = [digits, "9" + digits] if len(digits) == 8 and digits[0] in "6789" else [digits]
        for area in range(11, 100):
            for number in local:
                found = _BRAZIL.e164(f"{area}{number}", "BR") if area % 10 else None
                if found is not None:
                    phones.add(found)
    prefixes: list[str] = []
    if not complete:
        if text.startswith("+"):
            prefixes.append("+" + digits)
        else:
            national = digits[1:] if digits.startswith("0") else digits
            code = str(phonenumbers.country_code_for_region(region) or "")
            if code and national.startswith(code) and len(national) > 11:
                prefixes.append("+" + national)
            elif code and len(national) >= 4:
                prefixes.append(f"+{code}{national}")
    return TypedNumber(digits, frozenset(phones), tuple(prefixes))


def _cpf_check_digits_ok(digits: str) -> bool:
    """The two CPF check digits (mod 11); eleven equal digits are refused, as Receita does."""
    if len(digits) != 11 or digits == digits[0] * 11:
        return False
    n = [ord(c) - 48 for c in digits]
    first = 10 * n[0] + 9 * n[1] + 8 * n[2] + 7 * n[3] + 6 * n[4] + 5 * n[5] + 4 * n[6]
    first = (first + 3 * n[7] + 2 * n[8]) * 10 % 11 % 10
    second = 11 * n[0] + 10 * n[1] + 9 * n[2] + 8 * n[3] + 7 * n[4] + 6 * n[5] + 5 * n[6]
    second = (second + 4 * n[7] + 3 * n[8] + 2 * n[9]) * 10 % 11 % 10
    return first == n[9] and second == n[10]


def clean_cpf(value: Any, field: str = "cpf") -> str:
    """Eleven digits with valid check digits (punctuation accepted on input)."""
    digits = _DIGITS.sub("", str(value or ""))
    if not digits:
        return ""
    if not _cpf_check_digits_ok(digits):
        raise ValidationFailed.field(field, _("This CPF is not valid."), "invalid_cpf")
    return digits


def clean_cnpj(value: Any, field: str = "cnpj") -> str:
    """Fourteen digits with valid check digits (punctuation accepted on input)."""
    digits = _DIGITS.sub("", str(value or ""))
    if not digits:
        return ""
    if len(digits) != 14 or not CNPJ().validate(digits):
        raise ValidationFailed.field(field, _("This CNPJ is not valid."), "invalid_cnpj")
    return digits


def clean_url(value: Any, field: str = "url") -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if "://" not in text:
        text = f"https://{text}"
    try:
        parsed = urlparse(text)
        # Reading hostname and port checks them: "http://[::1", "https://[zz]/", ":99999".
        valid = parsed.scheme in {"http", "https"} and "." in (parsed.hostname or "")
        valid = valid and (parsed.port is None or parsed.port > 0)
    except ValueError:
        valid = False
    if not valid:
        raise ValidationFailed.field(field, _("Enter a valid web address."), "invalid_url")
    return text


def clean_decimal(
    value: Any, field: str, *, places: int = 2, max_digits: int = 14, minimum: Decimal | None = None
) -> Decimal | None:
    """A Decimal with at most ``places`` decimals; accepts ``1234.5`` and ``"1.234,50"``."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationFailed.field(field, _("Enter a number."), "invalid_number")
    text = str(value).strip()
    if isinstance(value, str) and "," in text:
        text = text.replace(".", "").replace(",", ".")  # Brazilian 1.234,50
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed.field(field, _("Enter a number."), "invalid_number") from None
    if not number.is_finite():
        raise ValidationFailed.field(field, _("Enter a number."), "invalid_number")
    # Before quantizing: 1e308 or 1e999999 have more digits than any context holds.
    if number and number.adjusted() >= max_digits - max(places, 0):
        raise ValidationFailed.field(field, _("This number is too large."), "too_large")
    if number and number.adjusted() < -(max_digits + max(places, 0)):
        raise ValidationFailed.field(
            field, _("At most %(n)s decimal places.") % {"n": places}, "too_precise"
        )
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum) if places >= 0 else False:
        raise ValidationFailed.field(
            field, _("At most %(n)s decimal places.") % {"n": places}, "too_precise"
        )
    if len(number.quantize(quantum).as_tuple().digits) > max_digits:
        raise ValidationFailed.field(field, _("This number is too large."), "too_large")
    if minimum is not None and number < minimum:
        raise ValidationFailed.field(
            field, _("Must be at least %(min)s.") % {"min": format_number(minimum)}, "too_small"
        )
    return number.quantize(quantum)


def clean_date(value: Any, field: str) -> date | None:
    """A date from ISO ``YYYY-MM-DD``; a well-formed day that is not in the calendar
    (2026-02-30) is said not to exist, not to be in the wrong format."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        parsed = parse_date(text)
    except ValueError:  # Django raises only for the right shape with an impossible day
        raise ValidationFailed.field(
            field, _("The date %(value)s does not exist.") % {"value": text}, "invalid_date"
        ) from None
    if parsed is None:
        raise ValidationFailed.field(field, _("Enter a date as YYYY-MM-DD."), "invalid_date")
    return parsed


def clean_datetime(value: Any, field: str) -> datetime | None:
    """An aware datetime; naive input is read in the current (workspace) time zone. A
    well-formed moment that is not in the calendar (2026-02-30T10:00) is said not to exist."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed: datetime | None = value
    else:
        text = str(value).strip()
        try:
            parsed = parse_datetime(text)
        except ValueError:  # the right shape with an impossible day or time
            raise ValidationFailed.field(
                field,
                _("The date and time %(value)s does not exist.") % {"value": text},
                "invalid_datetime",
            ) from None
    if parsed is None:
        raise ValidationFailed.field(
            field,
            _("Enter a date and time in ISO 8601 (2026-03-01T14:30:00-03:00)."),
            "invalid_datetime",
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def clean_bool(value: Any, field: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "sim", "s", "y"}:
        return True
    if text in {"false", "0", "no", "não", "nao", "n"}:
        return False
    raise ValidationFailed.field(field, _("Enter true or false."), "invalid_boolean")


def clean_currency(value: Any, field: str = "currency") -> str:
    code = str(value or "").strip().upper()
    if code not in list_currencies():
        raise ValidationFailed.field(
            field,
            _("Unknown currency %(code)r; use an ISO 4217 code such as BRL.") % {"code": code},
            "invalid_currency",
        )
    return code


def whole_number(
    errors: list[FieldError], field: str, value: Any, *, low: int, high: int
) -> int | None:
    """``value`` as a whole number from ``low`` to ``high`` (None when empty); a bad one adds
    its error to ``errors`` (a form reports every bad field at once)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        errors.append(FieldError(field, _("Send a whole number."), "invalid_type"))
        return None
    try:
        number = int(value)
    except ValueError:
        errors.append(FieldError(field, _("Send a whole number."), "invalid_type"))
        return None
    if not low <= number <= high:
        errors.append(
            FieldError(
                field,
                _("Send a number from %(low)s to %(high)s.") % {"low": low, "high": high},
                "out_of_range",
            )
        )
        return None
    return number
