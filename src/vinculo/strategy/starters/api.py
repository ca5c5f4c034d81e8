"""REST endpoints of the guided start: the draft plans and applying one (docs/strategy.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.permissions import require
from vinculo.core.schemas import ERRORS
from vinculo.strategy.starters.catalogue import STARTERS
from vinculo.strategy.starters.services import apply_starter

router = Router(tags=["Strategy: plan"])


class StarterOut(Schema):
    key: str = Field(description="The kind of business (business_type).")
    label: str
    summary: str
    objectives: int
    goals: int


class StartIn(Schema):
    model_config = ConfigDict(extra="forbid")

    business_type: str = Field(description="A key of GET /plan/starters.")


class StartedOut(Schema):
    objectives: int
    strategies: int
    tactics: int
    goals: int
    touchpoints: int


@router.get("/plan/starters", response={200: list[StarterOut], **ERRORS}, summary="Draft plans")
def list_starters(request: HttpRequest) -> list[dict[str, Any]]:
    require(actor_of(request), "insights.view")
    return [
        {
            "key": s.key,
            "label": str(s.label),
            "summary": str(s.summary),
            "objectives": len(s.objectives),
            "goals": sum(
                len(t.goals) for o in s.objectives for st in o.strategies for t in st.tactics
            ),
        }
        for s in STARTERS
    ]


@router.post(
    "/plan/start",
    response={201: StartedOut, **ERRORS},
    summary="Start the plan from a draft (an empty plan only)",
)
def start_plan(request: HttpRequest, payload: StartIn) -> Status[dict[str, Any]]:
    done = apply_starter(actor_of(request), payload.business_type)
    return Status(201, done.__dict__)
