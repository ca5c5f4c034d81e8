"""REST endpoints of the plan's reviews (docs/strategy.md): list, schedule an extra one, change
its findings, freeze its figures, hold it, record decisions (each made a task) and download it
as PDF or XLSX."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.permissions import require
from vinculo.core.schemas import ERRORS, Id
from vinculo.strategy.documents import XLSX, review_pdf, review_xlsx
from vinculo.strategy.plan.services import ensure_plan
from vinculo.strategy.reviews import selectors, services

router = Router(tags=["Strategy: reviews"])
PDF = "application/pdf"


class ReviewIn(Schema):
    model_config = ConfigDict(extra="forbid")

    held_on: date = Field(description="The day the review is held.")
    title: str | None = Field(None, description="Default: “Review of <date>”.")


class ReviewPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    held_on: date | None = Field(None, description="Not once held.")
    findings: str | None = Field(None, description="What the review found (plain text).")


class ReviewDecisionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description="What was decided (becomes the task's subject).")
    owner_id: int | None = Field(None, description="The member who does it (default: you).")
    due_on: date | None = Field(None, description="When it is due (the task's due date).")


class ReviewDecisionOut(Schema):
    id: int
    text: str
    owner_id: int | None
    due_on: date | None
    task_id: int | None


class ReviewChangeOut(Schema):
    key: str
    label: str
    now: str | None
    then: str | None
    delta: str | None
    status_now: str
    status_then: str


class ReviewComparisonOut(Schema):
    previous_id: int | None = Field(description="The frozen review held before this one.")
    goals: list[ReviewChangeOut]
    kpis: list[ReviewChangeOut]
    budgets: list[ReviewChangeOut]


class ReviewSummaryOut(Schema):
    id: int
    title: str
    held_on: date
    status: str = Field(description="scheduled or held")
    frozen_at: datetime | None


class ReviewOut(ReviewSummaryOut):
    findings: str
    snapshot: dict[str, Any] = Field(
        description="Frozen figures: start, end, as_of, goals, kpis, budgets (numbers as text)."
    )
    decisions: list[ReviewDecisionOut]
    comparison: ReviewComparisonOut


def _summary(review: Any) -> dict[str, Any]:
    return {
        "id": review.pk,
        "title": review.shown_title,
        "held_on": review.held_on,
        "status": review.status,
        "frozen_at": review.frozen_at,
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _full(review: Any) -> dict[str, Any]:
    comparison = selectors.compare(review)
    changes = {
        part: [
            {
                "key": str(c.key),
                "label": c.label,
                "now": _text(c.now),
                "then": _text(c.then),
                "delta": _text(c.delta),
                "status_now": c.status_now,
                "status_then": c.status_then,
            }
            for c in getattr(comparison, part)
        ]
        for part in ("goals", "kpis", "budgets")
    }
    return {
        **_summary(review),
        "findings": review.findings,
        "snapshot": review.snapshot or {},
        "decisions": [
            {
                "id": d.pk,
                "text": d.text,
                "owner_id": d.owner_id,
                "due_on": d.due_on,
                "task_id": d.task_id,
            }
            for d in selectors.decisions_of(review)
        ],
        "comparison": {
            "previous_id": comparison.previous.pk if comparison.previous else None,
            **changes,
        },
    }


def _readable(request: HttpRequest, review_id: int) -> Any:
    actor = actor_of(request)
    require(actor, "insights.view")
    return selectors.review_of(actor, review_id)


@router.get("/reviews", response={200: list[ReviewSummaryOut], **ERRORS}, summary="The reviews")
def list_reviews(request: HttpRequest) -> list[dict[str, Any]]:
    actor = actor_of(request)
    require(actor, "insights.view")
    return [_summary(r) for r in selectors.reviews_of(actor)]


@router.post("/reviews", response={201: ReviewOut, **ERRORS}, summary="Schedule a review")
def create_review(request: HttpRequest, payload: ReviewIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    review = services.create_review(actor, ensure_plan(actor), data)
    return Status(201, _full(review))


@router.get("/reviews/{review_id}", response={200: ReviewOut, **ERRORS}, summary="One review")
def get_review(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    return _full(_readable(request, review_id))


@router.patch(
    "/reviews/{review_id}", response={200: ReviewOut, **ERRORS}, summary="Change a review"
)
def update_review(request: HttpRequest, review_id: Id, payload: ReviewPatch) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    return _full(services.update_review(actor_of(request), review_id, data))


@router.post(
    "/reviews/{review_id}/freeze",
    response={200: ReviewOut, **ERRORS},
    summary="Freeze the goals, KPIs and budgets as of now",
)
def freeze_review(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    return _full(services.freeze(actor_of(request), review_id))


@router.post(
    "/reviews/{review_id}/hold",
    response={200: ReviewOut, **ERRORS},
    summary="Hold the review (frozen if not yet) and schedule the next",
)
def hold_review(request: HttpRequest, review_id: Id) -> dict[str, Any]:
    return _full(services.hold(actor_of(request), review_id))


@router.post(
    "/reviews/{review_id}/decisions",
    response={201: ReviewDecisionOut, **ERRORS},
    summary="Record a decision (it becomes a task)",
)
def add_decision(request: HttpRequest, review_id: Id, payload: ReviewDecisionIn) -> Status[Any]:
    d = services.add_decision(actor_of(request), review_id, payload.dict())
    return Status(
        201,
        {"id": d.pk, "text": d.text, "owner_id": d.owner_id, "due_on": d.due_on,
         "task_id": d.task_id},
    )  # fmt: skip


@router.delete(
    "/reviews/{review_id}/decisions/{decision_id}",
    response={204: None, **ERRORS},
    summary="Remove a decision (its task stays)",
)
def delete_decision(request: HttpRequest, review_id: Id, decision_id: Id) -> Status[None]:
    actor = actor_of(request)
    selectors.review_of(actor, review_id)
    services.delete_decision(actor, decision_id, review_id=review_id)
    return Status(204, None)


class ReviewDocumentQuery(Schema):
    format: Literal["pdf", "xlsx"] = "pdf"


@router.get(
    "/reviews/{review_id}/document",
    response={200: None, **ERRORS},
    summary="The review as a PDF or XLSX document",
    openapi_extra={
        "responses": {
            200: {
                "description": "The document",
                "content": {
                    PDF: {"schema": {"type": "string", "format": "binary"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
)
def review_document(
    request: HttpRequest, review_id: Id, query: Query[ReviewDocumentQuery]
) -> HttpResponse:
    review = _readable(request, review_id)
    if query.format == "xlsx":
        body, content_type = review_xlsx(review), XLSX
    else:
        body, content_type = review_pdf(review), PDF
    response = HttpResponse(body, content_type=content_type)
    name = f"review-{review.held_on.isoformat()}.{query.format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
