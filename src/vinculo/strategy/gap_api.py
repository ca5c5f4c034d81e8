"""REST endpoints of customer-experience gaps (docs/experience.md): list (by status, paged),
add, read (with the evidence measured now), change, remove."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut
from vinculo.strategy import gap_selectors as selectors
from vinculo.strategy import gap_services as services
from vinculo.strategy.models import Gap

router = Router(tags=["Strategy: gaps"])
GapStatusName = Literal["open", "investigating", "closing", "closed"]


class GapIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(description="The gap in a line.")
    observed: str = Field("", description="What was observed.")
    evidence_kpi: str = Field("", description="A registered KPI's key that shows the gap.")
    evidence_segment: dict[str, Any] | None = Field(
        None, description="A filter-language tree over people: who the gap touches."
    )
    evidence_view_id: Id | None = Field(None, description="A saved list that shows the gap.")
    evidence_note: str = Field("", description="Any other evidence, in words.")
    whys: list[str] = Field(description="The chain of whys: 1 to 7 answers, in order.")
    root_cause: str = Field("", description="Where the whys end.")
    status: GapStatusName = "open"
    owner_id: Id | None = None
    tactic_ids: list[Id] = Field(default_factory=list, description="Tactics that close it.")
    goal_ids: list[Id] = Field(default_factory=list, description="Goals that track closing it.")


class GapPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    observed: str | None = None
    evidence_kpi: str | None = None
    evidence_segment: dict[str, Any] | None = None
    evidence_view_id: Id | None = None
    evidence_note: str | None = None
    whys: list[str] | None = None
    root_cause: str | None = None
    status: GapStatusName | None = None
    owner_id: Id | None = None
    tactic_ids: list[Id] | None = None
    goal_ids: list[Id] | None = None


class GapLinkOut(Schema):
    id: int
    title: str
    status: str
    status_label: str


class GapKpiEvidenceOut(Schema):
    key: str
    name: str
    value: float | None = Field(description="Over the last 90 days (null: nothing to measure).")
    shown: str = Field(description="The value as the reader reads it.")
    url: str = Field(description="Its insights page over the same days.")
    error: str


class GapSegmentEvidenceOut(Schema):
    count: int | None = Field(description="Live people in the segment now.")
    url: str = Field(description="The people list filtered by the segment.")
    error: str


class GapViewEvidenceOut(Schema):
    name: str
    url: str


class GapOut(Schema):
    id: int
    title: str
    observed: str
    evidence_kpi: str
    evidence_segment: dict[str, Any] | None
    evidence_view_id: int | None
    evidence_note: str
    whys: list[str]
    root_cause: str
    status: str
    status_label: str
    owner_id: int | None
    tactics: list[GapLinkOut]
    goals: list[GapLinkOut]
    created_at: datetime
    updated_at: datetime


class GapDetailOut(GapOut):
    kpi_evidence: GapKpiEvidenceOut | None
    segment_evidence: GapSegmentEvidenceOut | None
    view_evidence: GapViewEvidenceOut | None


class GapListQuery(Schema):
    status: GapStatusName | None = None
    cursor: str | None = None
    limit: Int32 | None = None


def _links(rows: Any) -> list[dict[str, Any]]:
    return [
        {"id": r.pk, "title": r.title, "status": r.status, "status_label": r.get_status_display()}
        for r in rows
    ]


def _gap_json(gap: Gap) -> dict[str, Any]:
    return {
        **{f: getattr(gap, f) for f in GapOut.model_fields if hasattr(gap, f)},
        "status_label": gap.get_status_display(),
        # .all() and sorted here: the list prefetched them (an order_by would query again)
        "tactics": _links(sorted(gap.tactics.all(), key=lambda t: t.pk)),
        "goals": _links(sorted(gap.goals.all(), key=lambda g: g.pk)),
    }


def _detail_json(request: HttpRequest, gap: Gap) -> dict[str, Any]:
    found = selectors.evidence(actor_of(request), gap)
    kpi = found.kpi
    return _gap_json(gap) | {
        "kpi_evidence": None
        if kpi is None
        else {
            "key": kpi.key,
            "name": kpi.name,
            "value": None if kpi.value is None else float(kpi.value),
            "shown": kpi.shown,
            "url": kpi.url,
            "error": kpi.error,
        },
        "segment_evidence": None if found.segment is None else vars(found.segment),
        "view_evidence": None if found.view is None else vars(found.view),
    }


@router.get("/gaps", response={200: PageOut[GapOut], **ERRORS}, summary="List the gaps")
def list_gaps(request: HttpRequest, query: Query[GapListQuery]) -> dict[str, Any]:
    qs = selectors.gaps(actor_of(request), status=query.status).prefetch_related("tactics", "goals")
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="-pk")
    return {"items": [_gap_json(g) for g in page.items], "next_cursor": page.next_cursor}


@router.post("/gaps", response={201: GapDetailOut, **ERRORS}, summary="Add a gap")
def create_gap(request: HttpRequest, payload: GapIn) -> Status[dict[str, Any]]:
    gap = services.create_gap(actor=actor_of(request), data=payload.dict())
    return Status(201, _detail_json(request, gap))


@router.get(
    "/gaps/{gap_id}",
    response={200: GapDetailOut, **ERRORS},
    summary="One gap, with its evidence measured now",
)
def get_gap(request: HttpRequest, gap_id: Id) -> dict[str, Any]:
    return _detail_json(request, selectors.get_gap(actor_of(request), gap_id))


@router.patch("/gaps/{gap_id}", response={200: GapDetailOut, **ERRORS}, summary="Change a gap")
def update_gap(request: HttpRequest, gap_id: Id, payload: GapPatch) -> dict[str, Any]:
    gap = services.update_gap(
        actor=actor_of(request), gap_id=gap_id, data=payload.dict(exclude_unset=True)
    )
    return _detail_json(request, gap)


@router.delete("/gaps/{gap_id}", response={204: None, **ERRORS}, summary="Remove a gap")
def delete_gap(request: HttpRequest, gap_id: Id) -> Status[None]:
    services.delete_gap(actor=actor_of(request), gap_id=gap_id)
    return Status(204, None)
