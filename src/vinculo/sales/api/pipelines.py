"""API of pipelines and their stages: list, add, change, archive, delete, reorder."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id, Int32, Position
from vinculo.sales import selectors, services
from vinculo.sales.models import Pipeline, Stage, StageKind

router = Router()  # tagged "sales" where the package mounts it


# --- schemas --------------------------------------------------------------------------------------


class StageOut(Schema):
    id: int
    pipeline_id: int
    name: str
    position: int
    kind: StageKind
    probability: int
    rotting_days: int | None


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    is_default: bool
    archived_at: datetime | None
    created_at: datetime
    stages: list[StageOut]


class StageIn(Schema):
    name: str
    kind: StageKind = StageKind.OPEN
    probability: Int32 | None = Field(None, description="Win probability, 0-100.")
    rotting_days: Int32 | None = Field(None, description="Days in the stage before a deal rots.")
    position: Position | None = Field(None, description="0-based; default: after the open stages.")


class PipelineIn(Schema):
    name: str
    stages: list[StageIn] | None = Field(
        None, description="Stages in order; default: the standard sales stages."
    )
    is_default: bool = False


class PipelinePatch(Schema):
    name: str | None = None
    is_default: bool | None = None
    archived: bool | None = Field(None, description="Archive (hide) or unarchive the pipeline.")


class StagePatch(Schema):
    name: str | None = None
    kind: StageKind | None = None
    probability: Int32 | None = None
    rotting_days: Int32 | None = None


class StageOrderIn(Schema):
    stage_ids: list[Id] = Field(description="Every stage id of the pipeline, in the new order.")


class PipelineQuery(Schema):
    archived: bool = Field(False, description="Include archived pipelines.")


# --- serialisers ----------------------------------------------------------------------------------


def stage_out(s: Stage) -> dict[str, Any]:
    return {
        "id": s.pk,
        "pipeline_id": s.pipeline_id,
        "name": s.name,
        "position": s.position,
        "kind": s.kind,
        "probability": s.probability,
        "rotting_days": s.rotting_days,
    }


def pipeline_out(p: Pipeline) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "position": p.position,
        "is_default": p.is_default,
        "archived_at": p.archived_at,
        "created_at": p.created_at,
        "stages": [stage_out(s) for s in p.stages.all()],
    }


# --- endpoints ------------------------------------------------------------------------------------


@router.get("/pipelines", response={200: list[PipelineOut], **ERRORS})
def list_pipelines(request: HttpRequest, query: Query[PipelineQuery]) -> list[dict[str, Any]]:
    qs = selectors.pipelines(actor_of(request), include_archived=query.archived)
    return [pipeline_out(p) for p in qs]


@router.post("/pipelines", response={201: PipelineOut, **ERRORS})
def create_pipeline(request: HttpRequest, payload: PipelineIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    data = payload.model_dump(exclude_unset=True)
    pipeline = services.create_pipeline(actor=actor, data=data)
    return Status(201, pipeline_out(selectors.get_pipeline(actor, pipeline.pk)))


@router.get("/pipelines/{pipeline_id}", response={200: PipelineOut, **ERRORS})
def get_pipeline(request: HttpRequest, pipeline_id: Id) -> dict[str, Any]:
    return pipeline_out(selectors.get_pipeline(actor_of(request), pipeline_id))


@router.patch("/pipelines/{pipeline_id}", response={200: PipelineOut, **ERRORS})
def patch_pipeline(request: HttpRequest, pipeline_id: Id, payload: PipelinePatch) -> dict[str, Any]:
    actor = actor_of(request)
    services.update_pipeline(
        actor=actor, pipeline_id=pipeline_id, data=payload.model_dump(exclude_unset=True)
    )
    return pipeline_out(selectors.get_pipeline(actor, pipeline_id))


@router.delete("/pipelines/{pipeline_id}", response={204: None, **ERRORS})
def delete_pipeline(request: HttpRequest, pipeline_id: Id) -> Status[None]:
    services.delete_pipeline(actor=actor_of(request), pipeline_id=pipeline_id)
    return Status(204, None)


@router.post("/pipelines/{pipeline_id}/stages", response={201: StageOut, **ERRORS})
def create_stage(request: HttpRequest, pipeline_id: Id, payload: StageIn) -> Status[dict[str, Any]]:
    stage = services.create_stage(
        actor=actor_of(request),
        pipeline_id=pipeline_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return Status(201, stage_out(stage))


@router.put("/pipelines/{pipeline_id}/stage-order", response={200: PipelineOut, **ERRORS})
def reorder_stages(request: HttpRequest, pipeline_id: Id, payload: StageOrderIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.reorder_stages(actor=actor, pipeline_id=pipeline_id, stage_ids=payload.stage_ids)
    return pipeline_out(selectors.get_pipeline(actor, pipeline_id))


@router.patch("/stages/{stage_id}", response={200: StageOut, **ERRORS})
def patch_stage(request: HttpRequest, stage_id: Id, payload: StagePatch) -> dict[str, Any]:
    stage = services.update_stage(
        actor=actor_of(request), stage_id=stage_id, data=payload.model_dump(exclude_unset=True)
    )
    return stage_out(stage)


@router.delete("/stages/{stage_id}", response={204: None, **ERRORS})
def delete_stage(
    request: HttpRequest, stage_id: Id, move_deals_to: Id | None = None
) -> Status[None]:
    services.delete_stage(actor=actor_of(request), stage_id=stage_id, move_deals_to=move_deals_to)
    return Status(204, None)
