"""Background tasks of data quality: exports."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import schedule


@task()
def run_export_task(job_id: int) -> int | None:
    """Run one queued export job (idempotent: a finished job is left alone)."""
    from vinculo.quality.services.exports import run_export_job

    job = run_export_job(job_id)
    return job.row_count if job is not None else None


@task()
def purge_expired_exports_task() -> int:
    """Delete the files of expired exports."""
    from vinculo.quality.services.exports import purge_expired_exports

    return purge_expired_exports()


schedule.register(
    "quality.purge_exports", interval=timedelta(hours=6), task=purge_expired_exports_task
)
