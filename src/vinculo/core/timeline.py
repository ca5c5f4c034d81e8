"""The timeline port: how every app writes to, and the record pages read, the one history of
each customer.

The timeline's table (``TimelineEntry``) belongs to the activities app, yet contacts and sales,
which sit below activities, write to it from their services, and ``core.ui`` reads it for every
record page. So they all go through this module, and the activities app installs the store
behind it from its ``AppConfig.ready()``::

    timeline.install(activities_timeline)  # anything that is a TimelineStore
    timeline.register_kinds(("activity.*", gettext_lazy("Activities")), ...)

Services call :func:`record` inside their transaction (the entry shares the change's fate), or
:func:`record_many` / :func:`record_for_people` for bulk paths. With ``params``, ``summary`` is
an untranslated message (``gettext_noop``) with ``%(name)s`` placeholders, worded when read in
the reader's language (see :mod:`vinculo.core.timeline_wording`).

Calling the port before a store is installed raises :class:`RuntimeError`: an entry is never
silently dropped. :data:`KINDS` lists the kinds people filter a timeline by; an app whose
entries deserve a filter adds its kinds with :func:`register_kinds` from its ``ready()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from vinculo.core import timeline_wording
from vinculo.core.actor import Actor
from vinculo.core.fastinsert import JsonText
from vinculo.core.pagination import Page

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

__all__ = [
    "KINDS",
    "PendingEntry",
    "PersonEntryRow",
    "TimelineStore",
    "install",
    "installed",
    "page",
    "reassign_entries",
    "record",
    "record_for_people",
    "record_many",
    "register_kinds",
    "worded",
]

# One entry about one person, for the hot path: (kind, summary, person_id, data, occurred_at).
PersonEntryRow = tuple[str, str, int, dict[str, Any] | JsonText, datetime]


@dataclass
class PendingEntry:
    """One entry to write with :func:`record_many` (the arguments of :func:`record`)."""

    kind: str
    summary: str
    person: Any = None
    company: Any = None
    deal: Any = None
    activity: Any = None
    data: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None
    params: dict[str, Any] | None = None  # as in :func:`record`

    def stored(self) -> dict[str, Any]:
        """The ``summary`` and ``data`` columns as written (with the message and its
        parameters under ``data["text"]`` when there are ``params``)."""
        if self.params is None:
            return {"summary": str(self.summary)[:300], "data": self.data or {}}
        data, summary = worded(self.summary, self.params, self.data)
        return {"summary": summary[:300], "data": data}


def worded(
    message: str, params: dict[str, Any], data: dict[str, Any] | None
) -> tuple[dict[str, Any], str]:
    """``data`` with the message and its parameters (under ``"text"``), and the writer's
    wording of them (the stored ``summary``)."""
    kept = timeline_wording.text(message, params)
    return {**(data or {}), "text": kept}, timeline_wording.word(kept) or str(message)


class TimelineStore(Protocol):
    """What the installed store provides (the activities app's ``vinculo.activities.timeline``
    module). The functions of this module delegate to it with the same arguments."""

    def record(
        self,
        actor: Actor,
        kind: str,
        summary: str,
        *,
        person: Any = ...,
        company: Any = ...,
        deal: Any = ...,
        activity: Any = ...,
        data: dict[str, Any] | None = ...,
        occurred_at: datetime | None = ...,
        params: dict[str, Any] | None = ...,
    ) -> Any: ...

    def record_many(
        self, actor: Actor, entries: Iterable[PendingEntry], *, batch_size: int = ...
    ) -> int: ...

    def record_for_people(self, actor: Actor, entries: Iterable[PersonEntryRow]) -> int: ...

    def reassign_entries(
        self, *, actor: Actor, kind: str, from_id: int, to_id: int, ids: list[int] | None = ...
    ) -> list[int]: ...

    def page(
        self,
        actor: Actor,
        *,
        kinds: Sequence[str] | None = ...,
        cursor: str | None = ...,
        limit: int | None = ...,
        **link: int,
    ) -> Page[Any]: ...


_store: TimelineStore | None = None

# The kinds people filter a timeline by (``activity.*`` is the whole family), as
# (kind, label) in the order they are offered. Filled in place by :func:`register_kinds`.
KINDS: list[tuple[str, StrOrPromise]] = []


def install(store: TimelineStore) -> None:
    """Make ``store`` the timeline (the activities app calls this from its ``ready()``)."""
    global _store
    _store = store


def installed() -> TimelineStore:
    """The installed store; :class:`RuntimeError` when there is none yet."""
    if _store is None:
        raise RuntimeError(
            "The timeline has no store: vinculo.activities installs it in its AppConfig.ready(). "
            "Is it in INSTALLED_APPS, and are the apps loaded (django.setup())?"
        )
    return _store


def register_kinds(*kinds: tuple[str, StrOrPromise]) -> None:
    """Offer ``kinds`` (``(kind, label)``) in a timeline's filter, after those already offered;
    a kind already offered keeps its place and label."""
    offered = {kind for kind, _label in KINDS}
    for kind, label in kinds:
        if kind not in offered:
            KINDS.append((kind, label))
            offered.add(kind)


def record(
    actor: Actor,
    kind: str,
    summary: str,
    *,
    person: Any = None,
    company: Any = None,
    deal: Any = None,
    activity: Any = None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    params: dict[str, Any] | None = None,
) -> Any:
    """Append one entry (``kind`` like ``person.created``, ``deal.stage_changed``) and return it.

    ``person``/``company``/``deal`` accept an instance or a primary key. With ``params``,
    ``summary`` is an untranslated message (``gettext_noop``) with ``%(name)s`` placeholders:
    the entry keeps the message and its parameters and is worded when read, in the reader's
    language; the stored ``summary`` is the writer's wording. A parameter may be a label or an
    amount worded when read (see :mod:`vinculo.core.timeline_wording`).
    """
    return installed().record(
        actor,
        kind,
        summary,
        person=person,
        company=company,
        deal=deal,
        activity=activity,
        data=data,
        occurred_at=occurred_at,
        params=params,
    )


def record_many(actor: Actor, entries: Iterable[PendingEntry], *, batch_size: int = 1000) -> int:
    """Append many entries in bulk (imports, seeding); returns how many were written."""
    return installed().record_many(actor, entries, batch_size=batch_size)


def record_for_people(actor: Actor, entries: Iterable[PersonEntryRow]) -> int:
    """Append entries that each concern one person — ``(kind, summary, person_id, data,
    occurred_at)`` tuples — in bulk; returns how many were written. The hot path of tracked
    events: ``data`` may be :class:`~vinculo.core.fastinsert.JsonText` already encoded."""
    return installed().record_for_people(actor, entries)


def reassign_entries(
    *, actor: Actor, kind: str, from_id: int, to_id: int, ids: list[int] | None = None
) -> list[int]:
    """Move the timeline of person/company ``from_id`` to ``to_id`` (a merge, or its undo with
    ``ids``: exactly the entries that moved) and return the ids moved."""
    return installed().reassign_entries(
        actor=actor, kind=kind, from_id=from_id, to_id=to_id, ids=ids
    )


def page(
    actor: Actor,
    *,
    kinds: Sequence[str] | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    **link: int,
) -> Page[Any]:
    """One page of the timeline of the record ``link`` names (``person_id=``, ``company_id=``
    or ``deal_id=``), newest first; ``kinds`` keeps the given kinds (``activity.*`` a family).
    Refuses a record of another workspace (404) and anything but exactly one link (422)."""
    return installed().page(actor, kinds=kinds, cursor=cursor, limit=limit, **link)
