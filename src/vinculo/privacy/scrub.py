"""The generic walker of the erasure: every text and JSON column of every workspace table.

Tables are found through ``django.apps`` at run time, so a table added later is covered without
touching this module. A value is matched on the database (``icontains``; JSON cast to text) and
rewritten in Python, each needle replaced by the subject's pseudonym.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

# Tables the walker leaves alone: the erasure's own proof (pseudonyms and counts only).
SKIPPED = {"privacy.erasurerecord"}


def variants(needles: Iterable[str]) -> list[str]:
    """Each needle as typed and as JSON text stores it (SQLite's JSON escapes non-ASCII),
    longest first so a full name is replaced before the first name inside it."""
    out: set[str] = set()
    for needle in needles:
        needle = (needle or "").strip()
        if not needle:
            continue
        out.add(needle)
        out.add(json.dumps(needle)[1:-1])
    return sorted(out, key=lambda n: (-len(n), n))


class Replacer:
    """Replaces every needle (case-insensitively) with ``pseudonym`` in text and JSON."""

    def __init__(self, needles: Iterable[str], pseudonym: str) -> None:
        self.needles = variants(needles)
        self.pseudonym = pseudonym
        self.pattern = (
            re.compile("|".join(re.escape(n) for n in self.needles), re.IGNORECASE)
            if self.needles
            else None
        )

    def text(self, value: str) -> str:
        if self.pattern is None or not value:
            return value
        return self.pattern.sub(self.pseudonym, value)

    def json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self.json(v) for k, v in value.items()}
        return value

    def found_in(self, blob: str) -> bool:
        return self.pattern is not None and self.pattern.search(blob) is not None


def text_columns(model: type[models.Model]) -> tuple[list[models.Field], list[models.Field]]:
    """The model's own text columns and JSON columns."""
    texts: list[models.Field] = []
    jsons: list[models.Field] = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.JSONField):
            jsons.append(field)
        elif isinstance(field, models.CharField | models.TextField) and not field.primary_key:
            texts.append(field)
    return texts, jsons


def workspace_models() -> Iterator[type[models.Model]]:
    """Every installed concrete model with a workspace column and some text or JSON column."""
    for model in apps.get_models():
        meta = model._meta
        if meta.abstract or meta.proxy or not meta.managed or meta.label_lower in SKIPPED:
            continue
        if not any(f.name == "workspace" for f in meta.concrete_fields):
            continue
        texts, jsons = text_columns(model)
        if texts or jsons:
            yield model


def _matching(
    qs: models.QuerySet, texts: list[models.Field], jsons: list[models.Field], needles: list[str]
) -> models.QuerySet:
    annotations = {f"_privacy_{f.name}": Cast(f.name, TextField()) for f in jsons}
    condition = Q()
    for needle in needles:
        for field in texts:
            condition |= Q(**{f"{field.name}__icontains": needle})
        for name in annotations:
            condition |= Q(**{f"{name}__icontains": needle})
    return qs.annotate(**annotations).filter(condition) if annotations else qs.filter(condition)


def scrub_rows(qs: models.QuerySet, replacer: Replacer, *, match: bool = True) -> int:
    """Rewrite the text and JSON columns of ``qs``'s rows that hold a needle; returns how many
    rows changed. ``match=False`` rewrites every row of ``qs`` (rows already known to be the
    subject's, scrubbed with the weaker needles such as a lone first name)."""
    model = qs.model
    texts, jsons = text_columns(model)
    if replacer.pattern is None or not (texts or jsons):
        return 0
    if match:
        qs = _matching(qs, texts, jsons, replacer.needles)
    names = [f.name for f in texts + jsons]
    changed = 0
    for row in qs.values("pk", *names).iterator(chunk_size=500):
        updates: dict[str, Any] = {}
        for field in texts:
            old = row[field.name]
            if isinstance(old, str) and old:
                new = replacer.text(old)
                if field.max_length:
                    new = new[: field.max_length]
                if new != old:
                    updates[field.name] = new
        for field in jsons:
            old = row[field.name]
            new = replacer.json(old)
            if new != old:
                updates[field.name] = new
        if updates:
            model._base_manager.filter(pk=row["pk"]).update(**updates)
            changed += 1
    return changed


def scrub_workspace(workspace_id: int, replacer: Replacer) -> dict[str, int]:
    """Scrub every workspace table; returns rows changed per table label."""
    counts: dict[str, int] = {}
    for model in workspace_models():
        qs = model._base_manager.filter(workspace_id=workspace_id)
        changed = scrub_rows(qs, replacer)
        if changed:
            counts[model._meta.label_lower] = changed
    return counts


def file_mentions(path: Path, replacer: Replacer) -> bool:
    """True when a stored file (CSV, JSON or an XLSX/zip of XML parts) holds a needle."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return any(
                    replacer.found_in(archive.read(name).decode("utf-8", "replace"))
                    for name in archive.namelist()
                )
        return replacer.found_in(path.read_bytes().decode("utf-8", "replace"))
    except OSError:
        return False
