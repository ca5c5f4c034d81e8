"""API of a pipeline's Kanban board."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id
from vinculo.sales import selectors
from vinculo.sales.api.pipelines import PipelineOut, StageOut, pipeline_out, stage_out
from vinculo.sales.models import DealStatus

router = Router()  # tagged "sales" where the package mounts it


class CurrencyTotalOut(Schema):
    currency: str
    count: int
    amount: str
    weighted_amount: str


class DealCard(Schema):
    id: int
    title: str
    status: DealStatus
    amount: str
    currency: str
    expected_close_date: date | None
    stage_entered_at: datetime
    closed_at: datetime | None
    days_in_stage: int
    is_rotting: bool
    owner_id: int | None
    owner_name: str | None
    person_id: int | None
    person_name: str | None
    company_id: int | None
    company_name: str | None


class BoardColumnOut(Schema):
    stage: StageOut
    count: int
    amount: str = Field(description="Sum in the workspace currency.")
    weighted_amount: str = Field(description="Amount times the stage's win probability.")
    totals: list[CurrencyTotalOut] = Field(description="Count and sums per currency.")
    deals: list[DealCard]


class BoardOut(Schema):
    pipeline: PipelineOut
    currency: str
    columns: list[BoardColumnOut]


class BoardQuery(Schema):
    per_stage: int = Field(50, ge=1, le=200, description="Deals shown per stage.")
    closed_within_days: int = Field(
        30, ge=1, le=3650, description="Won/lost columns show deals closed this recently."
    )


def _card(d: Any) -> dict[str, Any]:
    return {
        "id": d.pk,
        "title": d.title,
        "status": d.status,
        "amount": str(d.amount),
        "currency": d.currency,
        "expected_close_date": d.expected_close_date,
        "stage_entered_at": d.stage_entered_at,
        "closed_at": d.closed_at,
        "days_in_stage": d.days_in_stage,
        "is_rotting": d.is_rotting,
        "owner_id": d.owner_id,
        "owner_name": str(d.owner) if d.owner else None,
        "person_id": d.person_id,
        "person_name": " ".join(filter(None, [d.person.first_name, d.person.last_name]))
        if d.person
        else None,
        "company_id": d.company_id,
        "company_name": d.company.name if d.company else None,
    }


@router.get("/pipelines/{pipeline_id}/board", response={200: BoardOut, **ERRORS})
def get_board(request: HttpRequest, pipeline_id: Id, query: Query[BoardQuery]) -> dict[str, Any]:
    board = selectors.board(
        actor_of(request),
        pipeline_id,
        per_stage=query.per_stage,
        closed_within_days=query.closed_within_days,
    )
    return {
        "pipeline": pipeline_out(board.pipeline),
        "currency": board.currency,
        "columns": [
            {
                "stage": stage_out(c.stage),
                "count": c.count,
                "amount": str(c.amount),
                "weighted_amount": str(c.weighted_amount),
                "totals": [
                    {
                        "currency": t.currency,
                        "count": t.count,
                        "amount": str(t.amount),
                        "weighted_amount": str(t.weighted_amount),
                    }
                    for t in c.totals
                ],
                "deals": [_card(d) for d in c.deals],
            }
            for c in board.columns
        ],
    }
