"""Background tasks of data quality: duplicate detection."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from vinculo.core import jobs
from vinculo.core.actor import Actor, Source
from vinculo.quality.models.duplicates import DedupeRun, RunStatus
from vinculo.quality.services.duplicates import DETECT_JOB, detect_duplicates


@task()
def detect_duplicates_task(run_id: int) -> int:
    """Run one queued detection (idempotent: a finished run is not run again). Returns the
    number of pairs found."""
    run = DedupeRun.objects.select_related("workspace").filter(pk=run_id).first()
    if run is None or run.status == RunStatus.DONE:
        return 0
    actor = Actor.system(run.workspace, source=Source.SYSTEM)
    try:
        run = detect_duplicates(actor=actor, object_type=run.object_type, run=run)
    except Exception as exc:
        DedupeRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    return run.pairs_found


jobs.register(DETECT_JOB, detect_duplicates_task)
