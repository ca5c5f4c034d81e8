"""How the matcher reads a value before comparing it: one normal form per kind of field.

Pure functions over text (no database): names and places lose case, accents and punctuation;
identifiers keep letters and digits; emails lose ``+tags`` and Gmail dots; phones keep their
last ten digits; dates become ``YYYYMMDD``. Names also get a Portuguese-aware phonetic key for
blocking, so spellings that sound alike meet.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import jellyfish

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"\D+")
PARTICLES = frozenset({"da", "de", "do", "das", "dos", "e", "di", "du", "del"})
# Mailboxes shared by many people: their local part says nothing about who wrote.
GENERIC_LOCAL = frozenset(
    {"contato", "contact", "info", "admin", "vendas", "sales", "suporte", "support", "financeiro",
     "comercial", "atendimento", "rh", "sac", "noreply", "no-reply", "email", "mail", "teste"}
)  # fmt: skip
_GMAIL = frozenset({"gmail.com", "googlemail.com"})
COMPANY_SUFFIXES = frozenset(
    {"ltda", "me", "epp", "sa", "eireli", "s", "a", "cia", "inc", "mei", "limitada", "ss"}
)
# Street words written in full or abbreviated: "R." and "Rua", "Av" and "Avenida" compare alike.
_STREET_WORDS = {
    "r": "rua", "av": "avenida", "avda": "avenida", "al": "alameda", "tv": "travessa",
    "trav": "travessa", "rod": "rodovia", "est": "estrada", "pca": "praca", "pc": "praca",
    "st": "street", "rd": "road", "ave": "avenue", "dr": "drive", "cres": "crescent",
    "pl": "place", "cl": "close", "ct": "court", "tce": "terrace",
}  # fmt: skip


@lru_cache(maxsize=400_000)
def plain(text: str) -> str:
    """Lowercase, accents dropped, anything but letters and digits turned into single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", ascii_text).strip()


_PT_RULES = (
    ("ph", "f"), ("lh", "li"), ("nh", "ni"), ("ch", "x"), ("sh", "x"), ("th", "t"),
    ("y", "i"), ("w", "v"), ("k", "c"), ("ss", "s"), ("sc", "s"), ("qu", "c"), ("gu", "g"),
    ("z", "s"),
)  # fmt: skip


@lru_cache(maxsize=400_000)
def phonetic(token: str) -> str:
    """A Portuguese-aware phonetic key: spelling variants that sound alike in Brazilian
    Portuguese (ph/f, lh/li, y/i, z/s, silent initial h, doubled letters) are folded first,
    then jellyfish's metaphone keeps the consonant skeleton."""
    word = token
    for old, new in _PT_RULES:
        word = word.replace(old, new)
    word = word.lstrip("h")
    word = re.sub(r"(.)\1+", r"\1", word)
    return jellyfish.metaphone(word) or word


def name_text(value: Any) -> str:
    """A person's name part: plain, particles ("da", "dos"…) dropped."""
    return " ".join(t for t in plain(str(value or "")).split() if t not in PARTICLES)


def company_text(value: Any) -> str:
    """A company name: plain, legal suffixes (Ltda, ME, S/A…) dropped."""
    tokens = [t for t in plain(str(value or "")).split() if t not in COMPANY_SUFFIXES]
    return " ".join(tokens)


def place_text(value: Any) -> str:
    """A street, district or city: plain, the usual abbreviations written in full."""
    return " ".join(_STREET_WORDS.get(t, t) for t in plain(str(value or "")).split())


def identifier(value: Any) -> str:
    """A document or code: letters and digits only, upper case ("123.456.789-09" → digits)."""
    return "".join(c for c in str(value or "").upper() if c.isalnum())


def digits(value: Any) -> str:
    return _DIGITS.sub("", str(value or ""))


def email(value: Any) -> tuple[str, str]:
    """``(address, local part)``: lowercase, ``+tags`` dropped, Gmail dots ignored."""
    text = str(value or "").strip().lower()
    if "@" not in text:
        return "", ""
    local, _sep, domain = text.rpartition("@")
    local = local.split("+", 1)[0]
    if domain in _GMAIL:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}", local


def phone(value: Any) -> str:
    """The last 10 digits: the same line written with or without +55, a leading 0 or
    punctuation gives the same key (stored phones are already E.164)."""
    found = digits(value)
    return found[-10:] if len(found) >= 8 else ""


def day(value: Any) -> str:
    """A date as ``YYYYMMDD`` (from a date, an ISO string or eight digits); "" when unreadable."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%Y%m%d")
    found = digits(value)
    return found if len(found) == 8 else ""


def number(value: Any) -> str:
    """A street number or any short code: plain, no blanks."""
    return plain(str(value or "")).replace(" ", "")
