"""The readable line the timeline shows for an event, in the active language.

Runs once per stored event: the money pattern and each translated line are worked out once per
language, not per event.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from vinculo.core.formats import format_money
from vinculo.events.models import event_name_label

# --- summaries ------------------------------------------------------------------------------


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


def kept(name: str, properties: Any, purchase: dict[str, Any] | None) -> dict[str, Any]:
    """A timeline entry's ``data["text"]`` for an event, worded when read (``timeline_text``);
    the ingestion path writes the same JSON (``writing._entry_data``)."""
    return {"via": "event", "name": name, "properties": properties or {}, "purchase": purchase}


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
        money = format_money(purchase["amount"], purchase["currency"], lang)
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
    return t(gettext_noop("Event %(name)s")) % {"name": event_name_label(name)}
