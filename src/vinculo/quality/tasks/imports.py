"""Background tasks of data quality: running an import, continuing the abandoned ones."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import jobs, schedule
from vinculo.quality.services import imports


@task()
def run_import_task(job_id: int) -> int:
    """Run (or continue) import ``job_id`` from its checkpoint; returns the rows done.

    Idempotent: a job that is not queued (done, cancelled, already taken) is left alone.
    """
    return imports.run_import(job_id).next_row


@task()
def requeue_abandoned_imports_task() -> list[int]:
    """Continue the imports whose worker died (see ``requeue_abandoned_imports``)."""
    return imports.requeue_abandoned_imports()


jobs.register(imports.RUN_JOB, run_import_task)
schedule.register(
    "quality.requeue_imports", interval=timedelta(minutes=2), task=requeue_abandoned_imports_task
)
