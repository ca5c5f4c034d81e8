"""How text is compared: one fold for identity and uniqueness, in Python, on every database.

SQL ``LOWER()`` folds ASCII only on SQLite and follows the collation on PostgreSQL, so two
databases (and Python's ``str.lower()``) disagree on "PROMOÇÃO", "Straße" or "İ". Wherever two
spellings must name the same thing (a tag, a stage, a pipeline…), the record stores
``fold(name)`` in a key column and look-ups compare keys computed here.

This is identity (accents kept: "promoção" and "promocao" are two tags). The order names are
read in and searched by (accents dropped) is core.collation's ``sort_key``.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db.models import QuerySet

__all__ = ["fold", "name_taken"]


def fold(text: str) -> str:
    """``text`` as an identity key: Unicode case folding between NFC normalisations, blanks
    collapsed. "Straße" and "STRASSE" give "strasse"; "PROMOÇÃO" (composed or not) "promoção"."""
    composed = unicodedata.normalize("NFC", " ".join(str(text).split()))
    return unicodedata.normalize("NFC", composed.casefold())


def name_taken(records: QuerySet[Any], name: str, *, column: str = "name") -> bool:
    """Whether one of ``records`` (a small, already scoped set: a workspace's pipelines, teams,
    saved views…) has ``column`` folding like ``name``. Compared here, not with SQL ``iexact``,
    which folds only ASCII on SQLite."""
    key = fold(name)
    return any(fold(value) == key for value in records.values_list(column, flat=True))
