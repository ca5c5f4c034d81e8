"""Values as a reader reads them: one formatter per kind of value, in the active language.

Money, numbers and percentages follow babel's CLDR data for the interface language
(``R$ 3.150,00`` in Portuguese, ``R$3,150.00`` in English); phones, CPF and CNPJ are written the
way people write them (``(11) 91234-5678``, ``529.982.247-25``, ``12.345.678/0001-95``). The
template filters of ``web/templatetags/vinculo.py`` are these functions; messages with numbers use
them too. The API keeps the stored (machine) forms.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import phonenumbers
from babel import Locale
from babel.numbers import format_compact_currency, format_currency, format_decimal
from babel.numbers import format_percent as babel_percent
from django.conf import settings
from django.utils.translation import get_language, ngettext, to_locale
from django.utils.translation import gettext as _

_PLAIN_PHONE = phonenumbers.PhoneNumberFormat


def babel_locale(language: str | None = None) -> Locale:
    """babel's locale of ``language`` (the active one by default), English when babel has none."""
    return _locale(language or get_language() or settings.LANGUAGE_CODE)


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (ValueError, LookupError):
        return Locale.parse("en")


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@lru_cache(maxsize=256)
def _money_shape(currency: str, language: str) -> tuple[str, str, str, str, int] | None:
    """How ``language`` writes an amount of ``currency`` (prefix, group and decimal separators,
    suffix, decimals), read once from babel's formatting of a sample amount."""
    try:
        sample = str(format_currency(Decimal(7777), currency, locale=babel_locale(language)))
    except (ValueError, LookupError):
        return None
    first, last = sample.find("7"), sample.rfind("7")
    if first < 0 or sample[first + 1 : first + 2].isdigit():
        return None  # no grouping of thousands: leave it to babel
    group = sample[first + 1]
    end = last + 1
    decimal_sep, places = "", 0
    if end < len(sample) and not sample[end].isdigit() and sample[end + 1 : end + 2] == "0":
        decimal_sep = sample[end]
        end += 1
        while end < len(sample) and sample[end] == "0":
            places += 1
            end += 1
    return sample[:first], group, decimal_sep, sample[end:], places


def format_money(amount: Any, currency: str | None = None, language: str | None = None) -> str:
    """``amount`` in ``currency`` (BRL by default) as ``language`` (the active one) writes it:
    ``R$ 1.234,56`` in Portuguese, ``R$1,234.56`` in English. The pattern is worked out once per
    currency and language (timelines format thousands of purchases)."""
    value = _decimal(amount)
    if value is None:
        return "" if amount is None or amount == "" else str(amount)
    code = (currency or "BRL").upper()
    language = language or get_language() or settings.LANGUAGE_CODE
    shape = _money_shape(code, language)
    if shape is None:
        try:
            return str(format_currency(value, code, locale=babel_locale(language)))
        except (ValueError, LookupError):  # an unknown currency: still a localised number
            return f"{code} {format_number(value, language=language)}"
    prefix, group, decimal_sep, suffix, places = shape
    text = f"{value:,.{places}f}".translate({44: "\x00", 46: "\x01"})
    sign = ""
    if text.startswith("-"):
        sign, text = "-", text[1:]
    return sign + prefix + text.replace("\x00", group).replace("\x01", decimal_sep) + suffix


COMPACT_FROM = Decimal(1_000_000)


def format_money_compact(
    amount: Any, currency: str | None = None, language: str | None = None
) -> str:
    """A large ``amount`` short enough for a counter, from a million on: ``R$ 2,16 mi`` in
    Portuguese, ``R$2.16M`` in English (show :func:`format_money`'s full amount beside it, in a
    title); smaller amounts as :func:`format_money` writes them."""
    value = _decimal(amount)
    if value is None or abs(value) < COMPACT_FROM:
        return format_money(amount, currency, language)
    language = language or get_language() or settings.LANGUAGE_CODE
    try:
        return str(
            format_compact_currency(
                value, (currency or "BRL").upper(), locale=babel_locale(language), fraction_digits=2
            )
        )
    except (ValueError, LookupError):
        return format_money(amount, currency, language)


def format_number(
    value: Any, places: int | None = None, language: str | None = None, *, trim: bool = False
) -> str:
    """A number with the reader's separators (``1.234,5`` / ``1,234.5``); a Decimal keeps its
    decimals (``0.00`` → ``0,00``) unless ``places`` is given, or ``trim`` drops the trailing
    zeros (a quantity ``10.000`` → ``10``)."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    if trim and places is None:
        number = number.normalize()
    if places is None:
        exponent = number.as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places > 0 else "")
    return str(format_decimal(number, format=pattern, locale=babel_locale(language)))


def format_percent(value: Any, language: str | None = None) -> str:
    """A percentage given in percent (``12.5`` → ``12,5%`` / ``12.5%``; ``80`` → ``80%``)."""
    number = _decimal(value)
    if number is None:
        return "" if value is None else str(value)
    return str(babel_percent(number / 100, format="#,##0.##%", locale=babel_locale(language)))


def format_phone(value: Any, region: str | None = "BR") -> str:
    """A stored E.164 phone as people write it: national (``(11) 91234-5678``) when it is a
    number of ``region`` (Brazil by default), international (``+1 415-555-2671``) otherwise;
    anything that is not a number as it is."""
    text = str(value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, (region or "BR").upper())
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(number):
        return text
    same = phonenumbers.region_code_for_number(number) == (region or "BR").upper()
    return phonenumbers.format_number(
        number, _PLAIN_PHONE.NATIONAL if same else _PLAIN_PHONE.INTERNATIONAL
    )


def format_cpf(value: Any) -> str:
    """``52998224725`` → ``529.982.247-25`` (anything else as it is)."""
    text = str(value or "").strip()
    if len(text) != 11 or not text.isdigit():
        return text
    return f"{text[:3]}.{text[3:6]}.{text[6:9]}-{text[9:]}"


def format_cnpj(value: Any) -> str:
    """``12345678000195`` → ``12.345.678/0001-95`` (anything else as it is)."""
    text = str(value or "").strip()
    if len(text) != 14 or not text.isdigit():
        return text
    return f"{text[:2]}.{text[2:5]}.{text[5:8]}/{text[8:12]}-{text[12:]}"


def format_days(count: Any) -> str:
    """A number of whole days: ``today`` for 0, ``1 day``, ``3 days`` (translated)."""
    n = int(count or 0)
    if n == 0:
        return _("today")
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": format_number(n)}


def format_duration(seconds: Any) -> str:
    """A length of time: ``2 days 4 h``, ``5 h``, ``12 min``."""
    if seconds is None or seconds == "":
        return ""
    total = max(0, int(seconds))
    d, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m = rest // 60
    if d:
        text = ngettext("%(n)s day", "%(n)s days", d) % {"n": format_number(d)}
        return f"{text} {h} h" if h else text
    if h:
        return f"{h} h"
    return f"{m} min"


# The record fields whose stored form is not how people write them (and the phones).
PHONE_FIELDS = frozenset({"phone", "mobile_phone"})
DOCUMENT_FORMATTERS = {"cpf": format_cpf, "cnpj": format_cnpj}


def format_field(value: Any, key: str, region: str | None = "BR") -> str:
    """``value`` of the record field ``key`` as people write it (a phone, CPF or CNPJ); other
    fields as they are."""
    if value is None:
        return ""
    if key in PHONE_FIELDS:
        return format_phone(value, region)
    formatter = DOCUMENT_FORMATTERS.get(key)
    return formatter(value) if formatter is not None else str(value)
