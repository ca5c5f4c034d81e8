"""Reads of the shell's own screens (home, global search), made of the apps' selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from vinculo.contacts import selectors as contacts
from vinculo.core.actor import Actor
from vinculo.core.collation import sort_key
from vinculo.core.pickers import SEARCH_MIN_LENGTH
from vinculo.sales import selectors as sales


@dataclass
class SearchResults:
    q: str
    people: list[Any] = field(default_factory=list)
    companies: list[Any] = field(default_factory=list)
    deals: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.people or self.companies or self.deals)


def _folded_name(text: str) -> Q:
    """Each word somewhere in the stored name key (case and accents folded)."""
    condition = Q()
    for word in text.split()[:5]:
        condition &= Q(name_key__contains=sort_key(word))
    return condition


def search(actor: Actor, q: str, *, limit: int = 5) -> SearchResults:
    """People, companies and deals of the workspace matching ``q`` (at most ``limit`` of each).

    People match on name, email, phone and CPF; companies on name, legal name, domain and CNPJ;
    deals on title and their customer's name. People's and companies' names also match with case
    and accents folded ("otica" finds "Ótica") and sort that way ("Ágil" among the A's). Fewer
    than two characters find nothing. Three queries.
    """
    text = " ".join(q.split())[:100]
    results = SearchResults(q=text)
    if len(text) < SEARCH_MIN_LENGTH:
        return results
    folded = _folded_name(text)
    results.people = list(
        (contacts.people(actor, q=text) | contacts.people(actor).filter(folded))
        .prefetch_related(None)
        .select_related(None)
        .only("first_name", "last_name", "email", "job_title")
        .order_by("name_key", "pk")[:limit]
    )
    results.companies = list(
        (contacts.companies(actor, q=text) | contacts.companies(actor).filter(folded))
        .prefetch_related(None)
        .select_related(None)
        .only("name", "city", "state")
        .order_by("name_key", "pk")[:limit]
    )
    results.deals = list(
        sales.deals(actor, q=text)
        .prefetch_related(None)
        .select_related(None)
        .select_related("stage")
        .only("title", "amount", "currency", "status", "stage__name")
        .order_by("-updated_at", "-pk")[:limit]
    )
    return results
