"""Background tasks of data quality: audits (on demand when large, and daily for every
workspace)."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import jobs, schedule
from vinculo.quality.services import audit


@task()
def run_audit_task(run_id: int) -> int | None:
    """Compute one queued audit run (idempotent: a finished run is left alone)."""
    return audit.execute_audit_run(run_id).score


@task()
def audit_all_workspaces() -> int:
    """The daily audit of every workspace, as the system; returns how many were audited."""
    return audit.audit_all_workspaces()


jobs.register(audit.RUN_JOB, run_audit_task)
schedule.register("quality.audit", interval=timedelta(days=1), task=audit_all_workspaces)
