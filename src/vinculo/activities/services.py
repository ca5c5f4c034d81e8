"""Every write on activities and tasks (C3): log, schedule, change, complete, bin, restore, bulk.

Each service runs in one transaction: permission, validation (every bad field at once), write,
audit entry, timeline entry, domain event.

How activities appear on the timeline:

* each activity writes one entry of kind ``activity.<kind>`` (``activity.call``, ``activity.task``…)
  naming the activity and its person, company and deal. That entry *mirrors* the activity:
  changing the activity changes the entry's summary, time, data and links;
* history events about an activity (``task.completed``, ``task.reopened``) are appended and
  never rewritten;
* deleting an activity (soft, ``deleted_at``) leaves its entries in place: the timeline selector
  hides every entry whose activity is in the bin (``activity__deleted_at``), so restoring the
  activity brings its history back unchanged.

``last_activity_at`` of people and companies moves forward only (a backdated activity never moves
it back, a deleted one never rewinds it), counting notes, calls, meetings and emails that already
happened — not tasks, not meetings in the future.
"""

from __future__ import annotations

import functools
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.activities import timeline
from vinculo.activities.models import (
    Activity,
    ActivityKind,
    CallOutcome,
    Direction,
    Priority,
    TimelineEntry,
)
from vinculo.core import audit, events, validators
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult, RowError, move_links
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from vinculo.core.fastinsert import insert_objects
from vinculo.workspaces.permissions import require

MAX_BODY = validators.MAX_LONG_TEXT
MAX_DURATION_SECONDS = 31 * 24 * 3600

LINK_FIELDS = ("person_id", "company_id", "deal_id")
_COMMON_FIELDS = frozenset({"kind", "subject", "body", "occurred_at", *LINK_FIELDS})
KIND_FIELDS: dict[str, frozenset[str]] = {
    ActivityKind.NOTE: frozenset(),
    ActivityKind.CALL: frozenset({"duration_seconds", "direction", "call_outcome"}),
    ActivityKind.MEETING: frozenset({"duration_seconds", "location"}),
    ActivityKind.EMAIL: frozenset({"direction", "email_from", "email_to"}),
    ActivityKind.TASK: frozenset({"assignee_id", "due_at", "priority", "reminder_at"}),
}
ALL_FIELDS = _COMMON_FIELDS.union(*KIND_FIELDS.values())
_ENTRY_DATA_FIELDS = (
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


# --- references -----------------------------------------------------------------------------


class _References:
    """The person, company, deal and member ids a batch of rows points at, looked up in bulk.

    Only live records of the actor's workspace are found; anything else is "not found".
    """

    def __init__(self, actor: Actor) -> None:
        self.workspace = actor.workspace
        self.people: set[int] = set()
        self.companies: set[int] = set()
        # live deal id → (its live person id or None, its live company id or None)
        self.deals: dict[int, tuple[int | None, int | None]] = {}
        self._members: set[int] | None = None

    @classmethod
    def for_rows(cls, actor: Actor, rows: Iterable[Any]) -> _References:
        refs = cls(actor)
        wanted: dict[str, set[int]] = {f: set() for f in LINK_FIELDS}
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            for name in LINK_FIELDS:
                value = _loose_id(row.get(name))
                if value is not None:
                    wanted[name].add(value)
        refs._load(wanted["person_id"], wanted["company_id"], wanted["deal_id"])
        return refs

    def _load(self, people: set[int], companies: set[int], deals: set[int]) -> None:
        from vinculo.contacts.models import Company, Person
        from vinculo.contacts.selectors import live_ids
        from vinculo.sales.selectors import live_deal_links

        self.deals.update(live_deal_links(self.workspace, deals))
        self.people.update(live_ids(self.workspace, Person, people))
        self.companies.update(live_ids(self.workspace, Company, companies))

    def has(self, field: str, pk: int) -> bool:
        if field == "person_id":
            return pk in self.people
        if field == "company_id":
            return pk in self.companies
        return pk in self.deals

    def is_member(self, user_id: int) -> bool:
        if self._members is None:
            from vinculo.workspaces.selectors import active_member_ids

            self._members = active_member_ids(self.workspace)
        return user_id in self._members


def _loose_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


# --- validation -----------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _clean_id(value: Any, field: str) -> int | None:
    if _empty(value):
        return None
    number = _loose_id(value)
    if number is None or number <= 0:
        raise ValidationFailed.field(field, _("Enter the id (a positive whole number)."), "invalid")
    return number


@functools.cache
def _values(choices: type[models.TextChoices]) -> frozenset[str]:
    # ``TextChoices.values`` builds a new list on every access; bulk imports ask 100,000 times.
    return frozenset(choices.values)


def _clean_choice(value: Any, field: str, choices: type[models.TextChoices]) -> str:
    if _empty(value):
        return ""
    text = str(value).strip().lower()
    if text not in _values(choices):
        raise ValidationFailed.field(
            field,
            _("%(value)r is not a choice; use one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
            "invalid_choice",
        )
    return text


def _clean_duration(value: Any, field: str = "duration_seconds") -> int | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        number = None
    if number is None:
        raise ValidationFailed.field(field, _("Enter a whole number of seconds."), "invalid_number")
    if number < 0:
        raise ValidationFailed.field(field, _("The duration cannot be negative."), "too_small")
    if number > MAX_DURATION_SECONDS:
        raise ValidationFailed.field(field, _("The duration is longer than 31 days."), "too_large")
    return number


def _clean_recipients(value: Any, field: str = "email_to") -> str:
    if _empty(value):
        return ""
    if isinstance(value, str):
        parts = value.replace(";", ",").split(",")
    elif isinstance(value, list | tuple):
        parts = [str(v) for v in value]
    else:
        raise ValidationFailed.field(field, _("Enter email addresses."), "invalid_email")
    addresses = [validators.clean_email(p, field) for p in parts if p.strip()]
    joined = ", ".join(addresses)
    if len(joined) > 1000:
        raise ValidationFailed.field(field, _("At most 1000 characters."), "too_long")
    return joined


def _clean_body(value: Any, field: str = "body") -> str:
    if _empty(value):
        return ""
    return validators.clean_long_text(value, field, max_length=MAX_BODY)


def _clean_fields(
    actor: Actor,
    data: Mapping[str, Any],
    refs: _References,
    *,
    kind: str | None = None,
    instance: Activity | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Model values for a new activity (``instance`` None) or the fields of ``instance`` that
    ``data`` changes. Naive date-times are read in the workspace time zone (the caller activates
    it). Raises one :class:`ValidationFailed` listing every bad field."""
    errors: list[FieldError] = []
    creating = instance is None
    if instance is not None:
        kind = instance.kind
        if not _empty(data.get("kind")) and str(data["kind"]) != instance.kind:
            errors.append(
                FieldError("kind", _("The kind of an activity cannot change."), "read_only")
            )
    elif kind is None:
        kind = str(data.get("kind") or "").strip().lower()
        if kind not in _values(ActivityKind):
            message = _("Choose the kind of activity: %(choices)s.") % {
                "choices": ", ".join(ActivityKind.values)
            }
            raise ValidationFailed(message, errors=[FieldError("kind", message, "invalid_choice")])
    kind_label = ActivityKind(kind).label
    allowed = _COMMON_FIELDS | KIND_FIELDS[kind]
    for key in data:
        if key not in ALL_FIELDS:
            errors.append(FieldError(str(key), _("Unknown field."), "unknown_field"))
        elif key not in allowed and not _empty(data[key]):
            errors.append(
                FieldError(
                    key,
                    _("This field does not apply to a %(kind)s.")
                    % {"kind": str(kind_label).lower()},
                    "not_applicable",
                )
            )

    cleaned: dict[str, Any] = {}

    def clean(field: str, cleaner: Any, *args: Any, **kwargs: Any) -> None:
        if field not in data or field not in allowed:
            return
        try:
            cleaned[field] = cleaner(data[field], field, *args, **kwargs)
        except ValidationFailed as exc:
            errors.extend(exc.errors)

    is_task = kind == ActivityKind.TASK
    clean("subject", validators.clean_name, required=is_task, max_length=200)
    if creating and is_task and "subject" not in data:
        errors.append(FieldError("subject", _("This field is required."), "required"))
    clean("body", _clean_body)
    note_needs_body = kind == ActivityKind.NOTE and (creating or "body" in data)
    if note_needs_body and not cleaned.get("body") and not any(e.field == "body" for e in errors):
        errors.append(FieldError("body", _("Write the note."), "required"))
    clean("occurred_at", validators.clean_datetime)
    if "occurred_at" in cleaned and cleaned["occurred_at"] is None:
        del cleaned["occurred_at"]
        if not creating or kind == ActivityKind.MEETING:
            errors.append(FieldError("occurred_at", _("Enter when it happens."), "required"))
    elif creating and "occurred_at" not in data and kind == ActivityKind.MEETING:
        errors.append(FieldError("occurred_at", _("Enter when the meeting is."), "required"))
    if creating and "occurred_at" not in cleaned:
        cleaned["occurred_at"] = now or timezone.now()
    clean("duration_seconds", _clean_duration)
    clean("direction", _clean_choice, Direction)
    clean("call_outcome", _clean_choice, CallOutcome)
    clean("location", validators.clean_name, max_length=200)
    clean("email_from", validators.clean_email)
    clean("email_to", _clean_recipients)
    clean("priority", _clean_choice, Priority)
    if is_task and "priority" in cleaned and not cleaned["priority"]:
        cleaned["priority"] = Priority.NORMAL
    clean("due_at", validators.clean_datetime)
    clean("reminder_at", validators.clean_datetime)
    if is_task:
        due = cleaned["due_at"] if "due_at" in cleaned else getattr(instance, "due_at", None)
        reminder = (
            cleaned["reminder_at"]
            if "reminder_at" in cleaned
            else getattr(instance, "reminder_at", None)
        )
        if due is not None and reminder is not None and reminder > due:
            field = "reminder_at" if "reminder_at" in cleaned else "due_at"
            errors.append(
                FieldError(field, _("The reminder must come before the due date."), "invalid")
            )
        clean("assignee_id", _clean_id)
        if creating and cleaned.get("assignee_id") is None:
            cleaned["assignee_id"] = actor.user.pk if actor.user is not None else None
        if cleaned.get("assignee_id") is not None and not refs.is_member(cleaned["assignee_id"]):
            errors.append(
                FieldError(
                    "assignee_id",
                    _("The assignee must be an active member of this workspace."),
                    "not_member",
                )
            )

    _clean_links(data, refs, cleaned, errors, instance)
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), errors=errors)
    if creating:
        cleaned["kind"] = kind
    return cleaned


_LINK_LABELS = {
    "person_id": gettext_lazy("person"),
    "company_id": gettext_lazy("company"),
    "deal_id": gettext_lazy("deal"),
}


def _clean_links(
    data: Mapping[str, Any],
    refs: _References,
    cleaned: dict[str, Any],
    errors: list[FieldError],
    instance: Activity | None,
) -> None:
    link_errors = False
    for field in LINK_FIELDS:
        if field not in data:
            continue
        try:
            pk = _clean_id(data[field], field)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            link_errors = True
            continue
        if pk is not None and not refs.has(field, pk):
            errors.append(
                FieldError(
                    field,
                    _("No %(what)s with id %(id)s in this workspace (or it was deleted).")
                    % {"what": _LINK_LABELS[field], "id": pk},
                    "not_found",
                )
            )
            link_errors = True
            continue
        cleaned[field] = pk
    if link_errors:
        return

    def current(field: str) -> int | None:
        return cleaned[field] if field in cleaned else getattr(instance, field, None)

    # A deal's activity also belongs on its customer's timeline.
    deal_id = cleaned.get("deal_id")
    if deal_id is not None:
        deal_person, deal_company = refs.deals[deal_id]
        if current("person_id") is None and deal_person is not None:
            cleaned["person_id"] = deal_person
        if current("company_id") is None and deal_company is not None:
            cleaned["company_id"] = deal_company
    if all(current(f) is None for f in LINK_FIELDS):
        errors.append(
            FieldError(
                "person_id", _("Link the activity to a person, a company or a deal."), "required"
            )
        )


def _workspace_zone(actor: Actor) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(actor.workspace.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def validate_activity(
    *, actor: Actor, data: Mapping[str, Any], activity: Activity | None = None
) -> dict[str, Any]:
    """Check ``data`` as a new activity (or as a change of ``activity``) without writing.

    Returns the cleaned model values; raises :class:`ValidationFailed` naming every bad field.
    """
    refs = _References.for_rows(actor, [data])
    with timezone.override(_workspace_zone(actor)):
        return _clean_fields(actor, data, refs, instance=activity)


# --- helpers shared by the writes -----------------------------------------------------------


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _summary(activity: Activity) -> str:
    if activity.subject:
        return activity.subject
    if activity.body:
        return " ".join(activity.body.split())[:200]
    return str(ActivityKind(activity.kind).label)


def _entry_data(activity: Activity) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in _ENTRY_DATA_FIELDS:
        value = getattr(activity, name)
        if value not in (None, ""):
            data[name] = _jsonable(value)
    if activity.kind != ActivityKind.TASK:
        data.pop("priority", None)
    return data


def _entry(activity: Activity) -> timeline.PendingEntry:
    return timeline.PendingEntry(
        kind=f"activity.{activity.kind}",
        summary=_summary(activity),
        person=activity.person_id,
        company=activity.company_id,
        deal=activity.deal_id,
        activity=activity,
        data=_entry_data(activity),
        occurred_at=activity.occurred_at,
    )


def _payload(activity: Activity) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "kind": activity.kind,
        "subject": activity.subject,
        "person_id": activity.person_id,
        "company_id": activity.company_id,
        "deal_id": activity.deal_id,
        "occurred_at": _jsonable(activity.occurred_at),
    }
    if activity.kind == ActivityKind.TASK:
        payload.update(
            assignee_id=activity.assignee_id,
            due_at=_jsonable(activity.due_at),
            priority=activity.priority,
        )
    return payload


def _advance_last_activity(actor: Actor, activities: Iterable[Activity]) -> None:
    """Move ``last_activity_at`` of the linked people and companies forward (never back),
    through the contacts service."""
    from vinculo.contacts.services import note_activity

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


def _get_for_update(actor: Actor, activity_id: int) -> Activity:
    activity = (
        Activity.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise NotFound(_("No activity with id %(id)s.") % {"id": activity_id})
    return activity


def _get_task_for_update(actor: Actor, activity_id: int) -> Activity:
    task = _get_for_update(actor, activity_id)
    if task.kind != ActivityKind.TASK:
        raise Conflict(_("Only tasks can be completed or reopened."))
    if task.deleted_at is not None:
        raise Conflict(_("This task is in the bin; restore it first."))
    return task


def _create(actor: Actor, data: Mapping[str, Any], kind: str | None) -> Activity:
    refs = _References.for_rows(actor, [data])
    with timezone.override(_workspace_zone(actor)):
        cleaned = _clean_fields(actor, data, refs, kind=kind)
    activity = Activity.objects.create(workspace=actor.workspace, created_by=actor.user, **cleaned)
    timeline.record_many(actor, [_entry(activity)])
    _advance_last_activity(actor, [activity])
    is_task = activity.kind == ActivityKind.TASK
    name = "task.created" if is_task else "activity.logged"
    audit.record(
        actor,
        name,
        activity,
        # The body is the record itself, not a change worth copying into the audit log.
        changes={
            k: [None, _jsonable(v)]
            for k, v in cleaned.items()
            if v not in (None, "") and k != "body"
        },
    )
    events.emit(name, actor=actor, subject=activity, payload=_payload(activity))
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
        activity = _get_for_update(actor, activity_id)
        if activity.deleted_at is not None:
            raise Conflict(_("This activity is in the bin; restore it first."))
        refs = _References.for_rows(actor, [data])
        with timezone.override(_workspace_zone(actor)):
            cleaned = _clean_fields(actor, data, refs, instance=activity)
        before = {k: _jsonable(getattr(activity, k)) for k in cleaned}
        changes = audit.diff(before, {k: _jsonable(v) for k, v in cleaned.items()})
        if not changes:
            return activity
        for key in changes:
            setattr(activity, key, cleaned[key])
        activity.save(update_fields=[*changes, "updated_at"])
        entry = _entry(activity)
        TimelineEntry.objects.for_workspace(actor.workspace).filter(
            activity=activity, kind=entry.kind
        ).update(
            summary=entry.summary[:300],
            occurred_at=activity.occurred_at,
            data=entry.data,
            person_id=activity.person_id,
            company_id=activity.company_id,
            deal_id=activity.deal_id,
        )
        _advance_last_activity(actor, [activity])
        audit.record(actor, "activity.updated", activity, changes=changes)
        events.emit(
            "activity.updated",
            actor=actor,
            subject=activity,
            payload={**_payload(activity), "changes": changes},
        )
    return activity


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
        task.subject,
        person=task.person_id,
        company=task.company_id,
        deal=task.deal_id,
        activity=task,
        occurred_at=moment,
    )
    after = _jsonable(task.completed_at)
    audit.record(actor, name, task, changes={"completed_at": [_jsonable(before), after]})
    events.emit(
        name,
        actor=actor,
        subject=task,
        payload={**_payload(task), "completed_at": after, "completed_by_id": task.completed_by_id},
    )


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
        activity = _get_for_update(actor, activity_id)
        _require_delete(actor, activity)
        if activity.deleted_at is not None:
            return activity
        activity.deleted_at = timezone.now()
        activity.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor,
            "activity.deleted",
            activity,
            changes={"deleted_at": [None, _jsonable(activity.deleted_at)]},
        )
        events.emit("activity.deleted", actor=actor, subject=activity, payload=_payload(activity))
    return activity


def restore_activity(*, actor: Actor, activity_id: int) -> Activity:
    """Bring an activity back from the bin, with its timeline entries. Idempotent.

    Same permission rule as :func:`delete_activity`. Refuses another workspace's activity (404).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        activity = _get_for_update(actor, activity_id)
        _require_delete(actor, activity)
        if activity.deleted_at is None:
            return activity
        deleted_at = activity.deleted_at
        activity.deleted_at = None
        activity.save(update_fields=["deleted_at", "updated_at"])
        audit.record(
            actor,
            "activity.restored",
            activity,
            changes={"deleted_at": [_jsonable(deleted_at), None]},
        )
        events.emit("activity.restored", actor=actor, subject=activity, payload=_payload(activity))
    return activity


def bulk_log_activities(
    *, actor: Actor, rows: Sequence[Mapping[str, Any]], max_rows: int | None = MAX_BULK_ROWS
) -> BulkResult[Activity]:
    """Log many activities and tasks at once (imports, seeding, API bulk calls).

    Each row is what :func:`log_activity` takes (``kind`` included; ``task`` rows are tasks as in
    :func:`create_task`); ``occurred_at`` may be in the past. Good rows are written with bulk
    inserts, their timeline entries and events in bulk, one audit entry for the call; bad rows
    are reported by index with the fields at fault. Refuses more than ``max_rows`` rows (422,
    ``rows``); ``max_rows=None`` lifts the cap (imports and seeding).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        if max_rows is not None and len(rows) > max_rows:
            raise ValidationFailed.field(
                "rows",
                _("At most %(n)s rows per call; split the batch.") % {"n": max_rows},
                "too_many",
            )
        result: BulkResult[Activity] = BulkResult()
        refs = _References.for_rows(actor, rows)
        now = timezone.now()
        user_id = actor.user.pk if actor.user is not None else None
        pending: list[Activity] = []
        with timezone.override(_workspace_zone(actor)):
            for index, row in enumerate(rows):
                if not isinstance(row, Mapping):
                    result.errors.append(
                        RowError(index, [FieldError("row", _("Each row must be an object."))])
                    )
                    continue
                try:
                    cleaned = _clean_fields(actor, row, refs, now=now)
                except ValidationFailed as exc:
                    result.errors.append(RowError(index, exc.errors))
                    continue
                pending.append(
                    Activity(
                        workspace_id=actor.workspace.pk,
                        created_by_id=user_id,
                        created_at=now,
                        **cleaned,
                    )
                )
        if pending:
            created = insert_objects(pending)
            timeline.record_many(actor, (_entry(a) for a in created))
            for name, subset in (
                ("activity.logged", [a for a in created if a.kind != ActivityKind.TASK]),
                ("task.created", [a for a in created if a.kind == ActivityKind.TASK]),
            ):
                events.emit_many(
                    name,
                    actor=actor,
                    subjects=[("activity", a.pk, _payload(a)) for a in subset],
                )
            _advance_last_activity(actor, created)
            result.created = created
        audit.record(
            actor,
            "activity.bulk_logged",
            object_type=Activity._meta.label_lower,
            changes={"created": [None, len(result.created)], "refused": [None, len(result.errors)]},
        )
    return result


# --- merge support (quality) ----------------------------------------------------------------


def reassign_activities(
    *, actor: Actor, kind: str, from_id: int, to_id: int, ids: list[int] | None = None
) -> list[int]:
    """Move the activities and tasks of person/company ``from_id`` to ``to_id`` (a merge, or its
    undo with ``ids``: exactly those that moved) and return the ids moved. The caller holds the
    transaction and has checked permissions; only this workspace's rows are touched."""
    return move_links(Activity, actor.workspace.pk, kind, from_id, to_id, ids)
