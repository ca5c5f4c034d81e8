"""API: the audit log, the domain-event outbox, the fields the filter language offers and the
saved table views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core import filters, selectors, services
from vinculo.core.actor import Source, actor_of
from vinculo.core.models import (
    AuditEntry,
    DeliveryStatus,
    EventDelivery,
    SavedView,
    SavedViewObject,
)
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, PageOut

router = Router(tags=["audit"])


class AuditQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    action: str | None = Field(None, examples=["member.role_changed"])
    object_type: str | None = Field(None, examples=["workspaces.membership"])
    object_id: str | None = None
    actor_id: Id | None = None
    source: Source | None = None


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    source: Source
    ip_address: str | None


class DeliveryQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    status: DeliveryStatus | None = None


class OutboxDeliveryOut(Schema):
    id: int
    event_id: int
    event_name: str
    subject_type: str
    subject_id: str
    consumer: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    finished_at: datetime | None
    last_error: str


def _delivery(d: EventDelivery) -> dict[str, Any]:
    return {
        "id": d.pk,
        "event_id": d.event_id,
        "event_name": d.event.name,
        "subject_type": d.event.subject_type,
        "subject_id": d.event.subject_id,
        "consumer": d.consumer,
        "status": d.status,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "finished_at": d.finished_at,
        "last_error": d.last_error,
    }


@router.get("/audit", response={200: PageOut[AuditOut], **ERRORS}, summary="The audit log")
def list_audit(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    entries = selectors.audit_entries(
        actor_of(request),
        action=query.action,
        object_type=query.object_type,
        object_id=query.object_id,
        actor_id=query.actor_id,
        source=query.source,
    )
    page = paginate(entries, cursor=query.cursor, limit=query.limit, order="-pk")
    items: list[AuditEntry] = page.items
    return {"items": items, "next_cursor": page.next_cursor}


@router.get(
    "/outbox/deliveries",
    response={200: PageOut[OutboxDeliveryOut], **ERRORS},
    tags=["events"],
    summary="Deliveries of domain events to their consumers (e.g. status=failed)",
)
def list_deliveries(request: HttpRequest, query: Query[DeliveryQuery]) -> dict[str, Any]:
    deliveries = selectors.event_deliveries(actor_of(request), status=query.status)
    page = paginate(deliveries, cursor=query.cursor, limit=query.limit, order="-pk")
    return {"items": [_delivery(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/outbox/deliveries/{delivery_id}/retry",
    response={200: OutboxDeliveryOut, **ERRORS},
    tags=["events"],
    summary="Run a failed delivery again",
)
def retry_delivery(request: HttpRequest, delivery_id: Id) -> dict[str, Any]:
    delivery = services.retry_event_delivery(actor=actor_of(request), delivery_id=delivery_id)
    return _delivery(delivery)


class FilterChoiceOut(Schema):
    value: int | str
    label: str


class FilterFieldOut(Schema):
    field: str = Field(examples=["custom_fields.segment"])
    label: str
    type: str = Field(examples=["text", "number", "date", "choice", "tags", "relation"])
    operators: list[str]
    custom: bool = Field(description="A custom field of this workspace.")
    choices: list[FilterChoiceOut] | None = Field(
        None, description="Allowed values (choice, multi_choice and user fields)."
    )
    object_type: str | None = Field(
        None, description="For relations: the object type the nested filter is about."
    )


class FilterSchemaOut(Schema):
    object_type: str
    max_depth: int
    max_conditions: int
    fields: list[FilterFieldOut]


@router.get(
    "/filters/{object_type}",
    response={200: FilterSchemaOut, **ERRORS},
    tags=["filters"],
    summary="The fields, operators and choices a filter over people, companies, deals or "
    "activities may use (docs/filters.md)",
)
def describe_filter(request: HttpRequest, object_type: str) -> dict[str, Any]:
    fields = filters.describe(object_type, actor=actor_of(request))
    return {
        "object_type": object_type,
        "max_depth": filters.MAX_DEPTH,
        "max_conditions": filters.MAX_CONDITIONS,
        "fields": fields,
    }


# --- saved table views ---------------------------------------------------------------------------


class ViewQuery(Schema):
    cursor: str | None = None
    limit: int = Field(100, ge=1, le=200)
    object_type: SavedViewObject | None = None


class ViewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, examples=["Varejo em SP"])
    shared: bool | None = Field(None, description="Seen (not changed) by the whole workspace.")
    filter: dict[str, Any] | None = Field(
        None, description="A condition tree of the filter language (docs/filters.md)."
    )
    columns: list[str] | None = Field(None, examples=[["name", "email", "custom_fields.segment"]])
    sort: str | None = Field(None, examples=["-created_at"])
    search: str | None = None


class ViewCreate(ViewIn):
    object_type: SavedViewObject
    name: str = Field(examples=["Varejo em SP"])


class ViewOut(Schema):
    id: int
    object_type: SavedViewObject
    name: str
    owner_id: int
    shared: bool
    filter: dict[str, Any] | None
    columns: list[str]
    sort: str
    search: str
    created_at: datetime
    updated_at: datetime


@router.get(
    "/views",
    response={200: PageOut[ViewOut], **ERRORS},
    tags=["views"],
    summary="My saved table views and the workspace's shared ones",
)
def list_views(request: HttpRequest, query: Query[ViewQuery]) -> dict[str, Any]:
    found = selectors.views(actor_of(request), query.object_type)
    page = paginate(found, cursor=query.cursor, limit=query.limit, order="pk")
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/views/{view_id}", response={200: ViewOut, **ERRORS}, tags=["views"])
def get_view(request: HttpRequest, view_id: Id) -> SavedView:
    return selectors.get_view(actor_of(request), view_id)


@router.post(
    "/views", response={201: ViewOut, **ERRORS}, tags=["views"], summary="Save a table view"
)
def create_view(request: HttpRequest, payload: ViewCreate) -> Status[SavedView]:
    view = services.save_view(actor=actor_of(request), data=payload.dict(exclude_unset=True))
    return Status(201, view)


@router.patch("/views/{view_id}", response={200: ViewOut, **ERRORS}, tags=["views"])
def patch_view(request: HttpRequest, view_id: Id, payload: ViewIn) -> SavedView:
    return services.update_view(
        actor=actor_of(request), view_id=view_id, data=payload.dict(exclude_unset=True)
    )


@router.delete("/views/{view_id}", response={204: None, **ERRORS}, tags=["views"])
def delete_view(request: HttpRequest, view_id: Id) -> Status[None]:
    services.delete_view(actor=actor_of(request), view_id=view_id)
    return Status(204, None)
