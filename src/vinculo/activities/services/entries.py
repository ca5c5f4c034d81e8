"""What an activity writes beside itself: its timeline entry (which mirrors it), its event
payload, and the move of ``last_activity_at`` of its people and companies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from vinculo.activities import timeline
from vinculo.activities.models import Activity, ActivityKind
from vinculo.activities.services.fields import ENTRY_DATA_FIELDS
from vinculo.contacts.services import note_activity
from vinculo.core.actor import Actor
from vinculo.core.timeline_wording import label


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def entry_line(activity: Activity) -> dict[str, Any]:
    if activity.subject:
        return {"summary": activity.subject}
    if activity.body:
        return {"summary": " ".join(activity.body.split())[:200]}
    return {"summary": "%(kind)s", "params": {"kind": label(ActivityKind(activity.kind).label)}}


def _entry_data(activity: Activity) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ENTRY_DATA_FIELDS:
        value = getattr(activity, name)
        if value not in (None, ""):
            data[name] = jsonable(value)
    if activity.kind != ActivityKind.TASK:
        data.pop("priority", None)
    return data


def timeline_entry(activity: Activity) -> timeline.PendingEntry:
    return timeline.PendingEntry(
        kind=f"activity.{activity.kind}",
        **entry_line(activity),
        person=activity.person_id,
        company=activity.company_id,
        deal=activity.deal_id,
        activity=activity,
        data=_entry_data(activity),
        occurred_at=activity.occurred_at,
    )


def event_payload(activity: Activity) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": activity.kind,
        "subject": activity.subject,
        "person_id": activity.person_id,
        "company_id": activity.company_id,
        "deal_id": activity.deal_id,
        "occurred_at": jsonable(activity.occurred_at),
    }
    if activity.kind == ActivityKind.TASK:
        payload.update(
            assignee_id=activity.assignee_id,
            due_at=jsonable(activity.due_at),
            priority=activity.priority,
        )
    return payload


def advance_last_activity(actor: Actor, activities: Iterable[Activity]) -> None:
    """Move ``last_activity_at`` of the linked people and companies forward (never back),
    through the contacts service."""
    now = timezone.now()
    people: dict[int, datetime] = {}
    companies: dict[int, datetime] = {}
    for a in activities:
        if a.kind == ActivityKind.TASK or a.deleted_at is not None or a.occurred_at > now:
            continue
        for newest, pk in ((people, a.person_id), (companies, a.company_id)):
            if pk is not None and (pk not in newest or newest[pk] < a.occurred_at):
                newest[pk] = a.occurred_at
    note_activity(actor=actor, people=people, companies=companies)
