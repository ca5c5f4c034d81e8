"""Background tasks of data quality: audits (on demand when large, and daily for every
workspace)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import schedule


@task()
def run_audit_task(run_id: int) -> int | None:
    """Compute one queued audit run (idempotent: a finished run is left alone)."""
    from vinculo.quality.services.audit import execute_audit_run

    return execute_audit_run(run_id).score


@task()
def audit_all_workspaces() -> int:
    """The daily audit of every workspace, as the system; returns how many were audited."""
    from vinculo.quality.services import audit

    return audit.audit_all_workspaces()


schedule.register("quality.audit", interval=timedelta(days=1), task=audit_all_workspaces)
