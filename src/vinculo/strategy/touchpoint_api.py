"""REST endpoints of the touchpoint map (docs/experience.md): the cells (add, read, change,
remove) and ``/touchpoints/policy``, the communication policy of a channel, department and
lifecycle stage, as campaigns, automation and SLAs read it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.permissions import require
from vinculo.core.schemas import ERRORS, Id, Int32
from vinculo.strategy import touchpoint_selectors as selectors
from vinculo.strategy import touchpoint_services as services
from vinculo.strategy.models import Touchpoint
from vinculo.strategy.touchpoint_policy import policy_words

router = Router(tags=["Strategy: touchpoints"])


class TouchpointIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lifecycle_stage: str = Field(description="A lifecycle stage key of the workspace.")
    department: str = Field(description="marketing, sales, service or management")
    channel: str = Field(description="email, phone, whatsapp, sms, chat, website, social, …")
    owner_id: Id | None = None
    team_id: Id | None = None
    policy_kind: str = Field("", description='"" (no rule), reply_within, at_most, at_least')
    policy_amount: Int32 | None = Field(None, description="How many (of the unit).")
    policy_unit: str = Field(
        "",
        description="reply_within: minutes, hours, business_hours, days, business_days; "
        "at_most / at_least: day, week, month",
    )
    policy_note: str = ""
    kpi_key: str = Field("", description="The registered KPI that watches the cell.")


class TouchpointPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    lifecycle_stage: str | None = None
    department: str | None = None
    channel: str | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    policy_kind: str | None = None
    policy_amount: Int32 | None = None
    policy_unit: str | None = None
    policy_note: str | None = None
    kpi_key: str | None = None


class TouchpointOut(Schema):
    id: int
    lifecycle_stage: str
    department: str
    channel: str
    owner_id: int | None
    team_id: int | None
    policy_kind: str
    policy_amount: int | None
    policy_unit: str
    policy_note: str
    policy_words: str = Field(description="The rule in the request's language.")
    kpi_key: str
    created_at: datetime
    updated_at: datetime


class TouchpointPolicyOut(Schema):
    touchpoint_id: int
    lifecycle_stage: str
    department: str
    channel: str
    kind: str
    amount: int | None
    unit: str
    note: str
    words: str = Field(description="The rule in the request's language.")
    owner_id: int | None
    team_id: int | None
    kpi_key: str


class TouchpointPolicyQuery(Schema):
    channel: str | None = None
    department: str | None = None
    stage: str | None = Field(None, description="A lifecycle stage key.")


def _json(t: Touchpoint) -> dict[str, Any]:
    out = {f: getattr(t, f) for f in TouchpointOut.model_fields if f != "policy_words"}
    out["policy_words"] = policy_words(t.policy_kind, t.policy_amount, t.policy_unit)
    return out


@router.get(
    "/touchpoints", response={200: list[TouchpointOut], **ERRORS}, summary="The touchpoint map"
)
def list_touchpoints(request: HttpRequest) -> list[dict[str, Any]]:
    return [_json(t) for t in selectors.touchpoints(actor_of(request))]


@router.get(
    "/touchpoints/policy",
    response={200: list[TouchpointPolicyOut], **ERRORS},
    summary="The communication policy of a channel, department and lifecycle stage",
)
def get_policy(request: HttpRequest, query: Query[TouchpointPolicyQuery]) -> list[dict]:
    actor = actor_of(request)
    require(actor, "records.view")
    found = selectors.communication_policy(
        actor.workspace,
        channel=query.channel or None,
        department=query.department or None,
        lifecycle_stage=query.stage or None,
    )
    return [vars(p) | {"words": p.words} for p in found]


@router.post("/touchpoints", response={201: TouchpointOut, **ERRORS}, summary="Add a touchpoint")
def create_touchpoint(request: HttpRequest, payload: TouchpointIn) -> Status[dict[str, Any]]:
    touchpoint = services.create_touchpoint(actor=actor_of(request), data=payload.dict())
    return Status(201, _json(touchpoint))


@router.get(
    "/touchpoints/{touchpoint_id}",
    response={200: TouchpointOut, **ERRORS},
    summary="One touchpoint",
)
def get_touchpoint(request: HttpRequest, touchpoint_id: Id) -> dict[str, Any]:
    return _json(selectors.get_touchpoint(actor_of(request), touchpoint_id))


@router.patch(
    "/touchpoints/{touchpoint_id}",
    response={200: TouchpointOut, **ERRORS},
    summary="Change a touchpoint",
)
def update_touchpoint(
    request: HttpRequest, touchpoint_id: Id, payload: TouchpointPatch
) -> dict[str, Any]:
    touchpoint = services.update_touchpoint(
        actor=actor_of(request),
        touchpoint_id=touchpoint_id,
        data=payload.dict(exclude_unset=True),
    )
    return _json(touchpoint)


@router.delete(
    "/touchpoints/{touchpoint_id}", response={204: None, **ERRORS}, summary="Remove a touchpoint"
)
def delete_touchpoint(request: HttpRequest, touchpoint_id: Id) -> Status[None]:
    services.delete_touchpoint(actor=actor_of(request), touchpoint_id=touchpoint_id)
    return Status(204, None)
