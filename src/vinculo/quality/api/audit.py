"""REST endpoints of data quality: the audit (run, list runs, get a run)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import Actor, actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut
from vinculo.quality.models import AuditRun, AuditStatus, AuditTrigger
from vinculo.quality.selectors import audit as selectors
from vinculo.quality.selectors import audit_text
from vinculo.quality.services import audit as services

router = Router(tags=["quality"])


class AuditIn(Schema):
    model_config = ConfigDict(extra="forbid")

    stale_months: Int32 = Field(
        6, description="A record is stale after this many months without activity (1-120)."
    )


class AuditRunOut(Schema):
    id: int
    status: AuditStatus
    trigger: AuditTrigger
    progress: int = Field(description="0-100.")
    score: int | None = Field(None, description="0-100, once done (docs/audit.md).")
    stale_months: int
    created_by_id: int | None
    created_at: datetime
    finished_at: datetime | None
    error: str


class AuditRunDetailOut(AuditRunOut):
    findings: dict[str, Any] = Field(
        description="Per object type (person, company, deal): total, score, parts of the score, "
        "completeness per field and findings (count and link), plus the open duplicate pairs "
        "of the duplicates tool when it is installed. Each finding and completeness row has a "
        "code (`key`/`kind`, `field`) and a `label` written in the request's language."
    )


class RunQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _findings(actor: Actor, run: AuditRun) -> dict[str, Any]:
    # The offending ids are for the export links, not for the API's clients; the labels are
    # written in the request's language.
    findings = audit_text.localised_findings(actor, run.findings)
    objects = {
        name: {k: v for k, v in data.items() if k != "ids"}
        for name, data in (findings.get("objects") or {}).items()
    }
    if objects:
        findings["objects"] = objects
    return findings


def _out(run: AuditRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "status": run.status,
        "trigger": run.trigger,
        "progress": run.progress,
        "score": run.score,
        "stale_months": run.stale_months,
        "created_by_id": run.created_by_id,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
        "error": run.error,
    }


def _detail(actor: Actor, run: AuditRun) -> dict[str, Any]:
    return {**_out(run), "findings": _findings(actor, run)}


@router.post(
    "/quality/audits",
    response={201: AuditRunDetailOut, 202: AuditRunDetailOut, **ERRORS},
    summary="Audit the workspace's data quality now",
    description="Small workspaces are audited at once (201); large ones in the background "
    "(202): poll the run until `status` is `done`.",
)
def create_audit(request: HttpRequest, payload: AuditIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    run = services.start_audit(actor=actor, stale_months=payload.stale_months)
    return Status(201 if run.status == AuditStatus.DONE else 202, _detail(actor, run))


@router.get(
    "/quality/audits",
    response={200: PageOut[AuditRunOut], **ERRORS},
    summary="The audit runs (the score over time)",
)
def list_audits(request: HttpRequest, query: Query[RunQuery]) -> dict[str, Any]:
    page = paginate(
        selectors.audit_runs(actor_of(request)), cursor=query.cursor, limit=query.limit, order="-pk"
    )
    return {"items": [_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/quality/audits/{run_id}",
    response={200: AuditRunDetailOut, **ERRORS},
    summary="One audit run with its findings",
)
def get_audit(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    return _detail(actor, selectors.get_audit_run(actor, run_id))
