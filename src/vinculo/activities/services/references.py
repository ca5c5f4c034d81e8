"""The records and members a batch of activity rows points at, looked up in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vinculo.activities.services.fields import LINK_FIELDS
from vinculo.contacts.models import Company, Person
from vinculo.contacts.selectors import live_ids
from vinculo.core.actor import Actor
from vinculo.sales.selectors import live_deal_links
from vinculo.workspaces.selectors import active_member_ids


class References:
    """The person, company, deal and member ids a batch of rows points at, looked up in bulk.

    Only live records of the actor's workspace are found; anything else is "not found".
    """

    def __init__(self, actor: Actor) -> None:
        self.workspace = actor.workspace
        self.people: set[int] = set()
        self.companies: set[int] = set()
        # live deal id → (its live person id or None, its live company id or None)
        self.deals: dict[int, tuple[int | None, int | None]] = {}
        self._members: set[int] | None = None

    @classmethod
    def for_rows(cls, actor: Actor, rows: Iterable[Any]) -> References:
        refs = cls(actor)
        wanted: dict[str, set[int]] = {f: set() for f in LINK_FIELDS}
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            for name in LINK_FIELDS:
                value = loose_id(row.get(name))
                if value is not None:
                    wanted[name].add(value)
        refs._load(wanted["person_id"], wanted["company_id"], wanted["deal_id"])
        return refs

    def _load(self, people: set[int], companies: set[int], deals: set[int]) -> None:
        self.deals.update(live_deal_links(self.workspace, deals))
        self.people.update(live_ids(self.workspace, Person, people))
        self.companies.update(live_ids(self.workspace, Company, companies))

    def has(self, field: str, pk: int) -> bool:
        if field == "person_id":
            return pk in self.people
        if field == "company_id":
            return pk in self.companies
        return pk in self.deals

    def is_member(self, user_id: int) -> bool:
        if self._members is None:
            self._members = active_member_ids(self.workspace)
        return user_id in self._members


def loose_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
