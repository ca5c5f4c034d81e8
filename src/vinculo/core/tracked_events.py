"""Tracked events as a port: an app that records what visitors do (web forms: page views from
the snippet, form submits) hands them to whichever app stores tracked events, without importing
it (web forms and events are sibling apps).

The events app fills the port from its ``AppConfig.ready``:
``register(ingest=ingest_events, link_visitor=link_visitor)``. The callers use :func:`ingest`
and :func:`link_visitor`, inside their own transaction (both run synchronously, in it). With no
app registered, every row is refused (the caller's fallback applies) and no visitor is linked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from vinculo.core.actor import Actor

# What an ingest with no app to store the rows answers for each of them.
NO_STORE = "no app stores tracked events"


class Ingest(Protocol):
    """Store a batch of tracked event rows; the result's ``errors`` lists the refused rows."""

    def __call__(
        self, *, actor: Actor, rows: list[Any], max_rows: int | None = ..., source: str | None = ...
    ) -> Any: ...


class LinkVisitor(Protocol):
    """Attach a visitor's anonymous events to a person; returns how many were attached."""

    def __call__(self, *, actor: Actor, visitor_id: str, person_id: int) -> int: ...


@dataclass(frozen=True)
class TrackedEventStore:
    ingest: Ingest
    link_visitor: LinkVisitor


_STORE: list[TrackedEventStore] = []


def register(*, ingest: Ingest, link_visitor: LinkVisitor) -> TrackedEventStore:
    """Make ``ingest`` and ``link_visitor`` the store of tracked events (registering again
    replaces it)."""
    store = TrackedEventStore(ingest, link_visitor)
    _STORE[:] = [store]
    return store


def store() -> TrackedEventStore | None:
    return _STORE[0] if _STORE else None


def ingest(actor: Actor, rows: list[dict[str, Any]], *, source: str) -> list[Any]:
    """Store ``rows`` (all at once, however many) as tracked events from ``source``; returns
    the errors of the refused rows (empty when every row was kept)."""
    current = store()
    if current is None:
        return [NO_STORE for _row in rows]
    result = current.ingest(actor=actor, rows=rows, max_rows=len(rows), source=source)
    return list(getattr(result, "errors", None) or [])


def link_visitor(*, actor: Actor, visitor_id: str, person_id: int) -> int:
    """Attach the visitor's earlier anonymous events to the person; 0 with no store."""
    current = store()
    if current is None:
        return 0
    return current.link_visitor(actor=actor, visitor_id=visitor_id, person_id=person_id)
