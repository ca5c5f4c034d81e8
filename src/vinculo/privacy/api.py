"""REST endpoints of the data subject's rights: export, erasure, the request register, the
privacy settings and the access log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.permissions import require
from vinculo.core.schemas import ERRORS, Id, PageOut
from vinculo.privacy import erasure, selectors, services
from vinculo.privacy.models import DataSubjectRequest, ErasureRecord

router = Router(tags=["privacy"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class EraseIn(In):
    confirm: str = Field(
        description="The person's id again, typed by whoever erases: the erasure is final."
    )
    request_id: Id | None = Field(
        None, description="The data-subject request this erasure answers (it is then completed)."
    )


class ErasureOut(Schema):
    id: int
    subject: str = Field(description="The erased person's pseudonym, `erased-person-<hash>`.")
    reason: str = Field(description="`request` or `bin_retention`.")
    counts: dict[str, int] = Field(description="Rows purged or scrubbed, per table.")
    created_at: datetime
    created_by_id: int | None


class DataRequestIn(In):
    kind: str | None = Field(
        None,
        description=(
            "The right exercised (LGPD art. 18): confirmation, access, correction, "
            "anonymisation, portability, erasure, sharing_info, consent_revocation, objection."
        ),
    )
    status: str | None = Field(None, description="received, in_progress, completed or rejected.")
    person_id: Id | None = Field(None, description="The person the request is about, if known.")
    subject_label: str | None = Field(None, description="Who asked, as they identified themselves.")
    received_at: datetime | None = Field(
        None, description="When it was received (default: now); the deadline is 15 days later."
    )
    handled_by_id: Id | None = Field(None, description="The member handling it.")
    notes: str | None = None


class DataRequestCreate(DataRequestIn):
    kind: str = Field(description=DataRequestIn.model_fields["kind"].description or "")


class DataRequestOut(Schema):
    id: int
    kind: str
    status: str
    person_id: int | None
    subject: str = Field(description="The pseudonym once the person was erased, else empty.")
    subject_label: str
    received_at: datetime
    due_at: datetime = Field(description="Legal deadline: 15 days after receipt (LGPD art. 19 II).")
    overdue: bool
    handled_by_id: int | None
    completed_at: datetime | None
    exported_at: datetime | None
    erasure_id: int | None
    notes: str


class DataRequestQuery(Schema):
    status: str | None = None
    overdue: bool = Field(False, description="Only open requests past their legal deadline.")
    cursor: str | None = None
    limit: int | None = None


class PrivacySettingsIn(In):
    bin_retention_days: int | None = Field(
        None, description="Days a person stays in the bin before being erased (0 = never)."
    )
    access_log_enabled: bool | None = Field(
        None, description="Record who views or exports a person (off by default)."
    )


class PrivacySettingsOut(Schema):
    bin_retention_days: int
    access_log_enabled: bool


class PersonAccessOut(Schema):
    user_id: int | None
    action: str = Field(description="view, api_view or export.")
    source: str
    at: datetime


def _request_json(r: DataSubjectRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "kind": r.kind,
        "status": r.status,
        "person_id": r.person_id,
        "subject": r.subject,
        "subject_label": r.subject_label,
        "received_at": r.received_at,
        "due_at": r.due_at,
        "overdue": r.is_overdue,
        "handled_by_id": r.handled_by_id,
        "completed_at": r.completed_at,
        "exported_at": r.exported_at,
        "erasure_id": r.erasure_id,
        "notes": r.notes,
    }


def _erasure_json(e: ErasureRecord) -> dict[str, Any]:
    return {
        "id": e.pk,
        "subject": e.subject,
        "reason": e.reason,
        "counts": e.counts,
        "created_at": e.created_at,
        "created_by_id": e.created_by_id,
    }


@router.get(
    "/people/{person_id}/data-export",
    response={200: dict[str, Any], **ERRORS},
    summary="Everything held about a person (LGPD access and portability)",
    description=(
        "The person's fields and custom fields, tags, companies, consent and its history, "
        "lifecycle history, timeline, activities, emails, tracked events, purchases, form "
        "submissions, deals, identities in other systems and visitor ids, as one JSON "
        "document (`format_version` 1). Needs the `data.export` permission; writes an audit "
        "entry, and an access record when the workspace's access log is on."
    ),
)
def data_export(
    request: HttpRequest, person_id: Id, request_id: Id | None = None
) -> dict[str, Any]:
    return services.export_person(
        actor=actor_of(request), person_id=person_id, request_id=request_id
    )


@router.post(
    "/people/{person_id}/erase",
    response={200: ErasureOut, **ERRORS},
    summary="Erase a person and every copy of their data (final)",
    description=(
        "Owners and admins only. Purges the person (live or in the bin) and the records "
        "merged into them, scrubs every other copy (audit entries and outbox events are kept, "
        "pseudonymised as `erased-person-<hash>`; webhook logs, form submissions, deals, "
        "export files) and answers the erasure record, which holds no personal data. "
        "`confirm` must repeat the person's id; a webhook `person.erased` tells receivers."
    ),
)
def erase(request: HttpRequest, person_id: Id, payload: EraseIn) -> dict[str, Any]:
    record = erasure.erase_person(
        actor=actor_of(request),
        person_id=person_id,
        confirm=payload.confirm,
        request_id=payload.request_id,
    )
    return _erasure_json(record)


@router.get(
    "/people/{person_id}/access-log",
    response={200: list[PersonAccessOut], **ERRORS},
    summary="Who viewed or exported a person (when the access log is on)",
)
def access_log(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    rows = selectors.access_log(actor_of(request), person_id)[:500]
    return [
        {"user_id": r.user_id, "action": r.action, "source": r.source, "at": r.at} for r in rows
    ]


@router.get(
    "/privacy/requests",
    response={200: PageOut[DataRequestOut], **ERRORS},
    summary="The register of data-subject requests, soonest deadline first",
)
def list_requests(request: HttpRequest, query: Query[DataRequestQuery]) -> dict[str, Any]:
    qs = selectors.requests(actor_of(request), status=query.status, overdue=query.overdue)
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="due_at")
    return {"items": [_request_json(r) for r in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/privacy/requests",
    response={201: DataRequestOut, **ERRORS},
    summary="Register a data-subject request (deadline: 15 days after receipt)",
)
def create_request(request: HttpRequest, payload: DataRequestCreate) -> Status[dict[str, Any]]:
    created = services.create_request(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, _request_json(created))


@router.get("/privacy/requests/{request_id}", response={200: DataRequestOut, **ERRORS})
def get_request(request: HttpRequest, request_id: Id) -> dict[str, Any]:
    return _request_json(selectors.get_request(actor_of(request), request_id))


@router.patch(
    "/privacy/requests/{request_id}",
    response={200: DataRequestOut, **ERRORS},
    summary="Change a request (status, person, handler, notes)",
)
def update_request(request: HttpRequest, request_id: Id, payload: DataRequestIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.update_request(
        actor=actor, request_id=request_id, data=payload.dict(exclude_unset=True)
    )
    return _request_json(selectors.get_request(actor, request_id))


@router.delete("/privacy/requests/{request_id}", response={204: None, **ERRORS})
def delete_request(request: HttpRequest, request_id: Id) -> Status[None]:
    services.delete_request(actor=actor_of(request), request_id=request_id)
    return Status(204, None)


@router.get(
    "/privacy/erasures",
    response={200: list[ErasureOut], **ERRORS},
    summary="Erasures done in the workspace (no personal data)",
)
def list_erasures(request: HttpRequest) -> list[dict[str, Any]]:
    return [_erasure_json(e) for e in selectors.erasures(actor_of(request))[:500]]


@router.get("/privacy/settings", response={200: PrivacySettingsOut, **ERRORS})
def get_settings(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "privacy.manage")
    row = services.get_settings(actor.workspace.pk)
    return {
        "bin_retention_days": row.bin_retention_days,
        "access_log_enabled": row.access_log_enabled,
    }


@router.patch(
    "/privacy/settings",
    response={200: PrivacySettingsOut, **ERRORS},
    summary="Set the bin retention and switch the access log",
)
def update_settings(request: HttpRequest, payload: PrivacySettingsIn) -> dict[str, Any]:
    data = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    row = services.update_settings(actor=actor_of(request), data=data)
    return {
        "bin_retention_days": row.bin_retention_days,
        "access_log_enabled": row.access_log_enabled,
    }


__all__ = ["router"]
