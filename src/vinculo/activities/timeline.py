"""The timeline: the one history of each customer, written by every app's services.

Services call :func:`record` inside their transaction (it shares the change's fate). Each entry
names every record it concerns, so a person's, company's or deal's timeline is one indexed query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from vinculo.activities.models import Activity, TimelineEntry
from vinculo.core.actor import Actor


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
) -> TimelineEntry:
    """Append one entry (``kind`` like ``person.created``, ``deal.stage_changed``, ``activity``).

    ``person``/``company``/``deal`` accept an instance or a primary key.
    """
    return TimelineEntry.objects.create(
        **_fields(actor, kind, summary, person, company, deal, activity, data, occurred_at)
    )


@dataclass
class PendingEntry:
    kind: str
    summary: str
    person: Any = None
    company: Any = None
    deal: Any = None
    activity: Activity | None = None
    data: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None


def record_many(actor: Actor, entries: Iterable[PendingEntry], *, batch_size: int = 1000) -> int:
    """Append many entries in bulk (imports, seeding); returns how many were written."""
    rows = [
        TimelineEntry(
            **_fields(
                actor,
                e.kind,
                e.summary,
                e.person,
                e.company,
                e.deal,
                e.activity,
                e.data,
                e.occurred_at,
            )
        )
        for e in entries
    ]
    TimelineEntry.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


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
