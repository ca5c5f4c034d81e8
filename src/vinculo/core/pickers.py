"""The record pickers (web/_record_pick.html): the kinds of record a form can pick, what matches
the typed text, and the label of the record a form shows as chosen.

Each app registers the kinds it owns at ``AppConfig.ready()`` (contacts: person and company;
sales: deal and product) with how to search them and how to find one by id::

    pickers.register("person", search=search_people, find=find_person)

``search(actor, text, limit)`` answers at most ``limit`` live records of the workspace in the
workspace's reading order (case and accents folded), as :class:`PickOption`; ``find(actor,
record_id)`` the option of one record of the workspace, records in the bin included (so an edit
keeps them), or None. Apps' forms show their chosen records with :func:`picked` and
:func:`picked_values`; the web pick endpoint answers :func:`pick`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vinculo.core.actor import Actor
from vinculo.core.permissions import require

__all__ = [
    "PICK_LIMIT",
    "SEARCH_MIN_LENGTH",
    "PickKind",
    "PickOption",
    "pick",
    "pick_kinds",
    "picked",
    "picked_values",
    "register",
]

PICK_LIMIT = 10
SEARCH_MIN_LENGTH = 2  # fewer typed characters find nothing (pickers and the global search)


@dataclass
class PickOption:
    """One record a picker offers: the id it posts, the name it shows, a hint after it."""

    value: int
    label: str
    hint: str = ""


Search = Callable[[Actor, str, int], list[PickOption]]
Find = Callable[[Actor, int], PickOption | None]


@dataclass(frozen=True)
class PickKind:
    name: str
    search: Search
    find: Find


_KINDS: dict[str, PickKind] = {}


def register(name: str, *, search: Search, find: Find) -> PickKind:
    """Make records of kind ``name`` pickable (registering a name again replaces it)."""
    kind = PickKind(name, search, find)
    _KINDS[name] = kind
    return kind


def pick_kinds() -> tuple[str, ...]:
    """The pickable kinds, in the order the apps registered them."""
    return tuple(_KINDS)


def pick(actor: Actor, kind: str, q: str, *, limit: int = PICK_LIMIT) -> list[PickOption]:
    """What a picker of ``kind`` (person, company, deal, product…) offers for the typed ``q``:
    at most ``limit`` live records of the workspace, in the workspace's reading order (case and
    accents folded: "Ágil" among the A's). Fewer than two characters find nothing; an unknown
    kind finds nothing."""
    text = " ".join(q.split())[:100]
    if len(text) < SEARCH_MIN_LENGTH or kind not in _KINDS:
        return []
    return _KINDS[kind].search(actor, text, limit)


def picked(actor: Actor, kind: str, record_id: Any) -> PickOption | None:
    """The record a picker shows as chosen (an id from the URL or the record being edited):
    None when ``record_id`` is not an id of a record of ``kind`` in the workspace (another
    workspace's id shows nothing). Records in the bin still show, so an edit keeps them."""
    raw = str(record_id or "").strip()
    if not raw.isdigit() or kind not in _KINDS:
        return None
    require(actor, "records.view")
    return _KINDS[kind].find(actor, int(raw))


def picked_values(actor: Actor, values: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """``{field: PickOption}`` for each picker field of a form (``kinds`` maps a field such as
    ``person_id`` to its kind), from the form's ``values``."""
    return {name: picked(actor, kind, values.get(name)) for name, kind in kinds.items()}
