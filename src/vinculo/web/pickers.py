"""Reads of the record pickers (web/_record_pick.html): what matches the typed text, and the
label of the record a form shows as chosen.

People and companies are searched through indexes only, so a picker answers as fast with a
million records as with ten: the start of the name (people: of the full name or of the last
name) on the stored ``name_key`` columns (case and accents folded, see
:mod:`vinculo.core.collation`), of the email, and of the CPF/CNPJ or phone digits; each an
index range read ``LIMIT`` :data:`PICK_LIMIT`, merged in name order. Only when nothing starts
so is a word inside a name looked for (a bounded read in name order, which may walk the index).
Deals and products (far fewer) use their lists' search in one bounded query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from vinculo.contacts import selectors as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.collation import SortKey, after_key, sort_key
from vinculo.core.permissions import require
from vinculo.sales import selectors as sales
from vinculo.sales.models import Deal, Product
from vinculo.web.selectors import SEARCH_MIN_LENGTH

PICK_LIMIT = 10
WORD_MIN_LENGTH = 3  # a word inside a name is looked for only when no name starts so
MODELS: dict[str, Any] = {"person": Person, "company": Company, "deal": Deal, "product": Product}
PICK_KINDS = tuple(MODELS)

_DIGITS = re.compile(r"\D")


@dataclass
class PickOption:
    """One record a picker offers: the id it posts, the name it shows, a hint after it."""

    value: int
    label: str
    hint: str = ""


def _option(kind: str, record: Any) -> PickOption:
    if kind == "person":
        name = record.full_name
        return PickOption(record.pk, name or record.email, record.email if name else "")
    if kind == "company":
        place = "/".join(part for part in (record.city, record.state) if part)
        return PickOption(record.pk, record.name, place)
    if kind == "deal":
        return PickOption(record.pk, record.title, record.stage.name)
    return PickOption(record.pk, record.name, record.sku)


def _starting(qs: QuerySet, column: str, prefix: str) -> QuerySet:
    """Rows whose ``column`` starts with ``prefix``, as a range an index answers."""
    return qs.filter(**{f"{column}__gte": prefix, f"{column}__lt": after_key(prefix)})


def _phone_prefix(digits: str) -> str:
    """The stored (E.164) start of a Brazilian number typed with or without +55."""
    digits = digits.lstrip("0")
    return "+" + (digits if digits.startswith("55") and len(digits) > 11 else "55" + digits)


def _by_index(actor: Actor, kind: str, text: str, limit: int) -> list[Any]:
    key = sort_key(text)
    lowered = text.lower()
    digits = _DIGITS.sub("", text)
    base: QuerySet[Any]
    if kind == "person":
        base = (
            contacts.people(actor)
            .prefetch_related(None)
            .select_related(None)
            .only("first_name", "last_name", "email", "name_key")
        )
        reads = [_starting(base, "name_key", key), _starting(base, "last_name_key", key)]
        if " " not in text:
            reads.append(_starting(base, "email", lowered))
        if len(digits) >= 4:
            reads.append(_starting(base, "cpf", digits))
            for column in ("phone", "mobile_phone"):
                reads.append(_starting(base, column, _phone_prefix(digits)))
    else:
        base = (
            contacts.companies(actor)
            .prefetch_related(None)
            .select_related(None)
            .only("name", "city", "state", "name_key")
        )
        reads = [_starting(base, "name_key", key)]
        if len(digits) >= 4:
            reads.append(_starting(base, "cnpj", digits))
    found: dict[int, Any] = {}
    for read in reads:
        for record in read.order_by("name_key", "pk")[:limit]:
            found.setdefault(record.pk, record)
    if not found and len(key) >= WORD_MIN_LENGTH:
        # Nothing starts so: a word inside the name ("agil" for "Padaria Ágil"), walking the
        # name index in order until a page is found.
        inside = base.filter(name_key__contains=key).order_by("name_key", "pk")[:limit]
        return list(inside)
    return sorted(found.values(), key=lambda r: (r.name_key, r.pk))[:limit]


def pick(actor: Actor, kind: str, q: str, *, limit: int = PICK_LIMIT) -> list[PickOption]:
    """What a picker of ``kind`` (person, company, deal, product) offers for the typed ``q``:
    at most ``limit`` live records of the workspace, in the workspace's reading order (case and
    accents folded: "Ágil" among the A's). People and companies match the start of a name, an
    email or digits through indexes (see the module); deals and products their lists' search.
    Fewer than two characters find nothing; an unknown kind finds nothing."""
    text = " ".join(q.split())[:100]
    if len(text) < SEARCH_MIN_LENGTH or kind not in MODELS:
        return []
    if kind in ("person", "company"):
        records = _by_index(actor, kind, text, limit)
    elif kind == "deal":
        records = list(
            sales.deals(actor, q=text)
            .prefetch_related(None)
            .select_related(None)  # the list's own joins (lost reason…) are not read here
            .select_related("stage")
            .only("title", "stage__name")
            .order_by(SortKey("title"), "pk")[:limit]
        )
    else:
        records = list(sales.products(actor, q=text).order_by(SortKey("name"), "pk")[:limit])
    return [_option(kind, record) for record in records]


def picked(actor: Actor, kind: str, record_id: Any) -> PickOption | None:
    """The record a picker shows as chosen (an id from the URL or the record being edited):
    None when ``record_id`` is not an id of a record of ``kind`` in the workspace (another
    workspace's id shows nothing). Records in the bin still show, so an edit keeps them."""
    raw = str(record_id or "").strip()
    if not raw.isdigit() or kind not in MODELS:
        return None
    require(actor, "records.view")
    queryset = MODELS[kind].objects.for_workspace(actor.workspace)
    if kind == "deal":
        queryset = queryset.select_related("stage")
    record = queryset.filter(pk=int(raw)).first()
    return None if record is None else _option(kind, record)


def picked_values(actor: Actor, values: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """``{field: PickOption}`` for each picker field of a form (``kinds`` maps a field such as
    ``person_id`` to its kind), from the form's ``values``."""
    return {name: picked(actor, kind, values.get(name)) for name, kind in kinds.items()}
