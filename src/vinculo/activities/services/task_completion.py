"""Completing and reopening tasks: each a history entry on the timeline (appended, never
rewritten), an audit entry and an event."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities import timeline
from vinculo.activities.models import Activity, ActivityKind
from vinculo.activities.services.activity import get_for_update
from vinculo.activities.services.entries import entry_line, event_payload, jsonable
from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict
from vinculo.core.permissions import require


def _get_task_for_update(actor: Actor, activity_id: int) -> Activity:
    task = get_for_update(actor, activity_id)
    if task.kind != ActivityKind.TASK:
        raise Conflict(_("Only tasks can be completed or reopened."))
    if task.deleted_at is not None:
        raise Conflict(_("This task is in the bin; restore it first."))
    return task


def complete_task(*, actor: Actor, activity_id: int) -> Activity:
    """Mark a task done (by whom and when) and note it on the timeline. Idempotent.

    Refuses another workspace's task (404), an activity that is not a task or is in the bin (409).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        task = _get_task_for_update(actor, activity_id)
        if task.completed_at is not None:
            return task
        task.completed_at = timezone.now()
        task.completed_by = actor.user
        task.save(update_fields=["completed_at", "completed_by", "updated_at"])
        _record_task_event(actor, task, "task.completed", task.completed_at)
    return task


def reopen_task(*, actor: Actor, activity_id: int) -> Activity:
    """Open a done task again (clears who completed it and when). Idempotent.

    Refuses another workspace's task (404), an activity that is not a task or is in the bin (409).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        task = _get_task_for_update(actor, activity_id)
        if task.completed_at is None:
            return task
        completed_at = task.completed_at
        task.completed_at = None
        task.completed_by = None
        task.save(update_fields=["completed_at", "completed_by", "updated_at"])
        _record_task_event(actor, task, "task.reopened", timezone.now(), before=completed_at)
    return task


def _record_task_event(
    actor: Actor, task: Activity, name: str, moment: datetime, before: datetime | None = None
) -> None:
    timeline.record(
        actor,
        name,
        **entry_line(task),
        person=task.person_id,
        company=task.company_id,
        deal=task.deal_id,
        activity=task,
        occurred_at=moment,
    )
    after = jsonable(task.completed_at)
    audit.record(actor, name, task, changes={"completed_at": [jsonable(before), after]})
    events.emit(
        name,
        actor=actor,
        subject=task,
        payload={
            **event_payload(task),
            "completed_at": after,
            "completed_by_id": task.completed_by_id,
        },
    )
