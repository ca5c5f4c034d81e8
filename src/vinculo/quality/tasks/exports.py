"""Background tasks of data quality: exports."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import jobs, schedule
from vinculo.quality.services import export_jobs


@task()
def run_export_task(job_id: int) -> int | None:
    """Run one queued export job (idempotent: a finished job is left alone)."""
    job = export_jobs.run_export_job(job_id)
    return job.row_count if job is not None else None


@task()
def purge_expired_exports_task() -> int:
    """Delete the files of expired exports."""
    return export_jobs.purge_expired_exports()


jobs.register(export_jobs.RUN_JOB, run_export_task)
schedule.register(
    "quality.purge_exports", interval=timedelta(hours=6), task=purge_expired_exports_task
)
