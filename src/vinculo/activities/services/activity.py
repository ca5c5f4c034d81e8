"""Writes on one activity or task: log, create, change, bin and restore."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities import timeline
from vinculo.activities.models import Activity, ActivityKind, TimelineEntry
from vinculo.activities.services.entries import (
    advance_last_activity,
    event_payload,
    jsonable,
    timeline_entry,
)
from vinculo.activities.services.first_touch import refresh_first_touch, touched_people
from vinculo.activities.services.references import References
from vinculo.activities.services.validation import clean_fields, workspace_zone
from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, NotFound
from vinculo.core.permissions import require


def get_for_update(actor: Actor, activity_id: int) -> Activity:
    activity = (
        Activity.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound(_("No activity with id %(id)s.") % {"id": activity_id})
    return activity


def _create(actor: Actor, data: Mapping[str, Any], kind: str | None) -> Activity:
    refs = References.for_rows(actor, [data])
    with timezone.override(workspace_zone(actor)):
        cleaned = clean_fields(actor, data, refs, kind=kind)
    activity = Activity.objects.create(workspace=actor.workspace, created_by=actor.user, **cleaned)
    timeline.record_many(actor, [timeline_entry(activity)])
    advance_last_activity(actor, [activity])
    refresh_first_touch(actor.workspace, touched_people([activity]))
    is_task = activity.kind == ActivityKind.TASK
    name = "task.created" if is_task else "activity.logged"
    audit.record(
        actor,
        name,
        activity,
        # The body is the record itself, not a change worth copying into the audit log.
        changes={
            k: [None, jsonable(v)]
            for k, v in cleaned.items()
            if v not in (None, "") and k != "body"
        },
    )
    events.emit(name, actor=actor, subject=activity, payload=event_payload(activity))
    return activity


# --- services -------------------------------------------------------------------------------


def log_activity(*, actor: Actor, data: Mapping[str, Any]) -> Activity:
    """Log a note, call, meeting or email on a person, company and/or deal.

    ``data`` holds ``kind`` and the fields of that kind (see :data:`KIND_FIELDS`); a ``task`` is
    handed to :func:`create_task`. Refuses (422, naming each field) an unknown kind, fields that
    do not apply to the kind, a note without body, a meeting without ``occurred_at``, bad
    direction/outcome choices, a negative duration, invalid email addresses, and links missing
    or outside the workspace. A deal's person and company are linked too when not given.
    """
    if str(data.get("kind") or "").strip().lower() == ActivityKind.TASK:
        return create_task(actor=actor, data={k: v for k, v in data.items() if k != "kind"})
    with transaction.atomic():
        require(actor, "activities.write")
        return _create(actor, data, kind=None)


def create_task(*, actor: Actor, data: Mapping[str, Any]) -> Activity:
    """Create a task (subject, optional due date, priority, reminder) for a member.

    The assignee defaults to the acting user. Refuses (422) a missing subject, an assignee who
    is not an active member of the workspace, a reminder after the due date, a bad priority and
    missing or foreign links.
    """
    with transaction.atomic():
        require(actor, "activities.write")
        return _create(actor, data, kind=ActivityKind.TASK)


def update_activity(*, actor: Actor, activity_id: int, data: Mapping[str, Any]) -> Activity:
    """Change some fields of an activity or task (the kind never changes).

    Its timeline entry follows (summary, time, links). Refuses an activity in the bin (409),
    another workspace's activity (404) and the same bad input as the create services (422).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        activity = get_for_update(actor, activity_id)
        if activity.deleted_at is not None:
            raise Conflict(_("This activity is in the bin; restore it first."))
        refs = References.for_rows(actor, [data])
        with timezone.override(workspace_zone(actor)):
            cleaned = clean_fields(actor, data, refs, instance=activity)
        before = {k: jsonable(getattr(activity, k)) for k in cleaned}
        changes = audit.diff(before, {k: jsonable(v) for k, v in cleaned.items()})
        if not changes:
            return activity
        person_before = activity.person_id
        for key in changes:
            setattr(activity, key, cleaned[key])
        activity.save(update_fields=[*changes, "updated_at"])
        entry = timeline_entry(activity)
        TimelineEntry.objects.for_workspace(actor.workspace).filter(
            activity=activity, kind=entry.kind
        ).update(
            **entry.stored(),
            occurred_at=activity.occurred_at,
            person_id=activity.person_id,
            company_id=activity.company_id,
            deal_id=activity.deal_id,
        )
        advance_last_activity(actor, [activity])
        if touched_people([activity]):  # its time or person may have changed
            refresh_first_touch(actor.workspace, [person_before, activity.person_id])
        audit.record(actor, "activity.updated", activity, changes=changes)
        events.emit(
            "activity.updated",
            actor=actor,
            subject=activity,
            payload={**event_payload(activity), "changes": changes},
        )
    return activity


def _require_delete(actor: Actor, activity: Activity) -> None:
    mine = actor.user is not None and activity.created_by_id == actor.user.pk
    if not mine:
        require(actor, "records.delete")


def delete_activity(*, actor: Actor, activity_id: int) -> Activity:
    """Move an activity or task to the bin; its timeline entries stop showing. Idempotent.

    Anyone who may log activities may bin their own; someone else's needs ``records.delete``.
    Refuses another workspace's activity (404).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        activity = get_for_update(actor, activity_id)
        _require_delete(actor, activity)
        if activity.deleted_at is not None:
            return activity
        activity.deleted_at = timezone.now()
        activity.save(update_fields=["deleted_at", "updated_at"])
        refresh_first_touch(actor.workspace, touched_people([activity]))
        audit.record(
            actor,
            "activity.deleted",
            activity,
            changes={"deleted_at": [None, jsonable(activity.deleted_at)]},
        )
        events.emit(
            "activity.deleted", actor=actor, subject=activity, payload=event_payload(activity)
        )
    return activity


def restore_activity(*, actor: Actor, activity_id: int) -> Activity:
    """Bring an activity back from the bin, with its timeline entries. Idempotent.

    Same permission rule as :func:`delete_activity`. Refuses another workspace's activity (404).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        activity = get_for_update(actor, activity_id)
        _require_delete(actor, activity)
        if activity.deleted_at is None:
            return activity
        deleted_at = activity.deleted_at
        activity.deleted_at = None
        activity.save(update_fields=["deleted_at", "updated_at"])
        refresh_first_touch(actor.workspace, touched_people([activity]))
        audit.record(
            actor,
            "activity.restored",
            activity,
            changes={"deleted_at": [jsonable(deleted_at), None]},
        )
        events.emit(
            "activity.restored", actor=actor, subject=activity, payload=event_payload(activity)
        )
    return activity
