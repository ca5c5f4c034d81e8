"""The timeline store: the one history of each customer, kept in :class:`TimelineEntry`.

Every app writes and reads it through the port :mod:`vinculo.core.timeline`, which this module
implements (it is a :class:`~vinculo.core.timeline.TimelineStore`); the app's ``ready()``
installs it there with :data:`KINDS`. Each entry names every record it concerns, so a person's,
company's or deal's timeline is one indexed query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy

from vinculo.activities import selectors
from vinculo.activities.models import Activity, TimelineEntry
from vinculo.core.actor import Actor
from vinculo.core.bulk import move_links
from vinculo.core.fastinsert import JsonText, insert_rows
from vinculo.core.pagination import Page
from vinculo.core.timeline import PendingEntry, PersonEntryRow, worded

__all__ = [
    "KINDS",
    "PendingEntry",
    "page",
    "reassign_entries",
    "record",
    "record_for_people",
    "record_many",
]

# The kinds people filter a timeline by (``activity.*`` is the whole family).
KINDS = [
    ("activity.*", gettext_lazy("Activities")),
    ("activity.call", gettext_lazy("Calls")),
    ("activity.meeting", gettext_lazy("Meetings")),
    ("activity.email", gettext_lazy("Emails")),
    ("activity.note", gettext_lazy("Notes")),
    ("activity.task", gettext_lazy("Tasks")),
    ("deal.stage_changed", gettext_lazy("Deal stage changes")),
    ("lifecycle.changed", gettext_lazy("Lifecycle changes")),
    ("consent.changed", gettext_lazy("Consent changes")),
]


def record(
    actor: Actor,
    kind: str,
    summary: str,
    *,
    person: Any = None,
    company: Any = None,
    deal: Any = None,
    activity: Activity | None = None,
    data: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    params: dict[str, Any] | None = None,
) -> TimelineEntry:
    """Append one entry (``kind`` like ``person.created``, ``deal.stage_changed``, ``activity``).

    ``person``/``company``/``deal`` accept an instance or a primary key. With ``params``,
    ``summary`` is an untranslated message (``gettext_noop``) with ``%(name)s`` placeholders:
    the entry keeps the message and its parameters and is worded when read, in the reader's
    language (``TimelineEntry.summary_text``); the stored ``summary`` is the writer's wording.
    A parameter may be a label or an amount worded when read (see ``core.timeline_wording``).
    """
    if params is not None:
        data, summary = worded(summary, params, data)
    return TimelineEntry.objects.create(
        **_fields(actor, kind, summary, person, company, deal, activity, data, occurred_at)
    )


def record_many(actor: Actor, entries: Iterable[PendingEntry], *, batch_size: int = 1000) -> int:
    """Append many entries in bulk (imports, seeding); returns how many were written.

    Rows go straight to multi-row INSERTs (no model instances): 100,000 entries take seconds.
    ``batch_size`` is kept for compatibility; statements are sized to the backend's limits.
    """
    now = timezone.now()
    user_id = actor.user.pk if actor.user is not None else None
    workspace_id = actor.workspace.pk
    rows = (
        (
            workspace_id,
            now,
            now,
            user_id,
            user_id,
            actor.source,
            e.kind,
            stored["summary"],
            _pk(e.person),
            _pk(e.company),
            _pk(e.deal),
            _pk(e.activity),
            stored["data"],
            e.occurred_at or now,
        )
        for e in entries
        for stored in [e.stored()]
    )
    return _insert(rows, batch_size)


def record_for_people(actor: Actor, entries: Iterable[PersonEntryRow]) -> int:
    """Append entries that each concern one person — ``(kind, summary, person_id, data,
    occurred_at)`` tuples — in bulk; returns how many were written.

    The hot path of tracked events (thousands per second): no :class:`PendingEntry` per row.
    ``data`` may be :class:`~vinculo.core.fastinsert.JsonText` already encoded.
    """
    now = timezone.now()
    user_id = actor.user.pk if actor.user is not None else None
    workspace_id, source = actor.workspace.pk, actor.source
    return _insert(
        (
            (
                workspace_id,
                now,
                now,
                user_id,
                user_id,
                source,
                kind,
                summary[:300],
                person_id,
                None,
                None,
                None,
                data,
                occurred_at,
            )
            for kind, summary, person_id, data, occurred_at in entries
        ),
        1000,
    )


def _insert(rows: Iterable[tuple[Any, ...]], batch_size: int) -> int:
    counted = _Counted(rows)
    if not _fast_insert_possible():
        TimelineEntry.objects.bulk_create(
            [TimelineEntry(**_decoded(dict(zip(_COLUMNS, row, strict=True)))) for row in counted],
            batch_size=batch_size,
        )
    else:
        insert_rows(TimelineEntry, _COLUMNS, counted)
    return counted.count


def _decoded(values: dict[str, Any]) -> dict[str, Any]:
    if type(values["data"]) is JsonText:
        values["data"] = json.loads(values["data"])
    return values


_COLUMNS = (
    "workspace_id",
    "created_at",
    "updated_at",
    "created_by_id",
    "actor_id",
    "source",
    "kind",
    "summary",
    "person_id",
    "company_id",
    "deal_id",
    "activity_id",
    "data",
    "occurred_at",
)


class _Counted:
    """An iterable that counts what it yielded."""

    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self.rows:
            self.count += 1
            yield row


def _fast_insert_possible() -> bool:
    return connections[router.db_for_write(TimelineEntry)].vendor in {"sqlite", "postgresql"}


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _fields(actor, kind, summary, person, company, deal, activity, data, occurred_at):
    return {
        "workspace": actor.workspace,
        "created_by": actor.user,
        "actor": actor.user,
        "source": actor.source,
        "kind": kind,
        "summary": str(summary)[:300],
        "person_id": _pk(person),
        "company_id": _pk(company),
        "deal_id": _pk(deal),
        "activity": activity,
        "data": data or {},
        "occurred_at": occurred_at or timezone.now(),
    }


# --- merge support (quality) ----------------------------------------------------------------


def reassign_entries(
    *, actor: Actor, kind: str, from_id: int, to_id: int, ids: list[int] | None = None
) -> list[int]:
    """Move the timeline of person/company ``from_id`` to ``to_id`` (a merge, or its undo with
    ``ids``: exactly the entries that moved) and return the ids moved. Entries keep their date,
    actor and text; only the record they belong to changes."""
    return move_links(TimelineEntry, actor.workspace.pk, kind, from_id, to_id, ids)


# --- reads (the record pages) ---------------------------------------------------------------


def page(
    actor: Actor,
    *,
    kinds: Sequence[str] | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    **link: int,
) -> Page[TimelineEntry]:
    """One page of a record's timeline (see :func:`vinculo.activities.selectors.timeline`)."""
    return selectors.timeline(actor, kinds=kinds, cursor=cursor, limit=limit, **link)
