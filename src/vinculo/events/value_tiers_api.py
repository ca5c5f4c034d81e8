"""REST endpoints of IDIC's differentiation: the most valuable (MVC), most growable (MGC) and
problem customers, and the settings they read (docs/kpis.md, "Most valuable, most growable and
problem customers")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.permissions import require
from vinculo.core.schemas import ERRORS, PageOut
from vinculo.events import selectors
from vinculo.events.services import tiers
from vinculo.events.value_api import ProblemOut, tier_json

router = Router(tags=["Customer value"])


class ValueSettingsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    hourly_cost: Decimal | None = Field(
        None, description="The team's cost per hour in the workspace's currency; null: none."
    )
    tier_percent: int | None = Field(None, description="Share of customers per tier, 1 to 50.")


class ValueSettingsOut(Schema):
    hourly_cost: str | None = Field(description='Decimal as a string, e.g. "75.00".')
    tier_percent: int
    currency: str


class TierQuery(Schema):
    tier: Literal["mvc", "mgc", "problem"] = Field(
        "mvc", description="mvc (most valuable), mgc (most growable) or problem."
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class TierCustomerOut(Schema):
    person_id: int
    name: str
    currency: str
    clv: str | None
    value_at_stake: str = Field(description="Historic yearly spend, a decimal string.")
    tier: str
    tier_label: str
    tier_reason: str
    tier_params: dict[str, Any]
    tier_reason_text: str
    growth_gap: str | None
    is_problem: bool
    problems: list[ProblemOut]


def _settings_json(actor: Any) -> dict[str, Any]:
    found = tiers.settings_of(actor.workspace)
    cost = found.hourly_cost
    return {
        "hourly_cost": None if cost is None else str(cost),
        "tier_percent": found.tier_percent,
        "currency": actor.workspace.default_currency,
    }


@router.get(
    "/customer-value/settings",
    response={200: ValueSettingsOut, **ERRORS},
    summary="The hourly cost and tier share the customer tiers read",
)
def get_settings(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "insights.view")
    return _settings_json(actor)


@router.put(
    "/customer-value/settings",
    response={200: ValueSettingsOut, **ERRORS},
    summary="Set the hourly cost and tier share (applied at the next recompute)",
)
def put_settings(request: HttpRequest, payload: ValueSettingsIn) -> dict[str, Any]:
    actor = actor_of(request)
    tiers.save_value_settings(actor, payload.model_dump(exclude_unset=True))
    return _settings_json(actor)


@router.get(
    "/customer-value/tiers",
    response={200: PageOut[TierCustomerOut], **ERRORS},
    summary="The most valuable (mvc), most growable (mgc) or problem customers, with why",
)
def tier_list(request: HttpRequest, query: Query[TierQuery]) -> dict[str, Any]:
    rows = selectors.customers_in_tier(actor_of(request), query.tier)
    order = "-growth_gap" if query.tier == "mgc" else "-value_at_stake"
    page = paginate(rows, cursor=query.cursor, limit=query.limit, order=order)
    return {
        "items": [
            {
                "person_id": row.person_id,
                "name": str(row.person),
                "currency": row.currency,
                "clv": None if row.clv is None else str(row.clv),
                "value_at_stake": str(row.value_at_stake),
                **tier_json(row),
            }
            for row in page.items
        ],
        "next_cursor": page.next_cursor,
    }
