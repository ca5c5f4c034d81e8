"""REST endpoints of the activities app (thin: parse, call a service or selector, serialise).

Activities (notes, calls, meetings, emails), tasks and the timeline of people, companies and
deals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.db.models import TextChoices
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.activities import selectors, services
from vinculo.activities.models import (
    Activity,
    ActivityKind,
    CallOutcome,
    Direction,
    Priority,
    TimelineEntry,
)
from vinculo.core.actor import actor_of
from vinculo.core.bulk import MAX_BULK_ROWS
from vinculo.core.filters import parse_filter_param
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, BulkOut, Id, Int32, PageOut

router = Router(tags=["activities"])


# --- schemas --------------------------------------------------------------------------------


class ActivityOut(Schema):
    id: int
    kind: ActivityKind
    subject: str
    body: str
    person_id: int | None
    company_id: int | None
    deal_id: int | None
    occurred_at: datetime
    duration_seconds: int | None
    direction: str
    call_outcome: str
    location: str
    email_from: str
    email_to: str
    assignee_id: int | None
    due_at: datetime | None
    priority: str
    reminder_at: datetime | None
    completed_at: datetime | None
    completed_by_id: int | None
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class _Links(Schema):
    person_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = Field(
        None, description="The deal's person and company are linked too when not given."
    )


def _choice(choices: type[TextChoices], description: str = "") -> Any:
    # Plain strings checked by the service, so every bad field is reported in one answer.
    values = " | ".join(choices.values)
    return Field(
        None,
        description=f"{description} One of: {values}.".strip(),
        json_schema_extra={"enum": [*choices.values, None]},
    )


class _TaskFields(Schema):
    assignee_id: Id | None = Field(None, description="A member's user id; default: the caller.")
    due_at: datetime | None = Field(None, description="Naive times are in the workspace zone.")
    priority: str | None = _choice(Priority)
    reminder_at: datetime | None = Field(None, description="At or before `due_at`.")


class ActivityIn(_Links, _TaskFields):
    kind: str = Field(
        description="One of: note, call, meeting, email, task.",
        json_schema_extra={"enum": [*ActivityKind.values]},
    )
    subject: str | None = None
    body: str | None = Field(None, description="Required for notes.")
    occurred_at: datetime | None = Field(
        None, description="Default now; required for meetings; may be in the past."
    )
    duration_seconds: Int32 | None = Field(None, description="Calls and meetings; ≥ 0.")
    direction: str | None = _choice(Direction, "Calls and emails.")
    call_outcome: str | None = _choice(CallOutcome, "Calls.")
    location: str | None = Field(None, description="Meetings.")
    email_from: str | None = None
    email_to: str | list[str] | None = Field(None, description="One address or several.")


class ActivityPatch(ActivityIn):
    kind: str | None = Field(  # type: ignore[assignment]
        None, description="Cannot change; accepted when unchanged."
    )


class TaskIn(_Links, _TaskFields):
    subject: str
    body: str | None = None
    occurred_at: datetime | None = None


class BulkIn(Schema):
    rows: list[Any] = Field(
        description=f"Up to {MAX_BULK_ROWS} objects shaped like the body of POST /activities."
    )


class PageQuery(Schema):
    cursor: str | None = Field(None, description="Opaque cursor from `next_cursor`.")
    limit: int = Field(50, ge=1, le=200)


class ActivityQuery(PageQuery):
    kind: ActivityKind | None = None
    person_id: Id | None = None
    company_id: Id | None = None
    deal_id: Id | None = None
    assignee_id: Id | None = None
    open_tasks: bool | None = Field(None, description="true: open tasks; false: done tasks.")
    due_before: datetime | None = None
    deleted: bool = Field(False, description="true lists the bin.")
    filter: str | None = Field(
        None,
        description="A condition tree of the filter language (docs/filters.md), as JSON; "
        "fields of `GET /filters/activity`.",
    )


class TaskQuery(PageQuery):
    when: Literal["today", "overdue", "upcoming", "all"] = Field(
        "today",
        description="today: due today (workspace time zone); overdue: due before now; "
        "upcoming: due after today; all: every open task.",
    )
    assignee_id: Id | None = Field(None, description="Default: the caller.")


class TimelineQuery(PageQuery):
    kinds: list[str] | None = Field(
        None,
        description="Keep these kinds (repeat or comma-separate); `activity.*` keeps a family.",
    )


class ActorOut(Schema):
    id: int
    label: str


class ActivityBrief(Schema):
    id: int
    kind: ActivityKind
    subject: str
    occurred_at: datetime
    due_at: datetime | None
    completed_at: datetime | None


class TimelineEntryOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    summary: str
    data: dict[str, Any]
    actor: ActorOut | None
    source: str
    person_id: int | None
    company_id: int | None
    deal_id: int | None
    activity: ActivityBrief | None


# --- serialisation --------------------------------------------------------------------------


def _entry(entry: TimelineEntry) -> dict[str, Any]:
    user = entry.actor
    activity = entry.activity
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "occurred_at": entry.occurred_at,
        "summary": entry.summary_text,
        "data": entry.data,
        "actor": {"id": user.pk, "label": user.full_name or user.email} if user else None,
        "source": entry.source,
        "person_id": entry.person_id,
        "company_id": entry.company_id,
        "deal_id": entry.deal_id,
        "activity": (
            {
                "id": activity.pk,
                "kind": activity.kind,
                "subject": activity.subject,
                "occurred_at": activity.occurred_at,
                "due_at": activity.due_at,
                "completed_at": activity.completed_at,
            }
            if activity is not None
            else None
        ),
    }


def _filter_tree(raw: str | None) -> dict[str, Any] | None:
    return parse_filter_param(raw)


def _kinds(raw: list[str] | None) -> list[str] | None:
    if not raw:
        return None
    return [k.strip() for item in raw for k in item.split(",") if k.strip()]


# --- activities -----------------------------------------------------------------------------


@router.get("/activities", response={200: PageOut[ActivityOut], **ERRORS})
def list_activities(request: HttpRequest, query: Query[ActivityQuery]) -> dict[str, object]:
    qs = selectors.activities(
        actor_of(request),
        kind=query.kind,
        person_id=query.person_id,
        company_id=query.company_id,
        deal_id=query.deal_id,
        assignee_id=query.assignee_id,
        open_tasks=query.open_tasks,
        due_before=query.due_before,
        deleted=query.deleted,
        filter=_filter_tree(query.filter),
    )
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="-occurred_at")
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post(
    "/activities", response={201: ActivityOut, **ERRORS}, summary="Log a note, call, meeting…"
)
def log_activity(request: HttpRequest, payload: ActivityIn) -> Status[Activity]:
    activity = services.log_activity(
        actor=actor_of(request), data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, activity)


@router.post(
    "/activities/bulk",
    response={200: BulkOut[ActivityOut], **ERRORS},
    summary="Log up to 1000 activities; bad rows are reported by index",
)
def bulk_log_activities(request: HttpRequest, payload: BulkIn) -> dict[str, object]:
    result = services.bulk_log_activities(actor=actor_of(request), rows=payload.rows)
    return {"created": result.created, "errors": [e.as_dict() for e in result.errors]}


@router.get("/activities/{activity_id}", response={200: ActivityOut, **ERRORS})
def get_activity(request: HttpRequest, activity_id: Id) -> Activity:
    return selectors.get_activity(actor_of(request), activity_id)


@router.patch("/activities/{activity_id}", response={200: ActivityOut, **ERRORS})
def update_activity(request: HttpRequest, activity_id: Id, payload: ActivityPatch) -> Activity:
    return services.update_activity(
        actor=actor_of(request),
        activity_id=activity_id,
        data=payload.model_dump(exclude_unset=True),
    )


@router.delete(
    "/activities/{activity_id}", response={204: None, **ERRORS}, summary="Move to the bin"
)
def delete_activity(request: HttpRequest, activity_id: Id) -> Status[None]:
    services.delete_activity(actor=actor_of(request), activity_id=activity_id)
    return Status(204, None)


@router.post("/activities/{activity_id}/restore", response={200: ActivityOut, **ERRORS})
def restore_activity(request: HttpRequest, activity_id: Id) -> Activity:
    return services.restore_activity(actor=actor_of(request), activity_id=activity_id)


# --- tasks ----------------------------------------------------------------------------------


@router.post("/tasks", response={201: ActivityOut, **ERRORS}, summary="Create a task")
def create_task(request: HttpRequest, payload: TaskIn) -> Status[Activity]:
    task = services.create_task(
        actor=actor_of(request), data=payload.model_dump(exclude_unset=True)
    )
    return Status(201, task)


@router.get("/tasks", response={200: PageOut[ActivityOut], **ERRORS}, summary="Open tasks")
def list_tasks(request: HttpRequest, query: Query[TaskQuery]) -> dict[str, object]:
    qs = selectors.my_tasks(actor_of(request), when=query.when, assignee_id=query.assignee_id)
    # Soonest due first; tasks without a due date (only under "all") come last.
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="due_at")
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/tasks/{activity_id}/complete", response={200: ActivityOut, **ERRORS})
def complete_task(request: HttpRequest, activity_id: Id) -> Activity:
    return services.complete_task(actor=actor_of(request), activity_id=activity_id)


@router.post("/tasks/{activity_id}/reopen", response={200: ActivityOut, **ERRORS})
def reopen_task(request: HttpRequest, activity_id: Id) -> Activity:
    return services.reopen_task(actor=actor_of(request), activity_id=activity_id)


# --- timelines ------------------------------------------------------------------------------


def _timeline(request: HttpRequest, query: TimelineQuery, **subject: int) -> dict[str, object]:
    page = selectors.timeline(
        actor_of(request),
        kinds=_kinds(query.kinds),
        cursor=query.cursor,
        limit=query.limit,
        **subject,
    )
    return {"items": [_entry(e) for e in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/people/{person_id}/timeline",
    response={200: PageOut[TimelineEntryOut], **ERRORS},
    summary="A person's timeline, newest first",
)
def person_timeline(
    request: HttpRequest, person_id: Id, query: Query[TimelineQuery]
) -> dict[str, object]:
    return _timeline(request, query, person_id=person_id)


@router.get(
    "/companies/{company_id}/timeline",
    response={200: PageOut[TimelineEntryOut], **ERRORS},
    summary="A company's timeline, newest first",
)
def company_timeline(
    request: HttpRequest, company_id: Id, query: Query[TimelineQuery]
) -> dict[str, object]:
    return _timeline(request, query, company_id=company_id)


@router.get(
    "/deals/{deal_id}/timeline",
    response={200: PageOut[TimelineEntryOut], **ERRORS},
    summary="A deal's timeline, newest first",
)
def deal_timeline(
    request: HttpRequest, deal_id: Id, query: Query[TimelineQuery]
) -> dict[str, object]:
    return _timeline(request, query, deal_id=deal_id)
