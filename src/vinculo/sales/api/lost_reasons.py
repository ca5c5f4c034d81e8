"""API of a pipeline's lost reasons: list, add, rename/archive, reorder, delete, and the count
of lost deals per reason (mounted by :mod:`vinculo.sales.api`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id
from vinculo.sales import selectors, services
from vinculo.sales.models import LostReason

router = Router(tags=["sales"])


class LostReasonRef(Schema):
    """The reason a lost deal names (null while the deal is not lost)."""

    id: int
    code: str = Field(
        description="price, competitor, no_budget, timing, no_fit, other; empty "
        "for reasons the workspace added."
    )
    label: str = Field(description="The label, in the caller's language for unrenamed defaults.")


class LostReasonOut(LostReasonRef):
    pipeline_id: int
    position: int
    is_active: bool = Field(description="False once archived: kept on deals, not offered.")
    needs_note: bool = Field(description="True for 'other': a lost deal then needs lost_note.")
    renamed: bool = Field(description="True when the workspace set its own label.")


class LostReasonIn(Schema):
    label: str = Field(examples=["Faltou uma funcionalidade"])


class LostReasonPatch(Schema):
    label: str | None = Field(
        None, description="New label; empty gives a default back its label in each language."
    )
    is_active: bool | None = Field(None, description="false archives, true brings it back.")


class LostReasonOrderIn(Schema):
    reason_ids: list[Id] = Field(description="Every lost reason id of the pipeline, in order.")


class LostReasonCountQuery(Schema):
    start: date | None = Field(None, description="First day (closing date), inclusive.")
    end: date | None = Field(None, description="Last day (closing date), inclusive.")


class LostReasonCountOut(Schema):
    reason: LostReasonRef | None = Field(description="null: lost without a listed reason.")
    deals: int


def reason_ref(reason: LostReason | None) -> dict[str, Any] | None:
    """A deal's ``lost_reason`` in API answers."""
    if reason is None:
        return None
    return {"id": reason.pk, "code": reason.code, "label": reason.display}


def _out(reason: LostReason) -> dict[str, Any]:
    return {
        **(reason_ref(reason) or {}),
        "pipeline_id": reason.pipeline_id,
        "position": reason.position,
        "is_active": reason.is_active,
        "needs_note": reason.needs_note,
        "renamed": bool(reason.label),
    }


@router.get("/pipelines/{pipeline_id}/lost-reasons", response={200: list[LostReasonOut], **ERRORS})
def list_lost_reasons(
    request: HttpRequest, pipeline_id: Id, archived: bool = False
) -> list[dict[str, Any]]:
    """The pipeline's lost reasons in order; archived ones with `archived=true`."""
    reasons = selectors.lost_reasons(actor_of(request), pipeline_id, include_archived=archived)
    return [_out(r) for r in reasons]


@router.post("/pipelines/{pipeline_id}/lost-reasons", response={201: LostReasonOut, **ERRORS})
def create_lost_reason(
    request: HttpRequest, pipeline_id: Id, payload: LostReasonIn
) -> Status[dict[str, Any]]:
    """Add a reason at the end of the list (422 `label` when empty or already listed)."""
    reason = services.create_lost_reason(
        actor=actor_of(request), pipeline_id=pipeline_id, data=payload.model_dump()
    )
    return Status(201, _out(reason))


@router.patch(
    "/pipelines/{pipeline_id}/lost-reasons/{reason_id}", response={200: LostReasonOut, **ERRORS}
)
def patch_lost_reason(
    request: HttpRequest, pipeline_id: Id, reason_id: Id, payload: LostReasonPatch
) -> dict[str, Any]:
    """Rename or archive/unarchive a reason."""
    reason = services.update_lost_reason(
        actor=actor_of(request),
        reason_id=reason_id,
        pipeline_id=pipeline_id,
        data=payload.model_dump(exclude_unset=True),
    )
    return _out(reason)


@router.delete("/pipelines/{pipeline_id}/lost-reasons/{reason_id}", response={204: None, **ERRORS})
def delete_lost_reason(request: HttpRequest, pipeline_id: Id, reason_id: Id) -> Status[None]:
    """Delete a reason no deal has (409 otherwise: archive it)."""
    services.delete_lost_reason(
        actor=actor_of(request), reason_id=reason_id, pipeline_id=pipeline_id
    )
    return Status(204, None)


@router.put(
    "/pipelines/{pipeline_id}/lost-reason-order", response={200: list[LostReasonOut], **ERRORS}
)
def reorder_lost_reasons(
    request: HttpRequest, pipeline_id: Id, payload: LostReasonOrderIn
) -> list[dict[str, Any]]:
    """Put the reasons in a new order (422 `reason_ids` unless it lists each exactly once)."""
    reasons = services.reorder_lost_reasons(
        actor=actor_of(request), pipeline_id=pipeline_id, reason_ids=payload.reason_ids
    )
    return [_out(r) for r in reasons]


@router.get(
    "/pipelines/{pipeline_id}/lost-reason-counts",
    response={200: list[LostReasonCountOut], **ERRORS},
)
def lost_reason_counts(
    request: HttpRequest, pipeline_id: Id, query: Query[LostReasonCountQuery]
) -> list[dict[str, Any]]:
    """Lost deals (not in the bin) per reason, closed between `start` and `end`."""
    rows = selectors.lost_reason_counts(
        actor_of(request), pipeline_id, start=query.start, end=query.end
    )
    return [{"reason": reason_ref(row.reason), "deals": row.deals} for row in rows]
