"""The fields of an activity: those every kind has, those of each kind, and those its timeline
entry copies."""

from __future__ import annotations

from vinculo.activities.models import ActivityKind
from vinculo.core import validators

MAX_BODY = validators.MAX_LONG_TEXT
MAX_DURATION_SECONDS = 31 * 24 * 3600

LINK_FIELDS = ("person_id", "company_id", "deal_id")
COMMON_FIELDS = frozenset({"kind", "subject", "body", "occurred_at", *LINK_FIELDS})
KIND_FIELDS: dict[str, frozenset[str]] = {
    ActivityKind.NOTE: frozenset(),
    ActivityKind.CALL: frozenset({"duration_seconds", "direction", "call_outcome"}),
    ActivityKind.MEETING: frozenset({"duration_seconds", "location"}),
    ActivityKind.EMAIL: frozenset({"direction", "email_from", "email_to"}),
    ActivityKind.TASK: frozenset({"assignee_id", "due_at", "priority", "reminder_at"}),
}
ALL_FIELDS = COMMON_FIELDS.union(*KIND_FIELDS.values())
ENTRY_DATA_FIELDS = (
    "direction",
    "call_outcome",
    "duration_seconds",
    "location",
    "email_from",
    "email_to",
    "assignee_id",
    "due_at",
    "priority",
)
