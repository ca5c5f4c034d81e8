"""Validation of activity input: every bad field of a row named at once, links checked against
the records of the workspace (in bulk), naive date-times read in the workspace's time zone."""

from __future__ import annotations

import dataclasses
import functools
import zoneinfo
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.activities.models import Activity, ActivityKind, CallOutcome, Direction, Priority
from vinculo.activities.services.fields import (
    ALL_FIELDS,
    COMMON_FIELDS,
    KIND_FIELDS,
    LINK_FIELDS,
    MAX_BODY,
    MAX_DURATION_SECONDS,
)
from vinculo.activities.services.references import References, loose_id
from vinculo.core import validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, ValidationFailed


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _clean_id(value: Any, field: str) -> int | None:
    if _empty(value):
        return None
    number = loose_id(value)
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


@dataclasses.dataclass
class _Cleaning:
    """One row being cleaned: what was sent, the fields its kind has, the values cleaned so far
    and every error found."""

    data: Mapping[str, Any]
    allowed: frozenset[str]
    cleaned: dict[str, Any] = dataclasses.field(default_factory=dict)
    errors: list[FieldError] = dataclasses.field(default_factory=list)

    def clean(self, name: str, cleaner: Any, *args: Any, **kwargs: Any) -> None:
        """Clean ``name`` when it was sent and the kind has it; its errors are collected."""
        if name not in self.data or name not in self.allowed:
            return
        try:
            self.cleaned[name] = cleaner(self.data[name], name, *args, **kwargs)
        except ValidationFailed as exc:
            self.errors.extend(exc.errors)


def clean_fields(
    actor: Actor,
    data: Mapping[str, Any],
    refs: References,
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
    kind = _kind_of(data, kind, instance, errors)
    row = _Cleaning(data, COMMON_FIELDS | KIND_FIELDS[kind], errors=errors)
    _check_keys(row, kind)
    _clean_content(row, kind, creating=creating, now=now)
    if kind == ActivityKind.TASK:
        _clean_task(row, actor, refs, instance)
    _clean_links(data, refs, row.cleaned, row.errors, instance, task=kind == ActivityKind.TASK)
    if row.errors:
        raise ValidationFailed(_("Some fields are not valid."), errors=row.errors)
    if creating:
        row.cleaned["kind"] = kind
    return row.cleaned


def _kind_of(
    data: Mapping[str, Any], kind: str | None, instance: Activity | None, errors: list[FieldError]
) -> str:
    """The kind of the row: the instance's (which never changes), the one given, or the one
    sent (refused at once when unknown: nothing else can be checked without it)."""
    if instance is not None:
        if not _empty(data.get("kind")) and str(data["kind"]) != instance.kind:
            errors.append(
                FieldError("kind", _("The kind of an activity cannot change."), "read_only")
            )
        return instance.kind
    if kind is None:
        kind = str(data.get("kind") or "").strip().lower()
        if kind not in _values(ActivityKind):
            message = _("Choose the kind of activity: %(choices)s.") % {
                "choices": ", ".join(ActivityKind.values)
            }
            raise ValidationFailed(message, errors=[FieldError("kind", message, "invalid_choice")])
    return kind


def _check_keys(row: _Cleaning, kind: str) -> None:
    """Unknown keys, and filled fields that another kind has but this one does not."""
    kind_label = ActivityKind(kind).label
    for key in row.data:
        if key not in ALL_FIELDS:
            row.errors.append(FieldError(str(key), _("Unknown field."), "unknown_field"))
        elif key not in row.allowed and not _empty(row.data[key]):
            row.errors.append(
                FieldError(
                    key,
                    _("This field does not apply to a %(kind)s.")
                    % {"kind": str(kind_label).lower()},
                    "not_applicable",
                )
            )


def _clean_content(row: _Cleaning, kind: str, *, creating: bool, now: datetime | None) -> None:
    """Subject, body, when it happens and the fields of calls, meetings and emails."""
    data, cleaned, errors = row.data, row.cleaned, row.errors
    is_task = kind == ActivityKind.TASK
    row.clean("subject", validators.clean_name, required=is_task, max_length=200)
    if creating and is_task and "subject" not in data:
        errors.append(FieldError("subject", _("This field is required."), "required"))
    row.clean("body", _clean_body)
    note_needs_body = kind == ActivityKind.NOTE and (creating or "body" in data)
    if note_needs_body and not cleaned.get("body") and not any(e.field == "body" for e in errors):
        errors.append(FieldError("body", _("Write the note."), "required"))
    row.clean("occurred_at", validators.clean_datetime)
    if "occurred_at" in cleaned and cleaned["occurred_at"] is None:
        del cleaned["occurred_at"]
        if not creating or kind == ActivityKind.MEETING:
            errors.append(FieldError("occurred_at", _("Enter when it happens."), "required"))
    elif creating and "occurred_at" not in data and kind == ActivityKind.MEETING:
        errors.append(FieldError("occurred_at", _("Enter when the meeting is."), "required"))
    if creating and "occurred_at" not in cleaned:
        cleaned["occurred_at"] = now or timezone.now()
    row.clean("duration_seconds", _clean_duration)
    row.clean("direction", _clean_choice, Direction)
    row.clean("call_outcome", _clean_choice, CallOutcome)
    row.clean("location", validators.clean_name, max_length=200)
    row.clean("email_from", validators.clean_email)
    row.clean("email_to", _clean_recipients)


def _clean_task(row: _Cleaning, actor: Actor, refs: References, instance: Activity | None) -> None:
    """Priority, due date, reminder (before the due date) and assignee (an active member; the
    acting user by default) of a task."""
    cleaned, errors = row.cleaned, row.errors
    row.clean("priority", _clean_choice, Priority)
    if "priority" in cleaned and not cleaned["priority"]:
        cleaned["priority"] = Priority.NORMAL
    row.clean("due_at", validators.clean_datetime)
    row.clean("reminder_at", validators.clean_datetime)
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
    row.clean("assignee_id", _clean_id)
    if instance is None and cleaned.get("assignee_id") is None:
        cleaned["assignee_id"] = actor.user.pk if actor.user is not None else None
    if cleaned.get("assignee_id") is not None and not refs.is_member(cleaned["assignee_id"]):
        errors.append(
            FieldError(
                "assignee_id",
                _("The assignee must be an active member of this workspace."),
                "not_member",
            )
        )


_LINK_LABELS = {
    "person_id": gettext_lazy("person"),
    "company_id": gettext_lazy("company"),
    "deal_id": gettext_lazy("deal"),
}


def _clean_links(
    data: Mapping[str, Any],
    refs: References,
    cleaned: dict[str, Any],
    errors: list[FieldError],
    instance: Activity | None,
    *,
    task: bool = False,
) -> None:
    """Each link's id checked in the workspace; a deal's customer linked too. A note, call,
    meeting or email is about someone, so it needs a link; a task may stand alone (the team's
    own work: a decision of the plan's review, a report to prepare)."""
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
    if not task and all(current(f) is None for f in LINK_FIELDS):
        errors.append(
            FieldError(
                "person_id", _("Link the activity to a person, a company or a deal."), "required"
            )
        )


def workspace_zone(actor: Actor) -> zoneinfo.ZoneInfo:
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
    refs = References.for_rows(actor, [data])
    with timezone.override(workspace_zone(actor)):
        return clean_fields(actor, data, refs, instance=activity)
