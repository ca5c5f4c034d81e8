"""Writing a batch's good rows: events, purchases, timeline entries, domain events and the audit
entry, all through the bulk insert path (a handful of statements per batch).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from vinculo.activities import timeline
from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.fastinsert import insert_objects, insert_rows, new_instances
from vinculo.events.models import (
    Purchase,
    TrackedEvent,
)
from vinculo.events.services.cleaning import _Row
from vinculo.events.services.outcomes import IngestResult, RowOutcome
from vinculo.events.services.summaries import summarize


def _write(
    actor: Actor,
    rows: list[_Row],
    outcomes: list[RowOutcome],
    result: IngestResult,
    event_source: str,
    now: datetime,
) -> None:
    workspace_id = actor.workspace.pk
    summaries = [summarize(r.name, r.properties, r.purchase) for r in rows]
    stored = insert_objects(
        new_instances(
            TrackedEvent,
            (
                {
                    "name": r.name,
                    "person_id": r.person_id,
                    "visitor_id": r.visitor_id,
                    "occurred_at": r.occurred_at,
                    "properties": r.properties,
                    "key": r.key,
                    "summary": summary,
                }
                for r, summary in zip(rows, summaries, strict=True)
            ),
            workspace_id=workspace_id,
            received_at=now,
            source=event_source,
        )
    )
    result.created = stored
    for row, event in zip(rows, stored, strict=True):
        outcomes[row.index].event_id = event.pk

    purchases = [(r, e) for r, e in zip(rows, stored, strict=True) if r.purchase is not None]
    if purchases:
        insert_rows(
            Purchase,
            [
                "workspace_id",
                "event_id",
                "person_id",
                "order_id",
                "amount",
                "currency",
                "items",
                "occurred_at",
            ],
            [
                (
                    workspace_id,
                    e.pk,
                    e.person_id,
                    r.purchase["order_id"],
                    r.purchase["amount"],
                    r.purchase["currency"],
                    r.purchase["items"],
                    e.occurred_at,
                )
                for r, e in purchases
                if r.purchase is not None
            ],
        )
    timeline.record_many(
        actor,
        (
            timeline.PendingEntry(
                kind=f"event.{e.name}"[:40],
                summary=e.summary,
                person=e.person_id,
                data={"event_id": e.pk, "name": e.name},
                occurred_at=e.occurred_at,
            )
            for e in stored
            if e.person_id is not None
        ),
    )
    occurred = {e.pk: e.occurred_at.isoformat() for e in stored}
    events.emit_many(
        "event.received",
        actor=actor,
        subjects=[
            ("tracked_event", e.pk, _payload(e, r, occurred[e.pk]))
            for r, e in zip(rows, stored, strict=True)
        ],
    )
    if purchases:
        events.emit_many(
            "purchase.recorded",
            actor=actor,
            subjects=[
                (
                    "tracked_event",
                    e.pk,
                    {
                        "event_id": e.pk,
                        "person_id": e.person_id,
                        "order_id": r.purchase["order_id"],
                        "amount": str(r.purchase["amount"]),
                        "currency": r.purchase["currency"],
                        "item_count": len(r.purchase["items"]),
                        "occurred_at": occurred[e.pk],
                    },
                )
                for r, e in purchases
                if r.purchase is not None
            ],
        )
    audit.record(
        actor,
        "event.batch_ingested",
        object_type="events.trackedevent",
        changes={
            "created": len(stored),
            "people_created": result.people_created,
            "source": event_source,
        },
    )


def _payload(event: TrackedEvent, row: _Row, occurred_at: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": event.pk,
        "name": event.name,
        "person_id": event.person_id,
        "visitor_id": event.visitor_id,
        "occurred_at": occurred_at,
        "source": event.source,
        "key": event.key,
        "properties": event.properties,
    }
    if row.purchase is not None:
        payload.update(
            amount=str(row.purchase["amount"]),
            currency=row.purchase["currency"],
            order_id=row.purchase["order_id"],
        )
    return payload
