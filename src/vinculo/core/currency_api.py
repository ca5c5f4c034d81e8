"""API of the currency rates the workspace enters (``/api/v1/currency-rates``): what one unit
of a currency was worth in the workspace's default currency during a month, read by the money
KPIs asked for ``currency=converted``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core import currency
from vinculo.core.actor import actor_of
from vinculo.core.models import CurrencyRate
from vinculo.core.schemas import ERRORS, Id

router = Router(tags=["currency rates"])

MONTH = r"^\d{4}-\d{2}(-\d{2})?$"


class RateQuery(Schema):
    currency: str | None = Field(None, pattern=r"^[A-Za-z]{3}$", examples=["USD"])
    from_: str | None = Field(
        None, alias="from", pattern=MONTH, description="First month (YYYY-MM), included."
    )
    to: str | None = Field(None, pattern=MONTH, description="Last month (YYYY-MM), included.")


class RateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    currency: str = Field(examples=["USD"], description="ISO 4217, not the workspace's own.")
    month: str = Field(examples=["2026-03"], description="YYYY-MM (or any day of the month).")
    rate: Decimal = Field(
        examples=["5.12"], description="One unit of `currency` in the workspace's currency."
    )


class RatePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    currency: str | None = None
    month: str | None = None
    rate: Decimal | None = None


class RateOut(Schema):
    id: int
    currency: str
    to_currency: str = Field(description="The workspace's default currency.")
    month: str = Field(examples=["2026-03"])
    rate: Decimal


class RateList(Schema):
    items: list[RateOut]


def _out(found: CurrencyRate) -> dict[str, Any]:
    return {
        "id": found.pk,
        "currency": found.currency,
        "to_currency": found.to_currency,
        "month": f"{found.month:%Y-%m}",
        "rate": found.rate,
    }


@router.get("/currency-rates", response={200: RateList, **ERRORS}, summary="Currency rates")
def list_rates(request: HttpRequest, query: Query[RateQuery]) -> dict[str, Any]:
    """The workspace's rates into its default currency, newest month first."""
    rates = currency.currency_rates(
        actor_of(request),
        currency=query.currency,
        start=currency.parse_month(query.from_, "from"),
        end=currency.parse_month(query.to, "to"),
    )
    return {"items": [_out(r) for r in rates]}


@router.post("/currency-rates", response={201: RateOut, **ERRORS}, summary="Enter a rate")
def create_rate(request: HttpRequest, payload: RateIn) -> Status[dict[str, Any]]:
    """422 naming the field: unknown currency, the workspace's own, a rate not above zero, a
    month that already has a rate for this currency."""
    found = currency.create_currency_rate(actor=actor_of(request), data=payload.model_dump())
    return Status(201, _out(found))


@router.get("/currency-rates/{rate_id}", response={200: RateOut, **ERRORS}, summary="A rate")
def get_rate(request: HttpRequest, rate_id: Id) -> dict[str, Any]:
    return _out(currency.get_currency_rate(actor_of(request), rate_id))


@router.patch("/currency-rates/{rate_id}", response={200: RateOut, **ERRORS}, summary="Change")
def patch_rate(request: HttpRequest, rate_id: Id, payload: RatePatch) -> dict[str, Any]:
    found = currency.update_currency_rate(
        actor=actor_of(request), rate_id=rate_id, data=payload.model_dump(exclude_unset=True)
    )
    return _out(found)


@router.delete("/currency-rates/{rate_id}", response={204: None, **ERRORS}, summary="Delete")
def delete_rate(request: HttpRequest, rate_id: Id) -> Status[None]:
    currency.delete_currency_rate(actor=actor_of(request), rate_id=rate_id)
    return Status(204, None)
