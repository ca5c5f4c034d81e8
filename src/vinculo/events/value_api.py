"""REST endpoints of customer value: RFM scores (docs/kpis.md, "Customer value: RFM")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id
from vinculo.events import selectors as value_selectors
from vinculo.events.models import CustomerValue
from vinculo.events.services.rfm import recompute_rfm

router = Router(tags=["Customer value"])


class RecomputeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    analysis_date: date | None = Field(
        None, description="Score purchases up to this day (default: today, workspace time)."
    )


class SegmentCountOut(Schema):
    segment: str
    label: str = Field(description="The segment's name in the request's language.")
    people: int


class ValueSummaryOut(Schema):
    analysis_date: date | None = Field(description="None until the scores are first computed.")
    computed_at: datetime | None
    currency: str
    people: int
    segments: list[SegmentCountOut]


class PersonValueOut(Schema):
    person_id: int
    scored: bool = Field(description="False when the last analysis found no purchase of theirs.")
    analysis_date: date | None
    computed_at: datetime | None
    currency: str | None
    recency_days: int | None = Field(description="Days from the last purchase to the analysis.")
    frequency: int | None
    monetary: str | None = Field(description='Decimal as a string, e.g. "120.00".')
    r_score: int | None
    f_score: int | None
    m_score: int | None
    segment: str | None
    segment_label: str | None = Field(description="The segment in the request's language.")


_UNSCORED = dict.fromkeys(
    [name for name in PersonValueOut.model_fields if name not in {"person_id", "scored"}]
)


def _person_value_json(person_id: int, row: CustomerValue | None) -> dict[str, Any]:
    if row is None:
        return {"person_id": person_id, "scored": False, **_UNSCORED}
    return {
        "person_id": row.person_id,
        "scored": True,
        "analysis_date": row.analysis_date,
        "computed_at": row.computed_at,
        "currency": row.currency,
        "recency_days": row.recency_days,
        "frequency": row.frequency,
        "monetary": str(row.monetary),
        "r_score": row.r_score,
        "f_score": row.f_score,
        "m_score": row.m_score,
        "segment": row.segment,
        "segment_label": str(row.get_segment_display()),
    }


@router.get(
    "/customer-value",
    response={200: ValueSummaryOut, **ERRORS},
    summary="RFM segment counts and the analysis date",
)
def get_summary(request: HttpRequest) -> dict[str, Any]:
    return value_selectors.customer_value_summary(actor_of(request))


@router.post(
    "/customer-value/recompute",
    response={200: ValueSummaryOut, **ERRORS},
    summary="Recompute the workspace's RFM scores now",
)
def post_recompute(request: HttpRequest, payload: RecomputeIn | None = None) -> dict[str, Any]:
    actor = actor_of(request)
    recompute_rfm(actor, payload.analysis_date if payload else None)
    return value_selectors.customer_value_summary(actor)


@router.get(
    "/people/{int:person_id}/value",
    response={200: PersonValueOut, **ERRORS},
    summary="A person's RFM values, scores and segment (scored false without purchases)",
)
def person_value(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    return _person_value_json(
        person_id, value_selectors.customer_value_of(actor_of(request), person_id)
    )
