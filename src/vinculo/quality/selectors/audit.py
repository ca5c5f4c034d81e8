"""Reads of the data-quality audit: runs, the score over time, a finding's records."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.quality.models import AuditRun, AuditStatus


def audit_runs(actor: Actor) -> QuerySet[AuditRun]:
    """The workspace's audit runs, newest first. Refuses roles without ``insights.view``."""
    require(actor, "insights.view")
    return (
        AuditRun.objects.for_workspace(actor.workspace)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def get_audit_run(actor: Actor, run_id: int) -> AuditRun:
    """One run of the actor's workspace; another workspace's id is NotFound."""
    run = audit_runs(actor).filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("No audit run with id %(id)s.") % {"id": run_id})
    return run


def latest_audit_run(actor: Actor) -> AuditRun | None:
    """The newest finished run, if any."""
    return audit_runs(actor).filter(status=AuditStatus.DONE).first()


def score_history(actor: Actor, limit: int = 60) -> list[tuple[datetime | None, int]]:
    """``(finished_at, score)`` of the last ``limit`` finished runs, oldest first."""
    runs = (
        audit_runs(actor)
        .filter(status=AuditStatus.DONE, score__isnull=False)
        .values_list("finished_at", "score")[:limit]
    )
    # ``score__isnull=False`` already drops them; the test narrows the type for mypy.
    return [(when, score) for when, score in reversed(list(runs)) if score is not None]


def finding_ids(actor: Actor, run_id: int, finding: str) -> tuple[str, list[int]]:
    """The object type and the record ids of one finding (``person:invalid.cpf``) of a run, for
    the export of the offending records; NotFound for an unknown run or finding."""
    run = get_audit_run(actor, run_id)
    object_type, _sep, key = finding.partition(":")
    ids = ((run.findings or {}).get("objects", {}).get(object_type, {}).get("ids", {})).get(key)
    if ids is None:
        raise NotFound(_("This audit run has no finding %(key)r.") % {"key": finding})
    return object_type, list(ids)
