"""Lifecycle stage endpoints (settings): the stages and what each means in the workspace."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from vinculo.contacts import selectors, services
from vinculo.contacts.api._common import In
from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id, Position

router = Router()


class LifecycleStageOut(Schema):
    id: int
    key: str
    name: str
    description: str
    phase: str
    position: int
    is_active: bool


class LifecycleStageIn(In):
    key: str | None = None
    name: str | None = None
    description: str | None = None
    phase: str | None = None
    position: Position | None = None
    is_active: bool | None = None


def _stage(s: Any) -> dict[str, Any]:
    return {
        f: getattr(s, f)
        for f in ("id", "key", "name", "description", "phase", "position", "is_active")
    }


@router.get(
    "/lifecycle-stages",
    response={200: list[LifecycleStageOut], **ERRORS},
    summary="The lifecycle stages and what each means in this workspace",
)
def list_lifecycle_stages(request: HttpRequest) -> list[dict[str, Any]]:
    return [_stage(s) for s in selectors.lifecycle_stages(actor_of(request))]


@router.post("/lifecycle-stages", response={201: LifecycleStageOut, **ERRORS})
def create_lifecycle_stage(request: HttpRequest, payload: LifecycleStageIn) -> Status[dict]:
    stage = services.create_lifecycle_stage(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, _stage(stage))


@router.patch("/lifecycle-stages/{stage_id}", response={200: LifecycleStageOut, **ERRORS})
def update_lifecycle_stage(
    request: HttpRequest, stage_id: Id, payload: LifecycleStageIn
) -> dict[str, Any]:
    stage = services.update_lifecycle_stage(
        actor=actor_of(request), stage_id=stage_id, data=payload.dict(exclude_unset=True)
    )
    return _stage(stage)
