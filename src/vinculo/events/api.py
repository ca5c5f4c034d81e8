"""REST endpoints of tracked events: ingest (single or batch), list, detail, purchase history,
settings, visitor links, and the inbound webhook endpoints' management."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.errors import ServiceError, ValidationFailed
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, FieldProblem, Id, Int32, PageOut
from vinculo.events import selectors, services
from vinculo.events.models import Purchase, TrackedEvent
from vinculo.events.services.ingest import collector_paused
from vinculo.events.services.summaries import summary_of

router = Router(tags=["Tracked events"])


class BadRequest(ServiceError):
    status = 400
    title = "Bad request"
    type_slug = "bad-request"


class ItemOut(Schema):
    sku: str
    name: str
    quantity: str
    unit_price: str | None


class PurchaseOut(Schema):
    event_id: int
    person_id: int | None
    order_id: str
    amount: str = Field(description='Decimal as a string, e.g. "120.00".')
    currency: str
    items: list[ItemOut]
    occurred_at: datetime


class EventOut(Schema):
    id: int
    name: str
    person_id: int | None
    visitor_id: str
    occurred_at: datetime
    received_at: datetime
    source: str
    key: str
    summary: str = Field(description="The event in a line, in the request's language.")
    properties: dict[str, Any]
    purchase: PurchaseOut | None = None


class RowResultOut(Schema):
    index: int = Field(description="Position of the event in the request (0-based).")
    status: str = Field(description="created, duplicate or error")
    id: int | None = Field(None, description="The stored event (the earlier one for duplicates).")
    person_id: int | None = None
    errors: list[FieldProblem]


class CountsOut(Schema):
    created: int
    duplicate: int
    error: int


class IngestOut(Schema):
    counts: CountsOut
    people_created: int = Field(description="Unknown people created as leads by this call.")
    results: list[RowResultOut]


class EventsQuery(Schema):
    person_id: Id | None = None
    name: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    cursor: str | None = None
    limit: Int32 | None = None


class PageQuery(Schema):
    cursor: str | None = None
    limit: Int32 | None = None


class TotalOut(Schema):
    currency: str
    amount: str


class TotalsOut(Schema):
    order_count: int
    total_spent: list[TotalOut]
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None


class PurchasesOut(Schema):
    totals: TotalsOut
    items: list[PurchaseOut]
    next_cursor: str | None = None


class EventSettingsOut(Schema):
    create_unknown_people: bool
    lead_stage: str
    lead_source: str


class EventSettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    create_unknown_people: bool | None = None
    lead_stage: str | None = None
    lead_source: str | None = None


class LinkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    visitor_id: str
    person_id: Id


class LinkOut(Schema):
    visitor_id: str
    person_id: int
    linked: int = Field(description="How many earlier anonymous events were attached.")


def purchase_json(purchase: Purchase) -> dict[str, Any]:
    return {
        "event_id": purchase.event_id,
        "person_id": purchase.person_id,
        "order_id": purchase.order_id,
        "amount": str(purchase.amount),
        "currency": purchase.currency,
        "items": purchase.items,
        "occurred_at": purchase.occurred_at,
    }


def event_json(event: TrackedEvent, purchase: Purchase | None = None) -> dict[str, Any]:
    return {
        "id": event.pk,
        "name": event.name,
        "person_id": event.person_id,
        "visitor_id": event.visitor_id,
        "occurred_at": event.occurred_at,
        "received_at": event.received_at,
        "source": event.source,
        "key": event.key,
        "summary": summary_of(event, purchase),  # in the request's language
        "properties": event.properties,
        "purchase": purchase_json(purchase) if purchase is not None else None,
    }


def rows_of_body(raw: bytes) -> tuple[list[Any], bool]:
    """The event rows of a request body and whether it was a batch; 400 when it is not JSON,
    422 naming ``events`` when the batch is not a list."""
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest(_("The body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise ValidationFailed.field(
            "body", _('Send an event object or {"events": [...]}.'), "invalid_type"
        )
    if "events" in body:
        if not isinstance(body["events"], list) or set(body) != {"events"}:
            raise ValidationFailed.field(
                "events", _('Send a list of event objects as "events".'), "invalid_type"
            )
        if len(body["events"]) > services.MAX_EVENTS_PER_CALL:
            raise ValidationFailed.field(
                "events",
                _("At most %(n)s events per call.") % {"n": services.MAX_EVENTS_PER_CALL},
                "too_many",
            )
        return body["events"], True
    return [body], False


def ingest_json(result: services.IngestResult, batch: bool) -> dict[str, Any]:
    """Per-row answers; in a batch each error's field is its full path (``events[3].amount``)."""
    rows = []
    for outcome in result.rows:
        row = outcome.as_dict()
        if batch:
            for error in row["errors"]:
                suffix = error["field"]
                prefix = f"events[{outcome.index}]"
                error["field"] = f"{prefix}.{suffix}" if suffix else prefix
        rows.append(row)
    return {"counts": result.counts, "people_created": result.people_created, "results": rows}


_EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        {"type": "object", "description": "One event (see docs/events.md)."},
                        {
                            "type": "object",
                            "properties": {
                                "events": {
                                    "type": "array",
                                    "maxItems": 1000,
                                    "items": {"type": "object"},
                                }
                            },
                            "required": ["events"],
                        },
                    ]
                },
                "example": {
                    "events": [
                        {
                            "name": "purchase",
                            "key": "order-123",
                            "person": {"email": "maria@example.com.br"},
                            "amount": "120.00",
                            "currency": "BRL",
                            "order_id": "123",
                            "items": [{"sku": "PAO", "quantity": 2, "unit_price": "60.00"}],
                        }
                    ]
                },
            }
        },
    }
}


@router.post(
    "/events",
    response={200: IngestOut, **ERRORS},
    summary="Record one event or a batch of up to 1,000 (idempotent by key)",
    openapi_extra=_EVENT_BODY,
)
def post_events(request: HttpRequest) -> JsonResponse:
    # Parsing, storing and answering 1,000 events allocates ~100,000 short-lived objects:
    # no cyclic collection meanwhile (see ``collector_paused``).
    with collector_paused():
        rows, batch = rows_of_body(request.body)
        result = services.ingest_events(actor=actor_of(request), rows=rows)
        # Built here and sent as is: validating 1,000 result rows against the schema again
        # would cost more than storing them (the contract test checks the shape).
        return JsonResponse(ingest_json(result, batch))


@router.get(
    "/events/settings", response={200: EventSettingsOut, **ERRORS}, summary="Event settings"
)
def get_settings(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    selectors.events(actor)  # records.view
    found = services.settings_of(actor.workspace.pk)
    return {
        "create_unknown_people": found.create_unknown_people,
        "lead_stage": found.lead_stage,
        "lead_source": found.lead_source,
    }


@router.put(
    "/events/settings",
    response={200: EventSettingsOut, **ERRORS},
    summary="Change how events about unknown people are treated",
)
def put_settings(request: HttpRequest, payload: EventSettingsIn) -> dict[str, Any]:
    found = services.update_event_settings(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return {
        "create_unknown_people": found.create_unknown_people,
        "lead_stage": found.lead_stage,
        "lead_source": found.lead_source,
    }


@router.post(
    "/events/visitor-links",
    response={200: LinkOut, **ERRORS},
    summary="Link an anonymous site visitor to a person (attaches their earlier events)",
)
def post_visitor_link(request: HttpRequest, payload: LinkIn) -> dict[str, Any]:
    linked = services.link_visitor(
        actor=actor_of(request), visitor_id=payload.visitor_id, person_id=payload.person_id
    )
    return {
        "visitor_id": payload.visitor_id.strip(),
        "person_id": payload.person_id,
        "linked": linked,
    }


@router.get("/events", response={200: PageOut[EventOut], **ERRORS}, summary="List tracked events")
def list_events(request: HttpRequest, query: Query[EventsQuery]) -> dict[str, Any]:
    qs = selectors.events(
        actor_of(request),
        person_id=query.person_id,
        name=query.name,
        since=query.since,
        until=query.until,
    ).select_related("purchase")
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="-occurred_at")
    return {
        "items": [event_json(e, selectors.purchase_of(e)) for e in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/events/{int:event_id}", response={200: EventOut, **ERRORS}, summary="One event")
def get_event(request: HttpRequest, event_id: Id) -> dict[str, Any]:
    event = selectors.get_event(actor_of(request), event_id)
    return event_json(event, selectors.purchase_of(event))


@router.get(
    "/people/{int:person_id}/purchases",
    response={200: PurchasesOut, **ERRORS},
    summary="A person's purchase history and totals",
)
def person_purchases(
    request: HttpRequest, person_id: Id, query: Query[PageQuery]
) -> dict[str, Any]:
    actor = actor_of(request)
    totals = selectors.purchase_totals(actor, person_id)
    page = paginate(
        selectors.purchases(actor, person_id),
        cursor=query.cursor,
        limit=query.limit,
        order="-occurred_at",
    )
    return {
        "totals": {
            "order_count": totals["order_count"],
            "total_spent": [
                {"currency": c, "amount": str(Decimal(a).quantize(Decimal("0.01")))}
                for c, a in sorted(totals["by_currency"].items())
            ],
            "first_purchase_at": totals["first_purchase_at"],
            "last_purchase_at": totals["last_purchase_at"],
        },
        "items": [purchase_json(p) for p in page.items],
        "next_cursor": page.next_cursor,
    }


from vinculo.events import inbound_api  # noqa: E402  (its routes hang on this router)

router.add_router("/", inbound_api.router)
