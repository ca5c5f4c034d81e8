"""Reads of the shell's own screens (home, global search), made of the apps' selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from vinculo.contacts import selectors as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.collation import SortKey
from vinculo.core.errors import NotFound
from vinculo.sales import selectors as sales
from vinculo.sales.models import Deal, Product
from vinculo.workspaces.permissions import require

SEARCH_MIN_LENGTH = 2
PICK_LIMIT = 10
PICK_KINDS = ("person", "company", "deal", "product")
MODELS = {"person": Person, "company": Company, "deal": Deal, "product": Product}


@dataclass
class SearchResults:
    q: str
    people: list[Any] = field(default_factory=list)
    companies: list[Any] = field(default_factory=list)
    deals: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.people or self.companies or self.deals)


def search(actor: Actor, q: str, *, limit: int = 5) -> SearchResults:
    """People, companies and deals of the workspace matching ``q`` (at most ``limit`` of each).

    People match on name, email, phone and CPF; companies on name, legal name, domain and CNPJ;
    deals on title and their customer's name. Fewer than two characters find nothing.
    Three queries.
    """
    text = " ".join(q.split())[:100]
    results = SearchResults(q=text)
    if len(text) < SEARCH_MIN_LENGTH:
        return results
    results.people = list(
        contacts.people(actor, q=text)
        .prefetch_related(None)
        .select_related(None)
        .only("first_name", "last_name", "email", "job_title")
        .order_by(SortKey("first_name"), SortKey("last_name"), "pk")[:limit]
    )
    results.companies = list(
        contacts.companies(actor, q=text)
        .prefetch_related(None)
        .select_related(None)
        .only("name", "city", "state")
        .order_by(SortKey("name"), "pk")[:limit]
    )
    results.deals = list(
        sales.deals(actor, q=text)
        .prefetch_related(None)
        .select_related("stage")
        .only("title", "amount", "currency", "status", "stage__name")
        .order_by("-updated_at", "-pk")[:limit]
    )
    return results


@dataclass
class PickOption:
    """One record a picker offers: the id it posts, the name it shows, a hint after it."""

    value: int
    label: str
    hint: str = ""


def _person_option(p: Any) -> PickOption:
    return PickOption(p.pk, p.full_name or p.email, p.email if p.full_name else "")


def _queryset(actor: Actor, kind: str, q: str | None) -> Any:
    if kind == "person":
        return (
            contacts.people(actor, q=q)
            .prefetch_related(None)
            .select_related(None)
            .only("first_name", "last_name", "email")
            .order_by(SortKey("first_name"), SortKey("last_name"), "pk")
        )
    if kind == "company":
        return (
            contacts.companies(actor, q=q)
            .prefetch_related(None)
            .select_related(None)
            .only("name", "city", "state")
            .order_by(SortKey("name"), "pk")
        )
    if kind == "deal":
        return (
            sales.deals(actor, q=q)
            .prefetch_related(None)
            .select_related("stage")
            .only("title", "stage__name")
            .order_by(SortKey("title"), "pk")
        )
    if kind == "product":
        return sales.products(actor, q=q).order_by(SortKey("name"), "pk")
    raise NotFound(_("Nothing to pick of kind %(kind)s.") % {"kind": kind})


def _option(kind: str, record: Any) -> PickOption:
    if kind == "person":
        return _person_option(record)
    if kind == "company":
        place = "/".join(part for part in (record.city, record.state) if part)
        return PickOption(record.pk, record.name, place)
    if kind == "deal":
        return PickOption(record.pk, record.title, record.stage.name)
    return PickOption(record.pk, record.name, record.sku)


def pick(actor: Actor, kind: str, q: str, *, limit: int = PICK_LIMIT) -> list[PickOption]:
    """What a record picker of ``kind`` (person, company, deal, product) offers for the typed
    ``q``: live records of the workspace matching it like the lists' search, at most ``limit``,
    in the workspace's reading order (case and accents folded: "Ágil" among the A's).

    One bounded query (``LIMIT``); fewer than two characters find nothing. NotFound for an
    unknown kind.
    """
    text = " ".join(q.split())[:100]
    queryset = _queryset(actor, kind, text)
    if len(text) < SEARCH_MIN_LENGTH:
        return []
    return [_option(kind, record) for record in queryset[:limit]]


def picked(actor: Actor, kind: str, record_id: Any) -> PickOption | None:
    """The record a picker shows as chosen (an id from the URL or the record being edited):
    None when ``record_id`` is not an id of a record of ``kind`` in the workspace (another
    workspace's id shows nothing). Records in the bin still show, so an edit keeps them."""
    raw = str(record_id or "").strip()
    if not raw.isdigit():
        return None
    if kind not in MODELS:
        return None
    require(actor, "records.view")
    queryset = MODELS[kind].objects.for_workspace(actor.workspace)  # type: ignore[attr-defined]
    record = (queryset.select_related("stage") if kind == "deal" else queryset).filter(pk=int(raw))
    record = record.first()
    return None if record is None else _option(kind, record)


def picked_values(actor: Actor, values: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """``{field: PickOption}`` for each picker field of a form (``kinds`` maps a field such as
    ``person_id`` to its kind), from the form's ``values``."""
    return {name: picked(actor, kind, values.get(name)) for name, kind in kinds.items()}
