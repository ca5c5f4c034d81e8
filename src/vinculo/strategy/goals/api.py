"""API of goals (``/api/v1/goals``, docs/goals.md): list with filters, create, read one (with
its readings, quotas, status and its reason in words), change, delete, measure now."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut
from vinculo.strategy.goals import selectors, services
from vinculo.strategy.goals.wording import progress_rule, status_rule
from vinculo.strategy.models import Goal, GoalStatus

router = Router(tags=["Goals"])

Measure = Literal["cumulative", "level"]


class GoalIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str
    kpi_key: str = Field(examples=["deals_won"], description="A KPI of GET /kpis.")
    measure: Measure = Field(
        "cumulative",
        description="cumulative: the KPI from the start to the day; level: over the last "
        "window_days.",
    )
    window_days: Int32 = 90
    filter_owner_id: Id | None = None
    filter_team_id: Id | None = None
    filter_pipeline_id: Id | None = None
    filter_source: str = ""
    filter_lifecycle_stage: str = ""
    segment_object: Literal["person", "deal"] = "person"
    segment: dict[str, Any] | None = Field(None, description="A filter-language tree.")
    currency: str = Field("", description="Money KPIs: three letters or `converted`.")
    owner_id: Id | None = None
    team_id: Id | None = None
    starts_on: date
    deadline: date
    target: Decimal = Field(
        description="In the KPI's unit as GET /kpis/{key} gives it: shares 0..1, durations "
        "in seconds, money in the goal's currency."
    )
    tactic_id: Id | None = None
    parent_id: Id | None = Field(None, description="The team goal this rep's quota rolls up to.")


class GoalPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    kpi_key: str | None = None
    measure: Measure | None = None
    window_days: Int32 | None = None
    filter_owner_id: Id | None = None
    filter_team_id: Id | None = None
    filter_pipeline_id: Id | None = None
    filter_source: str | None = None
    filter_lifecycle_stage: str | None = None
    segment_object: Literal["person", "deal"] | None = None
    segment: dict[str, Any] | None = None
    currency: str | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    starts_on: date | None = None
    deadline: date | None = None
    target: Decimal | None = None
    tactic_id: Id | None = None
    parent_id: Id | None = None


class GoalReasonOut(Schema):
    code: str
    params: dict[str, Any]
    text: str = Field(description="The reason in the request's language.")


class GoalReadingOut(Schema):
    day: date
    value: Decimal | None


class GoalOut(Schema):
    id: int
    title: str
    kpi_key: str
    unit: str
    measure: str
    window_days: int
    filter_owner_id: int | None
    filter_team_id: int | None
    filter_pipeline_id: int | None
    filter_source: str
    filter_lifecycle_stage: str
    segment_object: str
    segment: dict[str, Any] | None
    currency: str
    owner_id: int | None
    team_id: int | None
    tactic_id: int | None
    parent_id: int | None
    starts_on: date
    deadline: date
    target: Decimal
    baseline: Decimal | None
    baseline_start: date | None
    baseline_end: date | None
    current: Decimal | None
    forecast: Decimal | None
    progress: Decimal | None = Field(description="Share of the way to the target (1 = there).")
    shape: str = Field(description="total, ceiling or level (docs/goals.md).")
    status: GoalStatus
    status_label: str
    reason: GoalReasonOut | None = Field(description="Null before the first measurement.")
    measured_at: datetime | None


class GoalDetailOut(GoalOut):
    rule: str = Field(description="The status rule in words, with its numbers.")
    progress_rule: str
    readings: list[GoalReadingOut]
    quota_ids: list[int]


class GoalQuery(Schema):
    status: GoalStatus | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    parent_id: Id | None = None
    cursor: str | None = None
    limit: Int32 | None = None


def goal_json(goal: Goal) -> dict[str, Any]:
    s = selectors.shown(goal)
    reason = goal.status_reason or {}
    return {f: getattr(goal, f) for f in GoalOut.model_fields if hasattr(goal, f)} | {
        "unit": str(s.kpi.unit) if s.kpi else "",
        "progress": s.progress,
        "shape": str(s.shape),
        "status_label": s.status_label,
        "reason": {"code": reason["code"], "params": reason.get("params", {}), "text": s.reason}
        if goal.measured_at and reason.get("code")
        else None,
    }


def detail_json(goal: Goal, quota_ids: list[int]) -> dict[str, Any]:
    s = selectors.shown(goal)
    return goal_json(goal) | {
        "rule": status_rule(s.shape),
        "progress_rule": progress_rule(s.shape),
        "readings": [{"day": r.day, "value": r.value} for r in selectors.readings(goal)],
        "quota_ids": quota_ids,
    }


def _detail(request: HttpRequest, goal: Goal) -> dict[str, Any]:
    actor = actor_of(request)
    return detail_json(goal, [q.pk for q in selectors.quotas(actor, goal)])


@router.get("/goals", response={200: PageOut[GoalOut], **ERRORS}, summary="The goals")
def list_goals(request: HttpRequest, query: Query[GoalQuery]) -> dict[str, Any]:
    qs = selectors.goals(
        actor_of(request),
        status=query.status,
        owner_id=query.owner_id,
        team_id=query.team_id,
        parent_id=query.parent_id,
    )
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="pk")
    return {"items": [goal_json(g) for g in page.items], "next_cursor": page.next_cursor}


@router.post("/goals", response={201: GoalDetailOut, **ERRORS}, summary="Add a goal")
def create_goal(request: HttpRequest, payload: GoalIn) -> Status[dict[str, Any]]:
    goal = services.create_goal(actor=actor_of(request), data=payload.dict())
    return Status(201, _detail(request, goal))


@router.get("/goals/{goal_id}", response={200: GoalDetailOut, **ERRORS}, summary="One goal")
def get_goal(request: HttpRequest, goal_id: Id) -> dict[str, Any]:
    return _detail(request, selectors.get_goal(actor_of(request), goal_id))


@router.patch("/goals/{goal_id}", response={200: GoalDetailOut, **ERRORS}, summary="Change a goal")
def update_goal(request: HttpRequest, goal_id: Id, payload: GoalPatch) -> dict[str, Any]:
    goal = services.update_goal(
        actor=actor_of(request), goal_id=goal_id, data=payload.dict(exclude_unset=True)
    )
    return _detail(request, goal)


@router.delete("/goals/{goal_id}", response={204: None, **ERRORS}, summary="Delete a goal")
def delete_goal(request: HttpRequest, goal_id: Id) -> Status[None]:
    services.delete_goal(actor=actor_of(request), goal_id=goal_id)
    return Status(204, None)


@router.post(
    "/goals/{goal_id}/measure",
    response={200: GoalDetailOut, **ERRORS},
    summary="Measure the goal now (a team goal: its quotas first)",
)
def measure_goal(request: HttpRequest, goal_id: Id) -> dict[str, Any]:
    return _detail(request, services.measure_now(actor=actor_of(request), goal_id=goal_id))
