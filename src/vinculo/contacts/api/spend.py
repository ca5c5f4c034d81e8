"""API of marketing spend (``/api/v1/spend``): what the workspace spent per month and channel,
the numerator of CAC."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.contacts import selectors, services
from vinculo.contacts.models import Spend
from vinculo.core.actor import actor_of
from vinculo.core.currency import parse_month
from vinculo.core.schemas import ERRORS, Id

router = Router(tags=["contacts"])

MONTH = r"^\d{4}-\d{2}(-\d{2})?$"


class SpendQuery(Schema):
    from_: str | None = Field(
        None, alias="from", pattern=MONTH, description="First month (YYYY-MM), included."
    )
    to: str | None = Field(None, pattern=MONTH, description="Last month (YYYY-MM), included.")
    channel: str | None = Field(
        None, max_length=60, description="One channel (case and accents ignored)."
    )


class SpendIn(Schema):
    model_config = ConfigDict(extra="forbid")

    month: str = Field(examples=["2026-03"], description="YYYY-MM (or any day of the month).")
    channel: str = Field(max_length=60, examples=["Google Ads"])
    amount: Decimal = Field(examples=["1500.00"])
    currency: str | None = Field(None, description="ISO 4217 (default: the workspace's).")
    note: str = ""


class SpendPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    month: str | None = None
    channel: str | None = Field(None, max_length=60)
    amount: Decimal | None = None
    currency: str | None = None
    note: str | None = None


class SpendOut(Schema):
    id: int
    month: str = Field(examples=["2026-03"])
    channel: str
    amount: Decimal
    currency: str
    note: str
    entered_by_id: int | None = Field(description="The member who entered it.")
    created_at: datetime
    updated_at: datetime


class SpendList(Schema):
    items: list[SpendOut]


def _out(spend: Spend) -> dict[str, Any]:
    return {
        "id": spend.pk,
        "month": f"{spend.month:%Y-%m}",
        "channel": spend.channel,
        "amount": spend.amount,
        "currency": spend.currency,
        "note": spend.note,
        "entered_by_id": spend.created_by_id,
        "created_at": spend.created_at,
        "updated_at": spend.updated_at,
    }


@router.get("/spend", response={200: SpendList, **ERRORS}, summary="Marketing spend")
def list_spend(request: HttpRequest, query: Query[SpendQuery]) -> dict[str, Any]:
    """The spend entries from month `from` to month `to`, newest first."""
    entries = selectors.spend_entries(
        actor_of(request),
        start=parse_month(query.from_, "from"),
        end=parse_month(query.to, "to"),
        channel=query.channel,
    )
    return {"items": [_out(s) for s in entries]}


@router.post("/spend", response={201: SpendOut, **ERRORS}, summary="Enter spend")
def create_spend(request: HttpRequest, payload: SpendIn) -> Status[dict[str, Any]]:
    """422 naming each bad field; a month, channel and currency already entered: `channel`."""
    spend = services.create_spend(
        actor=actor_of(request), data=payload.model_dump(exclude_none=True)
    )
    return Status(201, _out(spend))


@router.get("/spend/{spend_id}", response={200: SpendOut, **ERRORS}, summary="A spend entry")
def get_spend(request: HttpRequest, spend_id: Id) -> dict[str, Any]:
    return _out(selectors.get_spend(actor_of(request), spend_id))


@router.patch("/spend/{spend_id}", response={200: SpendOut, **ERRORS}, summary="Change spend")
def patch_spend(request: HttpRequest, spend_id: Id, payload: SpendPatch) -> dict[str, Any]:
    spend = services.update_spend(
        actor=actor_of(request), spend_id=spend_id, data=payload.model_dump(exclude_unset=True)
    )
    return _out(spend)


@router.delete("/spend/{spend_id}", response={204: None, **ERRORS}, summary="Delete spend")
def delete_spend(request: HttpRequest, spend_id: Id) -> Status[None]:
    services.delete_spend(actor=actor_of(request), spend_id=spend_id)
    return Status(204, None)
