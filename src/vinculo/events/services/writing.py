"""Writing a batch's good rows: events, purchases, timeline entries, domain events and the audit
entry, all through the bulk insert path (a handful of statements per batch).

This is the hot path of ``POST /api/v1/events`` (thousands of events per second), so each row
is turned into plain tuples once, and JSON is encoded once: an event's properties are encoded
for its own row and that text is reused inside its ``event.received`` payload; the other
documents have a fixed shape and are assembled from parts that cleaning has already validated
(names, visitor ids, dates and currencies cannot contain a quote), while free text (keys, order
ids) goes through the JSON encoder's own string escaping.
"""

from __future__ import annotations

import json
from datetime import datetime
from json.encoder import encode_basestring_ascii as _quoted
from typing import Any

from django.db import connections, router

from vinculo.core import audit, events, timeline
from vinculo.core.actor import Actor
from vinculo.core.fastinsert import JsonText, insert_rows, new_instances
from vinculo.events.models import Purchase, TrackedEvent
from vinculo.events.services import rollup
from vinculo.events.services.cleaning import _Row
from vinculo.events.services.outcomes import IngestResult, RowOutcome
from vinculo.events.services.summaries import summarizer

_EVENT_COLUMNS = (
    "workspace_id",
    "name",
    "person_id",
    "visitor_id",
    "occurred_at",
    "received_at",
    "properties",
    "key",
    "source",
    "summary",
)
_PURCHASE_COLUMNS = (
    "workspace_id",
    "event_id",
    "person_id",
    "order_id",
    "amount",
    "currency",
    "items",
    "occurred_at",
)


def _write(
    actor: Actor,
    rows: list[_Row],
    outcomes: list[RowOutcome],
    result: IngestResult,
    event_source: str,
    now: datetime,
) -> None:
    workspace_id = actor.workspace.pk
    say = summarizer()
    dumps = json.dumps
    summaries = [say(r.name, r.properties, r.purchase) for r in rows]
    encoded = [dumps(r.properties) if r.properties else "{}" for r in rows]
    ids = _insert_events(workspace_id, rows, encoded, summaries, event_source, now)
    for row, pk in zip(rows, ids, strict=True):
        outcomes[row.index].event_id = pk
    result.created = _created_events(workspace_id, rows, ids, summaries, event_source, now)

    instants = [r.occurred_at.isoformat() for r in rows]
    purchases = [
        (r, pk, at) for r, pk, at in zip(rows, ids, instants, strict=True) if r.purchase is not None
    ]
    if purchases:
        _insert_purchases(workspace_id, purchases)
        rollup.append(
            workspace_id,
            (
                (r.occurred_at, p["currency"], r.person_id, p["amount"])
                for r, _pk, _at in purchases
                if r.person_id is not None and (p := r.purchase) is not None
            ),
        )
    timeline.record_for_people(
        actor,
        (
            (
                f"event.{r.name}"[:40],
                summary,
                r.person_id,
                _entry_data(pk, r, text),
                r.occurred_at,
            )
            for r, pk, summary, text in zip(rows, ids, summaries, encoded, strict=True)
            if r.person_id is not None
        ),
    )
    _emit_domain_events(actor, rows, ids, instants, encoded, purchases, event_source)
    audit.record(
        actor,
        "event.batch_ingested",
        object_type="events.trackedevent",
        changes={
            "created": len(ids),
            "people_created": result.people_created,
            "source": event_source,
        },
    )


def _insert_events(
    workspace_id: int,
    rows: list[_Row],
    encoded: list[str],
    summaries: list[str],
    event_source: str,
    now: datetime,
) -> list[int]:
    """Insert the batch's events in one statement; their ids, in the rows' order."""
    return insert_rows(
        TrackedEvent,
        _EVENT_COLUMNS,
        [
            (
                workspace_id,
                r.name,
                r.person_id,
                r.visitor_id,
                r.occurred_at,
                now,
                JsonText(text),
                r.key,
                event_source,
                summary,
            )
            for r, text, summary in zip(rows, encoded, summaries, strict=True)
        ],
        returning=True,
    )


def _created_events(
    workspace_id: int,
    rows: list[_Row],
    ids: list[int],
    summaries: list[str],
    event_source: str,
    now: datetime,
) -> list[TrackedEvent]:
    """The inserted events as model instances (built, not read back)."""
    return new_instances(
        TrackedEvent,
        (
            {
                "id": pk,
                "name": r.name,
                "person_id": r.person_id,
                "visitor_id": r.visitor_id,
                "occurred_at": r.occurred_at,
                "properties": r.properties,
                "key": r.key,
                "summary": summary,
            }
            for r, pk, summary in zip(rows, ids, summaries, strict=True)
        ),
        workspace_id=workspace_id,
        received_at=now,
        source=event_source,
        stored_on=connections[router.db_for_write(TrackedEvent)].alias,
    )


def _insert_purchases(workspace_id: int, purchases: list[tuple[_Row, int, str]]) -> None:
    """Insert the purchases of the batch's purchase events (row, event id, instant)."""
    insert_rows(
        Purchase,
        _PURCHASE_COLUMNS,
        [
            (
                workspace_id,
                pk,
                r.person_id,
                p["order_id"],
                p["amount"],
                p["currency"],
                p["items"],
                r.occurred_at,
            )
            for r, pk, _at in purchases
            if (p := r.purchase) is not None
        ],
    )


def _emit_domain_events(
    actor: Actor,
    rows: list[_Row],
    ids: list[int],
    instants: list[str],
    encoded: list[str],
    purchases: list[tuple[_Row, int, str]],
    event_source: str,
) -> None:
    """``event.received`` for every event and ``purchase.recorded`` for every purchase."""
    source = _quoted(event_source)
    events.emit_many(
        "event.received",
        actor=actor,
        subjects=[
            ("tracked_event", pk, _received_payload(pk, r, at, source, text))
            for r, pk, at, text in zip(rows, ids, instants, encoded, strict=True)
        ],
    )
    if purchases:
        events.emit_many(
            "purchase.recorded",
            actor=actor,
            subjects=[
                ("tracked_event", pk, _purchase_payload(pk, r, at)) for r, pk, at in purchases
            ],
        )


def _number(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def _entry_data(pk: int, row: _Row, properties: str) -> JsonText:
    """The timeline entry's data: the event's id and name and, under "text", what words its
    line when read (``events.timeline_text.kept``), reusing the encoded properties."""
    bought = row.purchase
    purchase = "null"
    if bought is not None:
        purchase = (
            f'{{"amount": "{bought["amount"]}", "currency": "{bought["currency"]}", '
            f'"order_id": {_quoted(bought["order_id"])}}}'
        )
    return JsonText(
        f'{{"event_id": {pk}, "name": "{row.name}", "text": {{"via": "event", '
        f'"name": "{row.name}", "properties": {properties}, "purchase": {purchase}}}}}'
    )


def _received_payload(pk: int, row: _Row, at: str, source: str, properties: str) -> JsonText:
    """``event.received``'s payload (documented in docs/webhooks.md): id, name, person_id,
    visitor_id, occurred_at, source, key, properties and, for a purchase, amount, currency and
    order_id. The visitor id and the name match patterns without quotes or backslashes."""
    visitor = f'"{row.visitor_id}"' if row.visitor_id else '""'
    text = (
        f'{{"id": {pk}, "name": "{row.name}", "person_id": {_number(row.person_id)}, '
        f'"visitor_id": {visitor}, "occurred_at": "{at}", "source": {source}, '
        f'"key": {_quoted(row.key)}, "properties": {properties}'
    )
    purchase = row.purchase
    if purchase is not None:
        text += (
            f', "amount": "{purchase["amount"]}", "currency": "{purchase["currency"]}", '
            f'"order_id": {_quoted(purchase["order_id"])}'
        )
    return JsonText(text + "}")


def _purchase_payload(pk: int, row: _Row, at: str) -> JsonText:
    """``purchase.recorded``'s payload: event_id, person_id, order_id, amount, currency,
    item_count and occurred_at."""
    purchase: dict[str, Any] = row.purchase or {}
    return JsonText(
        f'{{"event_id": {pk}, "person_id": {_number(row.person_id)}, '
        f'"order_id": {_quoted(purchase["order_id"])}, "amount": "{purchase["amount"]}", '
        f'"currency": "{purchase["currency"]}", "item_count": {len(purchase["items"])}, '
        f'"occurred_at": "{at}"}}'
    )
