"""REST endpoints of inbound webhook endpoints: presets, CRUD, receipts, mapping preview."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, FieldProblem, Id, Int32, PageOut
from vinculo.events import selectors, services
from vinculo.events.models import InboundEndpoint, InboundReceipt
from vinculo.events.presets import PRESETS

router = Router(tags=["Tracked events"])


class PresetOut(Schema):
    key: str
    label: str
    description: str
    mapping: dict[str, Any]
    sample: Any


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    preset: str = Field("", description="ecommerce_order, scheduling_booking or form_post.")
    mapping: dict[str, Any] | None = Field(None, description="Omit to use the preset's mapping.")
    secret: str = Field("", description="Shared secret of the HMAC-SHA256 signature (optional).")
    is_active: bool = True


class EndpointPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    mapping: dict[str, Any] | None = None
    secret: str | None = None
    is_active: bool | None = None
    rotate_token: bool = Field(False, description="Give the endpoint a new URL.")


class EndpointOut(Schema):
    id: int
    name: str
    preset: str
    mapping: dict[str, Any]
    signed: bool
    is_active: bool
    url: str = Field(description="The public URL to give the other tool.")
    created_at: datetime


class ReceiptOut(Schema):
    id: int
    received_at: datetime
    status: str
    http_status: int
    payload: Any = None
    errors: list[FieldProblem]
    event_ids: list[int]


class PreviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    mapping: dict[str, Any] | None = Field(None, description="Defaults to the endpoint's.")
    payload: Any


class PreviewRowOut(Schema):
    index: int
    event: dict[str, Any]
    status: str = Field(description="ok or error")
    errors: list[FieldProblem]


class PreviewOut(Schema):
    events: list[PreviewRowOut]
    errors: list[FieldProblem] = Field(description="Paths of the payload that did not map.")


def endpoint_json(request: HttpRequest, endpoint: InboundEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "name": endpoint.name,
        "preset": endpoint.preset,
        "mapping": endpoint.mapping,
        "signed": bool(endpoint.secret),
        "is_active": endpoint.is_active,
        "url": request.build_absolute_uri(reverse("events:hook", args=[endpoint.token])),
        "created_at": endpoint.created_at,
    }


def receipt_json(receipt: InboundReceipt) -> dict[str, Any]:
    return {
        "id": receipt.pk,
        "received_at": receipt.received_at,
        "status": receipt.status,
        "http_status": receipt.http_status,
        "payload": receipt.payload,
        "errors": receipt.errors,
        "event_ids": receipt.event_ids,
    }


@router.get(
    "/events/inbound/presets",
    response={200: list[PresetOut], **ERRORS},
    summary="Mapping presets for inbound endpoints, with a sample payload each",
)
def list_presets(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "key": p.key,
            "label": str(p.label),
            "description": str(p.description),
            "mapping": p.mapping,
            "sample": p.sample,
        }
        for p in PRESETS.values()
    ]


@router.get(
    "/events/inbound/endpoints",
    response={200: list[EndpointOut], **ERRORS},
    summary="List inbound webhook endpoints",
)
def list_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    return [endpoint_json(request, e) for e in selectors.endpoints(actor_of(request))]


@router.post(
    "/events/inbound/endpoints",
    response={201: EndpointOut, **ERRORS},
    summary="Add an inbound webhook endpoint (a mapping or a preset)",
)
def create_endpoint(request: HttpRequest, payload: EndpointIn) -> Status[dict[str, Any]]:
    endpoint = services.create_inbound_endpoint(actor=actor_of(request), data=payload.dict())
    return Status(201, endpoint_json(request, endpoint))


@router.get(
    "/events/inbound/endpoints/{int:endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="One inbound endpoint",
)
def get_endpoint(request: HttpRequest, endpoint_id: Id) -> dict[str, Any]:
    return endpoint_json(request, selectors.get_endpoint(actor_of(request), endpoint_id))


@router.patch(
    "/events/inbound/endpoints/{int:endpoint_id}",
    response={200: EndpointOut, **ERRORS},
    summary="Change an inbound endpoint (name, mapping, secret, state, new URL)",
)
def update_endpoint(request: HttpRequest, endpoint_id: Id, payload: EndpointPatch) -> dict:
    data = payload.dict(exclude_unset=True)
    rotate = bool(data.pop("rotate_token", False))
    endpoint = services.update_inbound_endpoint(
        actor=actor_of(request), endpoint_id=endpoint_id, data=data, rotate_token=rotate
    )
    return endpoint_json(request, endpoint)


@router.delete(
    "/events/inbound/endpoints/{int:endpoint_id}",
    response={204: None, **ERRORS},
    summary="Delete an inbound endpoint",
)
def delete_endpoint(request: HttpRequest, endpoint_id: Id) -> Status[None]:
    services.delete_inbound_endpoint(actor=actor_of(request), endpoint_id=endpoint_id)
    return Status(204, None)


class PageQuery(Schema):
    cursor: str | None = None
    limit: Int32 | None = None


@router.get(
    "/events/inbound/endpoints/{int:endpoint_id}/receipts",
    response={200: PageOut[ReceiptOut], **ERRORS},
    summary="The receipt log of an inbound endpoint, newest first",
)
def list_receipts(request: HttpRequest, endpoint_id: Id, query: Query[PageQuery]) -> dict:
    qs = selectors.receipts(actor_of(request), endpoint_id)
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="-pk")
    return {"items": [receipt_json(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/events/inbound/endpoints/{int:endpoint_id}/preview",
    response={200: PreviewOut, **ERRORS},
    summary="The events a payload would create (nothing is written)",
)
def preview(request: HttpRequest, endpoint_id: Id, payload: PreviewIn) -> dict[str, Any]:
    actor = actor_of(request)
    endpoint = selectors.get_endpoint(actor, endpoint_id)
    mapping = payload.mapping if payload.mapping is not None else endpoint.mapping
    result = services.preview_mapping(actor=actor, mapping=mapping, payload=payload.payload)
    return {
        "events": [
            {
                "index": o.index,
                "event": result.rows[o.index],
                "status": "ok" if o.status == "created" else "error",
                "errors": [e.as_dict() for e in o.errors],
            }
            for o in result.outcomes
        ],
        "errors": [e.as_dict() for e in result.errors],
    }
