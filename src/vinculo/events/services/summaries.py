"""The readable line the timeline shows for an event, in the active language.

Runs once per stored event: the money pattern and each translated line are worked out once per
language, not per event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings as django_settings
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop, to_locale
from django.utils.translation import gettext as _

# --- summaries ------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _babel_locale(language: str) -> Any:
    from babel import Locale

    try:
        return Locale.parse(to_locale(language))
    except (ValueError, LookupError):
        return Locale.parse("en")


@lru_cache(maxsize=256)
def _money_shape(currency: str, language: str) -> tuple[str, str, str, str, int] | None:
    """How ``language`` writes an amount of ``currency`` (prefix, group and decimal separators,
    suffix, decimals), read once from babel's formatting of a sample amount."""
    from babel.numbers import format_currency

    try:
        sample = str(format_currency(Decimal(7777), currency, locale=_babel_locale(language)))
    except (ValueError, LookupError):
        return None
    first, last = sample.find("7"), sample.rfind("7")
    if first < 0 or sample[first + 1 : first + 2].isdigit():
        return None  # no grouping of thousands: leave it to babel
    group = sample[first + 1]
    end = last + 1
    decimal_sep, places = "", 0
    while end < len(sample) and not sample[end].isdigit() and sample[end + 1 : end + 2] == "0":
        decimal_sep = sample[end]
        end += 1
        while end < len(sample) and sample[end] == "0":
            places += 1
            end += 1
        break
    return sample[:first], group, decimal_sep, sample[end:], places


def _money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """Like the deal screens' ``format_money`` (babel's CLDR data), with the pattern worked out
    once per currency and language: this runs for every purchase of a batch."""
    language = language or get_language() or django_settings.LANGUAGE_CODE
    shape = _money_shape(currency, language)
    if shape is None:
        from babel.numbers import format_currency

        try:
            return str(format_currency(amount, currency, locale=_babel_locale(language)))
        except (ValueError, LookupError):
            return f"{currency} {amount}"
    prefix, group, decimal_sep, suffix, places = shape
    text = f"{amount:,.{places}f}".translate({44: "\x00", 46: "\x01"})
    return prefix + text.replace("\x00", group).replace("\x01", decimal_sep) + suffix


@lru_cache(maxsize=256)
def _cached_gettext(language: str | None, message: str) -> str:
    # Keyed by the language active when it is called (callers pass ``get_language()``).
    return _(message)


def summarizer() -> Callable[[str, dict[str, Any], dict[str, Any] | None], str]:
    """:func:`summarize` bound to the active language, asked for once: a batch summarises
    every event, and Django's ``get_language`` is not free."""
    language = get_language()
    return lambda name, properties, purchase: _summarize(name, properties, purchase, language)


def summarize(name: str, properties: dict[str, Any], purchase: dict[str, Any] | None) -> str:
    """The readable line the timeline shows for an event, in the active language."""
    return _summarize(name, properties, purchase, get_language())


def summary_of(event: Any, purchase: Any = None) -> str:
    """A stored event's line in the active language, written when it is read: the stored
    ``summary`` is in the language of whoever sent the event. ``purchase`` is the event's
    :class:`~vinculo.events.models.Purchase`, if any."""
    bought = None
    if purchase is not None:
        bought = {"amount": purchase.amount, "currency": purchase.currency}
        bought["order_id"] = purchase.order_id
    return summarize(event.name, event.properties or {}, bought)


def _summarize(
    name: str, properties: dict[str, Any], purchase: dict[str, Any] | None, lang: str | None
) -> str:
    def t(message: str) -> str:
        # ``gettext`` memoised per language: a 1,000-event batch asks for the same few lines.
        return _cached_gettext(lang, message)

    p = properties
    if name == "purchase" and purchase is not None:
        money = _money(purchase["amount"], purchase["currency"], lang)
        if purchase.get("order_id"):
            return t(gettext_noop("Bought %(amount)s (order %(order)s)")) % {
                "amount": money,
                "order": purchase["order_id"],
            }
        return t(gettext_noop("Bought %(amount)s")) % {"amount": money}
    if name == "page_viewed":
        if p.get("path"):
            return t(gettext_noop("Viewed %(path)s")) % {"path": p["path"]}
        return t(gettext_noop("Viewed a page"))
    if name == "appointment_booked":
        if p.get("starts_at"):
            when = timezone.localtime(datetime.fromisoformat(p["starts_at"]))
            return t(gettext_noop("Booked an appointment for %(when)s")) % {
                "when": when.strftime("%Y-%m-%d %H:%M")
            }
        return t(gettext_noop("Booked an appointment"))
    if name == "form_submitted":
        if p.get("form"):
            return t(gettext_noop("Submitted the form %(form)s")) % {"form": p["form"]}
        return t(gettext_noop("Submitted a form"))
    if name == "content_downloaded":
        if p.get("title"):
            return t(gettext_noop("Downloaded %(title)s")) % {"title": p["title"]}
        return t(gettext_noop("Downloaded content"))
    if name == "promo_code_used":
        return t(gettext_noop("Used the promo code %(code)s")) % {"code": p.get("code", "")}
    if name == "event_signed_up":
        if p.get("event_name"):
            return t(gettext_noop("Signed up for %(event)s")) % {"event": p["event_name"]}
        return t(gettext_noop("Signed up for an event"))
    if name == "email_opened":
        return t(gettext_noop("Opened an email"))
    if name == "email_clicked":
        if p.get("url"):
            return t(gettext_noop("Clicked %(url)s in an email")) % {"url": p["url"]}
        return t(gettext_noop("Clicked a link in an email"))
    return t(gettext_noop("Event %(name)s")) % {"name": name}
