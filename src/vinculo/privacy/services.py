"""Writes of the privacy app: settings, the request register, the access log, exports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from vinculo.contacts.models import Person
from vinculo.core import audit
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, choice_error, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.tenancy import Membership
from vinculo.privacy.export import person_data
from vinculo.privacy.models import (
    LEGAL_DEADLINE,
    OPEN_STATUSES,
    AccessAction,
    AccessRecord,
    DataSubjectRequest,
    PrivacySettings,
    RequestKind,
    RequestStatus,
)

MAX_RETENTION_DAYS = 3650
MAX_ID = 2**63 - 1  # the largest primary key a database holds: beyond it, no row (not a 500)


def is_id(value: object) -> bool:
    """An integer that can be a primary key."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


# --- settings -------------------------------------------------------------------------------


def get_settings(workspace_id: int) -> PrivacySettings:
    """The workspace's privacy settings (defaults when never saved; not written)."""
    found = PrivacySettings.objects.filter(workspace_id=workspace_id).first()
    return found or PrivacySettings(workspace_id=workspace_id)


def update_settings(*, actor: Actor, data: dict[str, Any]) -> PrivacySettings:
    """Change the bin retention (days, 0 = never purge) and/or switch the access log."""
    require(actor, "privacy.manage")
    errors: list[FieldError] = []
    changes: dict[str, Any] = {}
    if "bin_retention_days" in data:
        days = data["bin_retention_days"]
        if isinstance(days, str) and days.strip().isdigit():
            days = int(days.strip())
        if (
            isinstance(days, bool)
            or not isinstance(days, int)
            or not 0 <= days <= MAX_RETENTION_DAYS
        ):
            errors.append(
                FieldError(
                    "bin_retention_days",
                    _("Enter a whole number of days from 0 to %(max)s.")
                    % {"max": MAX_RETENTION_DAYS},
                )
            )
        else:
            changes["bin_retention_days"] = days
    if "access_log_enabled" in data:
        value = data["access_log_enabled"]
        if not isinstance(value, bool):
            errors.append(FieldError("access_log_enabled", _("Must be true or false.")))
        else:
            changes["access_log_enabled"] = value
    raise_if_any(errors)
    with transaction.atomic():
        row, _created = PrivacySettings.objects.get_or_create(
            workspace=actor.workspace, defaults={"created_by": actor.user}
        )
        before = {k: getattr(row, k) for k in changes}
        for key, value in changes.items():
            setattr(row, key, value)
        row.save()
        audit.record(actor, "privacy.settings_changed", row, changes=audit.diff(before, changes))
    return row


# --- access log -----------------------------------------------------------------------------


def log_access(actor: Actor, person_id: int, action: str) -> AccessRecord | None:
    """Record that ``actor`` viewed or exported a person, when the workspace's access log is on.

    The deliberate exception to "reads never write": called by the person page, the API person
    detail and the exports, only after the read succeeded (so no row for a refused or unknown
    id). Returns None while the log is off (the default).
    """
    if actor.user is None or not get_settings(actor.workspace.pk).access_log_enabled:
        return None
    return AccessRecord.objects.create(
        workspace=actor.workspace,
        person_id=person_id,
        user=actor.user,
        action=action,
        source=actor.source,
    )


def log_person_view(actor: Actor, person_id: int, via: str) -> AccessRecord | None:
    """The access log's hook on a person's page (``via="page"``) and API detail (``"api"``),
    registered in :mod:`vinculo.core.record_views`."""
    return log_access(
        actor, person_id, AccessAction.VIEW if via == "page" else AccessAction.API_VIEW
    )


# --- exports --------------------------------------------------------------------------------


def export_person(*, actor: Actor, person_id: int, request_id: int | None = None) -> dict[str, Any]:
    """Everything held about a person (see :func:`vinculo.privacy.export.person_data`), with
    an audit entry, an access record when the log is on, and the request's ``exported_at``."""
    data = person_data(actor, person_id)
    with transaction.atomic():
        audit.record(
            actor, "person.data_exported", object_type="contacts.person", object_id=person_id
        )
        log_access(actor, person_id, AccessAction.EXPORT)
        if request_id is not None and is_id(request_id):
            DataSubjectRequest.objects.filter(workspace=actor.workspace, pk=request_id).update(
                exported_at=timezone.now()
            )
    return data


# --- the request register -------------------------------------------------------------------


def _clean_request(
    actor: Actor, data: dict[str, Any], instance: DataSubjectRequest | None
) -> dict[str, Any]:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    if "kind" in data or instance is None:
        kind = data.get("kind")
        if kind not in RequestKind.values:
            errors.append(choice_error("kind", kind, RequestKind.values))
        out["kind"] = kind
    if "status" in data:
        if data["status"] not in RequestStatus.values:
            errors.append(choice_error("status", data["status"], RequestStatus.values))
        out["status"] = data["status"]
    if "person_id" in data:
        pid = data["person_id"]
        if pid in (None, ""):
            out["person"] = None
        else:
            person = (
                Person.objects.for_workspace(actor.workspace).filter(pk=pid).first()
                if is_id(pid)
                else None
            )
            if person is None:
                errors.append(
                    FieldError(
                        "person_id", _("No person with id %(id)s.") % {"id": pid}, "not_found"
                    )
                )
            out["person"] = person
    for key, limit in (("subject_label", 200), ("notes", 5000)):
        if key in data:
            value = data[key] if data[key] is not None else ""
            if not isinstance(value, str) or len(value) > limit:
                errors.append(
                    FieldError(key, _("Text of at most %(n)s characters.") % {"n": limit})
                )
            out[key] = value
    if "received_at" in data and data["received_at"] not in (None, ""):
        value = data["received_at"]
        when = value if isinstance(value, datetime) else parse_datetime(str(value))
        if when is None:
            errors.append(FieldError("received_at", _("Enter a date and time.")))
        else:
            if timezone.is_naive(when):
                when = timezone.make_aware(when)
            out["received_at"] = when
    if "handled_by_id" in data:
        uid = data["handled_by_id"]
        if uid is None:
            out["handled_by_id"] = None
        elif (
            not is_id(uid)
            or not Membership.objects.filter(workspace=actor.workspace, user_id=uid).exists()
        ):
            errors.append(
                FieldError("handled_by_id", _("Not a member of this workspace."), "not_found")
            )
        else:
            out["handled_by_id"] = uid
    raise_if_any(errors)
    return out


def create_request(*, actor: Actor, data: dict[str, Any]) -> DataSubjectRequest:
    """Register a data-subject request; its legal deadline is 15 days after receipt."""
    require(actor, "privacy.manage")
    cleaned = _clean_request(actor, data, None)
    received = cleaned.pop("received_at", timezone.now())
    handled = cleaned.pop("handled_by_id", actor.user.pk if actor.user is not None else None)
    with transaction.atomic():
        request = DataSubjectRequest(
            workspace=actor.workspace,
            created_by=actor.user,
            received_at=received,
            due_at=received + LEGAL_DEADLINE,
            handled_by_id=handled,
            **cleaned,
        )
        _close_if_done(request)
        request.save()
        audit.record(
            actor, "privacy.request_created", request, changes={"kind": [None, request.kind]}
        )
    return request


def _close_if_done(request: DataSubjectRequest) -> None:
    if request.status in OPEN_STATUSES:
        request.completed_at = None
    elif request.completed_at is None:
        request.completed_at = timezone.now()


def get_request_for_update(actor: Actor, request_id: int) -> DataSubjectRequest:
    request = (
        DataSubjectRequest.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFound(_("No request with id %(id)s.") % {"id": request_id})
    return request


def update_request(*, actor: Actor, request_id: int, data: dict[str, Any]) -> DataSubjectRequest:
    """Change a request (status, person, notes…); the deadline follows ``received_at``."""
    require(actor, "privacy.manage")
    with transaction.atomic():
        request = get_request_for_update(actor, request_id)
        cleaned = _clean_request(actor, data, request)
        before = {"status": request.status, "kind": request.kind}
        for key, value in cleaned.items():
            setattr(request, key, value)
        if "received_at" in cleaned:
            request.due_at = request.received_at + LEGAL_DEADLINE
        _close_if_done(request)
        request.save()
        after = {"status": request.status, "kind": request.kind}
        audit.record(actor, "privacy.request_updated", request, changes=audit.diff(before, after))
    return request


def delete_request(*, actor: Actor, request_id: int) -> None:
    """Remove a request registered by mistake."""
    require(actor, "privacy.manage")
    with transaction.atomic():
        request = get_request_for_update(actor, request_id)
        audit.record(actor, "privacy.request_deleted", request)
        request.delete()


__all__ = [
    "create_request",
    "delete_request",
    "export_person",
    "get_settings",
    "log_access",
    "log_person_view",
    "person_data",
    "update_request",
    "update_settings",
]
