"""API of outbound webhooks: subscriptions, secrets, event types, the delivery log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut
from vinculo.integrations import catalog, selectors, services
from vinculo.integrations.models import WebhookDelivery, WebhookSubscription

router = Router(tags=["Webhooks"])


class SubscriptionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="What the receiver is, e.g. 'ERP'.")
    url: str = Field(
        description="http(s) URL that receives POSTs. Its host must be a public address (or "
        "resolve only to public ones) unless VINCULO_OUTBOUND_ALLOWED_NETWORKS lists it; "
        "otherwise 422 with code `private_address` on `url`."
    )
    event_types: list[str] = Field(
        description="Event names or glob patterns (`person.*`, `*`); see /webhooks/event-types."
    )
    condition: dict[str, Any] | None = Field(
        None,
        description="Optional filter-language tree tested against the event's subject record "
        "(only for events about `condition_object` records), e.g. "
        '{"field": "tags", "op": "has_any", "value": ["vip"]}.',
    )
    condition_object: str = Field("person", description="person, company, deal or activity.")


class SubscriptionPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    url: str | None = Field(None, description="As on create: a public http(s) URL.")
    event_types: list[str] | None = None
    condition: dict[str, Any] | None = None
    condition_object: str | None = None
    is_active: bool | None = Field(
        None, description="false disables; true re-enables and resumes pending deliveries."
    )


class SubscriptionOut(Schema):
    id: int
    name: str
    url: str
    event_types: list[str]
    condition: dict[str, Any] | None
    condition_object: str
    is_active: bool
    disabled_reason: str = Field(description="'', manual, failing or gone.")
    disabled_detail: str
    disabled_at: datetime | None
    failing_since: datetime | None
    consecutive_failures: int
    last_success_at: datetime | None
    last_failure_at: datetime | None
    created_at: datetime


class SubscriptionSecretOut(SubscriptionOut):
    secret: str = Field(description="The signing secret; shown only in this answer.")


class EventTypeOut(Schema):
    name: str
    group: str
    description: str
    payload_schema: dict[str, Any] = Field(
        description="The JSON schema of `data.payload` for this event type."
    )
    example: dict[str, Any] = Field(description="A full example body of this event type.")


class WebhookDeliveryOut(Schema):
    id: int
    uid: str = Field(description="The Vinculo-Delivery header: the receiver's idempotency key.")
    subscription_id: int
    event_type: str
    event_id: int | None
    subject_key: str
    status: str = Field(description="pending, succeeded or failed.")
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    finished_at: datetime | None


class AttemptOut(Schema):
    number: int
    started_at: datetime
    duration_ms: int
    manual: bool
    request_headers: dict[str, str]
    succeeded: bool
    response_status: int | None
    response_headers: dict[str, str]
    response_body: str = Field(description="The first KB of the answer.")
    error: str


class DeliveryDetailOut(WebhookDeliveryOut):
    request_body: dict[str, Any]
    attempt_log: list[AttemptOut]


class DeliveriesQuery(Schema):
    subscription: Id | None = None
    status: str | None = Field(None, description="pending, succeeded or failed")
    event_type: str | None = None
    cursor: str | None = None
    limit: Int32 | None = Field(None, description="1-200, default 50")


def _sub(sub: WebhookSubscription) -> dict[str, Any]:
    return {f: getattr(sub, f) for f in SubscriptionOut.model_fields} | {"id": sub.pk}


def _delivery(item: WebhookDelivery) -> dict[str, Any]:
    fields = set(WebhookDeliveryOut.model_fields) - {"next_attempt_at"}
    out = {f: getattr(item, f) for f in fields}
    out["next_attempt_at"] = item.next_attempt_at if item.status == "pending" else None
    return out


@router.get(
    "/webhooks/event-types",
    response={200: list[EventTypeOut], **ERRORS},
    summary="Event types a webhook may subscribe to, with an example body each",
)
def event_types(request: HttpRequest) -> list[dict[str, Any]]:
    return [catalog.describe(name) for name in catalog.subscribable_types()]


@router.get(
    "/webhooks/deliveries",
    response={200: PageOut[WebhookDeliveryOut], **ERRORS},
    summary="The delivery log, newest first (filters, cursor pagination)",
)
def list_deliveries(request: HttpRequest, query: Query[DeliveriesQuery]) -> dict[str, Any]:
    page = selectors.deliveries(
        actor_of(request),
        subscription_id=query.subscription,
        status=query.status,
        event_type=query.event_type,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": [_delivery(d) for d in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/webhooks/deliveries/{delivery_id}",
    response={200: DeliveryDetailOut, **ERRORS},
    summary="One delivery: its body and every attempt (request headers, response)",
)
def get_delivery(request: HttpRequest, delivery_id: Id) -> dict[str, Any]:
    item = selectors.get_delivery(actor_of(request), delivery_id)
    out = _delivery(item)
    out["request_body"] = json.loads(item.body)
    out["attempt_log"] = [
        {f: getattr(a, f) for f in AttemptOut.model_fields} for a in selectors.attempts(item)
    ]
    return out


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    response={202: WebhookDeliveryOut, **ERRORS},
    summary="Send a delivery again (same id and body, one new attempt)",
)
def redeliver(request: HttpRequest, delivery_id: Id) -> Status[dict[str, Any]]:
    item = services.redeliver(actor=actor_of(request), delivery_id=delivery_id)
    return Status(202, _delivery(item))


@router.get(
    "/webhooks",
    response={200: list[SubscriptionOut], **ERRORS},
    summary="List the workspace's webhook subscriptions",
)
def list_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    return [_sub(s) for s in selectors.subscriptions(actor_of(request))]


@router.post(
    "/webhooks",
    response={201: SubscriptionSecretOut, **ERRORS},
    summary="Add a webhook subscription; the answer holds its secret (shown once)",
)
def create_subscription(request: HttpRequest, payload: SubscriptionIn) -> Status[dict[str, Any]]:
    created = services.create_subscription(actor=actor_of(request), data=payload.dict())
    return Status(201, _sub(created.subscription) | {"secret": created.secret})


@router.get(
    "/webhooks/{subscription_id}", response={200: SubscriptionOut, **ERRORS}, summary="One webhook"
)
def get_subscription(request: HttpRequest, subscription_id: Id) -> dict[str, Any]:
    return _sub(selectors.get_subscription(actor_of(request), subscription_id))


@router.patch(
    "/webhooks/{subscription_id}",
    response={200: SubscriptionOut, **ERRORS},
    summary="Change a webhook, or disable / re-enable it",
)
def update_subscription(
    request: HttpRequest, subscription_id: Id, payload: SubscriptionPatch
) -> dict[str, Any]:
    sub = services.update_subscription(
        actor=actor_of(request),
        subscription_id=subscription_id,
        data=payload.dict(exclude_unset=True),
    )
    return _sub(sub)


@router.delete(
    "/webhooks/{subscription_id}",
    response={204: None, **ERRORS},
    summary="Delete a webhook and its delivery log",
)
def delete_subscription(request: HttpRequest, subscription_id: Id) -> Status[None]:
    services.delete_subscription(actor=actor_of(request), subscription_id=subscription_id)
    return Status(204, None)


@router.post(
    "/webhooks/{subscription_id}/rotate-secret",
    response={200: SubscriptionSecretOut, **ERRORS},
    summary="New signing secret (shown once); the old one still signs for 24 hours",
)
def rotate_secret(request: HttpRequest, subscription_id: Id) -> dict[str, Any]:
    rotated = services.rotate_secret(actor=actor_of(request), subscription_id=subscription_id)
    return _sub(rotated.subscription) | {"secret": rotated.secret}


@router.post(
    "/webhooks/{subscription_id}/ping",
    response={202: WebhookDeliveryOut, **ERRORS},
    summary="Send a webhook.ping test event (one attempt)",
)
def ping(request: HttpRequest, subscription_id: Id) -> Status[dict[str, Any]]:
    item = services.send_ping(actor=actor_of(request), subscription_id=subscription_id)
    return Status(202, _delivery(item))
