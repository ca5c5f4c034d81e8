"""Imports, messages: rejection reasons (and the other messages an import stores) are kept as a
code plus parameters, never as text in the language of whoever ran the import, and rendered in
the reader's language (screen, API ``Accept-Language``, rejected-rows CSV, command line).

A stored reason is ``{"column", "field", "code", "msgid", "params"}``: ``msgid`` is the English
message id from the translation catalogue and ``params`` its ``%(name)s`` values. Messages raised
by the contacts and sales services arrive translated; :func:`coded` recovers their message id and
parameters by matching them against the catalogue's messages in every language of the product.
Rows stored before this (``{"column", "field", "message"}`` in one language) are read the same
way, so an old Portuguese reason is shown in English too when it matches a known message.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import trans_real

from vinculo.core.errors import FieldError

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]|%%")


def reason(
    column: str,
    field: str,
    msgid: str,
    params: dict[str, Any] | None = None,
    code: str = "invalid",
) -> dict[str, Any]:
    """A rejection reason to store: the column and service field it is about, an error code,
    and the message as its English id plus parameters (``gettext_noop`` ids)."""
    return {
        "column": column,
        "field": field,
        "code": code,
        "msgid": str(msgid),
        "params": {k: str(v) for k, v in (params or {}).items()},
    }


def reason_from_error(column: str, error: FieldError) -> dict[str, Any]:
    """A service's field error (translated text) as a stored reason (message id + params)."""
    msgid, params = coded(str(error.message)) or (str(error.message), {})
    return reason(column, error.field, msgid, params, error.code)


NESTED_MESSAGES = {"why"}


def render(msgid: str, params: dict[str, Any]) -> str:
    """A message id and its parameters in the active language."""
    template = _(msgid) if msgid else ""

    def value(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        found = str(params.get(match.group(1), match.group(0)))
        # A part that is itself a message (an email's "why") is worded for the reader too.
        return message_text(found) if match.group(1) in NESTED_MESSAGES else found

    return _PLACEHOLDER.sub(value, template) if params or "%%" in template else template


def message_text(text: str) -> str:
    """A message stored as text (an old reason, an import's error) in the active language when
    it is one of the product's messages; else as it is."""
    found = coded(text)
    return render(*found) if found else text


def reason_text(stored: dict[str, Any]) -> str:
    """A stored reason's message in the active language (old rows: their text, translated when
    it is a known message)."""
    if "msgid" in stored:
        return render(str(stored["msgid"]), stored.get("params") or {})
    return message_text(str(stored.get("message") or ""))


def reason_line(stored: dict[str, Any]) -> str:
    """``column: message`` (the column, else the field), as the CSV and the command line show."""
    where = stored.get("column") or stored.get("field") or ""
    return f"{where}: {reason_text(stored)}".lstrip(": ")


def reasons_out(stored: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Stored reasons as the screens and the API show them: column, field, code and message in
    the active language."""
    return [
        {
            "column": str(r.get("column") or ""),
            "field": str(r.get("field") or ""),
            "code": str(r.get("code") or "invalid"),
            "message": reason_text(r),
        }
        for r in stored
    ]


# --- from translated text back to message id + parameters -------------------------------------


@dataclass(frozen=True)
class _Pattern:
    prefix: str
    regex: re.Pattern[str]
    msgid: str
    weight: int


@dataclass
class _Templates:
    exact: dict[str, str]
    patterns: list[_Pattern]


def coded(text: str) -> tuple[str, dict[str, str]] | None:
    """The message id and parameters ``text`` was made from, in any language of the product
    (the one with the most literal text wins); None when it is not a catalogue message."""
    text = str(text or "").strip()
    if not text:
        return None
    best: tuple[int, str, dict[str, str]] | None = None
    for language, _name in settings.LANGUAGES:
        templates = _templates(language)
        if text in templates.exact:
            return templates.exact[text], {}
        for pattern in templates.patterns:
            if best is not None and pattern.weight <= best[0]:
                continue
            if not text.startswith(pattern.prefix):
                continue
            match = pattern.regex.fullmatch(text)
            if match:
                best = (pattern.weight, pattern.msgid, match.groupdict())
    return (best[1], best[2]) if best else None


def _msgids() -> set[str]:
    ids: set[str] = set()
    for language, _name in settings.LANGUAGES:
        # The merged catalogue of every app (gettext's own attribute, not typed by the stubs).
        catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
        ids.update(k for k, _v in catalog.items() if isinstance(k, str) and k and "\x04" not in k)
    return ids


@functools.cache
def _templates(language: str) -> _Templates:
    translation = trans_real.translation(language)
    exact: dict[str, str] = {}
    patterns: list[_Pattern] = []
    for msgid in sorted(_msgids()):
        template = translation.gettext(msgid)
        if "%" not in template:
            exact.setdefault(template, msgid)
            continue
        compiled = _compile(template)
        if compiled is not None:
            regex, prefix, weight = compiled
            patterns.append(_Pattern(prefix, regex, msgid, weight))
    patterns.sort(key=lambda p: -p.weight)
    return _Templates(exact, patterns)


def _compile(template: str) -> tuple[re.Pattern[str], str, int] | None:
    """A template with ``%(name)s`` placeholders as a regex; None for other formats."""
    parts: list[str] = []
    seen: set[str] = set()
    literal = ""
    prefix: str | None = None
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        chunk = template[position : match.start()]
        if "%" in chunk:
            return None  # positional or other formats: not ours to parse
        parts.append(re.escape(chunk))
        literal += chunk
        position = match.end()
        if match.group(0) == "%%":
            parts.append("%")
            literal += "%"
            continue
        if prefix is None:
            prefix = literal
        name = match.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
    tail = template[position:]
    literal += tail
    # Too little fixed text ("%(a)s: %(b)s") would match any message: not a code for it.
    if "%" in tail or not seen or len(literal.strip()) < 8:
        return None
    parts.append(re.escape(tail))
    return re.compile("".join(parts), re.DOTALL), prefix or "", len(literal)
