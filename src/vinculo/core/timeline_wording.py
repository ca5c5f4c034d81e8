"""Timeline lines kept as a message and its parameters, worded when read in the reader's
language (issue 14: stored text is a code plus parameters).

An entry's ``data["text"]`` is either ``{"message": msgid, "params": {...}}`` or
``{"via": name, ...}``, worded by the renderer an app registered under ``name`` (tracked events
register ``"event"``). A parameter is kept as is, except:

- ``{"t": msgid}``: the message translated when read (a choice's label, a default name);
- ``{"money": [amount, currency]}``: the amount in the reader's locale (``core.formats``);
- a list: its parts worded and joined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from vinculo.core.formats import format_money

_RENDERERS: dict[str, Callable[[dict[str, Any]], str]] = {}


def register(name: str, renderer: Callable[[dict[str, Any]], str]) -> None:
    """Word the entries whose ``data["text"]`` is ``{"via": name, ...}`` with ``renderer``."""
    _RENDERERS[name] = renderer


def text(message: str, params: dict[str, Any]) -> dict[str, Any]:
    """What an entry keeps: an untranslated ``message`` (``gettext_noop``) and its parameters."""
    return {"message": str(message), "params": params}


def label(choice: Any) -> dict[str, str]:
    """A translatable label (a choice's, a ``gettext_lazy`` string) kept as its message id."""
    with translation.override(None):
        return {"t": str(choice)}


def word(kept: Any) -> str | None:
    """The line ``kept`` (an entry's ``data["text"]``) in the active language; ``None`` when
    there is nothing to word or it cannot be (the entry then shows its stored summary)."""
    if not isinstance(kept, dict):
        return None
    try:
        via = kept.get("via")
        if via:
            renderer = _RENDERERS.get(via)
            return renderer(kept) if renderer is not None else None
        if not kept.get("message"):
            return None
        params = kept.get("params") or {}
        return gettext(kept["message"]) % {k: _param(v) for k, v in params.items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _param(value: Any) -> Any:
    if isinstance(value, list):
        return "".join(str(_param(v)) for v in value)
    if isinstance(value, dict):
        if "t" in value:
            return gettext(value["t"]) if value["t"] else ""
        if "money" in value:
            amount, currency = value["money"]
            return format_money(amount, currency)
    return value
