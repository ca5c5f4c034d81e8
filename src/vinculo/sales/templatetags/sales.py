"""Template helpers of the deal screens: money in the interface's locale, initials, durations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_compact_currency, format_currency
from django import template
from django.conf import settings
from django.utils.translation import get_language, ngettext, to_locale

register = template.Library()


def format_money(amount: Any, currency: str | None = None) -> str:
    """``amount`` in ``currency`` as the interface language writes it: ``R$ 1.234,56`` in
    Portuguese, ``R$1,234.56`` in English (babel's CLDR data)."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    code = (currency or "BRL").upper()
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    try:
        return str(format_currency(value, code, locale=locale))
    except (ValueError, LookupError):  # an unknown locale or currency: still show the number
        return f"{code} {value}"


COMPACT_FROM = Decimal(1_000_000)


def format_money_compact(amount: Any, currency: str | None = None) -> str:
    """A large ``amount`` short enough for a counter: ``R$ 2,16 mi`` in Portuguese, ``R$2.16M``
    in English from a million on; smaller amounts as :func:`format_money` writes them."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return format_money(amount, currency)
    if abs(value) < COMPACT_FROM:
        return format_money(amount, currency)
    code = (currency or "BRL").upper()
    locale = to_locale(get_language() or settings.LANGUAGE_CODE)
    try:
        return str(format_compact_currency(value, code, locale=locale, fraction_digits=2))
    except (ValueError, LookupError):
        return format_money(amount, currency)


@register.filter
def money(amount: Any, currency: str | None = None) -> str:
    return format_money(amount, currency)


@register.filter
def initials(user: Any) -> str:
    """Up to two letters for a user: ``Ana Souza`` → ``AS``, ``bruno@x`` → ``B``."""
    if user is None:
        return ""
    name = (getattr(user, "full_name", "") or getattr(user, "email", "") or str(user)).strip()
    if "@" in name and " " not in name:
        name = name.split("@")[0]
    words = [w for w in name.replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper()


@register.filter
def days(count: Any) -> str:
    """``3`` → ``3 days``; ``1`` → ``1 day`` (translated)."""
    n = int(count or 0)
    return ngettext("%(n)s day", "%(n)s days", n) % {"n": n}


@register.filter
def duration(seconds: Any) -> str:
    """A stay in a stage: ``2 days 4 h``, ``5 h``, ``12 min``."""
    if seconds is None:
        return ""
    total = max(0, int(seconds))
    d, rest = divmod(total, 86400)
    h, rest = divmod(rest, 3600)
    m = rest // 60
    if d:
        text = ngettext("%(n)s day", "%(n)s days", d) % {"n": d}
        return f"{text} {h} h" if h else text
    if h:
        return f"{h} h"
    return f"{m} min"
