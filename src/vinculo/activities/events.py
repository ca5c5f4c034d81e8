"""Domain events of the activities app: their payload schemas and examples."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.activities.models import ActivityKind, Priority
from vinculo.core.event_types import Changes, EventType, Payload, Timestamp, register_event_types


class ActivityPayload(Payload):
    """An activity as events carry it; tasks add assignee, due date and priority."""

    kind: ActivityKind
    subject: str
    person_id: int | None
    company_id: int | None
    deal_id: int | None
    occurred_at: Timestamp
    assignee_id: int | None = Field(None, description="Tasks only.")
    due_at: Timestamp | None = Field(None, description="Tasks only.")
    priority: Priority | None = Field(None, description="Tasks only.")


class ActivityUpdated(ActivityPayload):
    changes: Changes


class TaskPayload(ActivityPayload):
    assignee_id: int | None
    due_at: Timestamp | None
    priority: Priority


class TaskCompletion(TaskPayload):
    completed_at: Timestamp | None = Field(description="Null when the task was reopened.")
    completed_by_id: int | None


_CALL = {
    "kind": "call",
    "subject": "Pedido de Natal",
    "person_id": 42,
    "company_id": 9,
    "deal_id": None,
    "occurred_at": "2026-11-23T16:30:00+00:00",
}
_TASK = {
    **_CALL,
    "kind": "task",
    "subject": "Enviar a proposta",
    "deal_id": 31,
    "assignee_id": 7,
    "due_at": "2026-11-25T12:00:00+00:00",
    "priority": "high",
}

register_event_types(
    EventType(
        "activity.logged",
        gettext_noop("A note, call, meeting or email was logged on a customer record."),
        ActivityPayload,
        example=_CALL,
    ),
    EventType(
        "activity.updated",
        gettext_noop("An activity or task was changed."),
        ActivityUpdated,
        example={**_CALL, "changes": {"subject": ["Pedido", "Pedido de Natal"]}},
    ),
    EventType(
        "activity.deleted",
        gettext_noop("An activity or task was moved to the bin."),
        ActivityPayload,
        example=_CALL,
    ),
    EventType(
        "activity.restored",
        gettext_noop("An activity or task was restored from the bin."),
        ActivityPayload,
        example=_CALL,
    ),
    EventType(
        "task.created",
        gettext_noop("A task was created and assigned."),
        TaskPayload,
        example=_TASK,
    ),
    EventType(
        "task.completed",
        gettext_noop("A task was marked done."),
        TaskCompletion,
        example={**_TASK, "completed_at": "2026-11-24T10:05:00+00:00", "completed_by_id": 7},
    ),
    EventType(
        "task.reopened",
        gettext_noop("A done task was opened again."),
        TaskCompletion,
        example={**_TASK, "completed_at": None, "completed_by_id": None},
    ),
)
