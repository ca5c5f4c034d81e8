"""Exports, the record and the background: every export in the audit log (LGPD: who exported
what and how many rows), and the jobs that write large exports to a file (idempotent, resumable
by starting over, files expiring after a week)."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.core import audit, events, jobs
from vinculo.core.actor import Actor, Source
from vinculo.core.permissions import can, require
from vinculo.quality.models import ExportJob, ExportStatus
from vinculo.quality.services.export_rows import matching
from vinculo.quality.services.export_spec import ExportSpec, check_spec, spec_summary
from vinculo.quality.services.export_writers import write_export
from vinculo.workspaces.selectors import actor_for

EXPIRES_AFTER = timedelta(days=7)
# The job that runs a queued export (bound by vinculo.quality.tasks.exports).
RUN_JOB = "quality.exports.run"


def record_direct_export(*, actor: Actor, spec: ExportSpec, fmt: str, row_count: int) -> None:
    """Put a direct (streamed) export in the audit log: who exported what, how many rows. Called
    by the edges before they send the file."""
    require(actor, "data.export")
    with transaction.atomic():
        audit.record(
            actor,
            "export.downloaded",
            object_type="quality.export",
            changes={"format": fmt, "rows": row_count, "spec": spec_summary(spec)},
        )
        events.emit(
            "export.completed",
            actor=actor,
            subject_type="export",
            payload={"object_type": spec.object_type, "format": fmt, "rows": row_count},
        )


# --- background jobs ----------------------------------------------------------------------------


def count_rows(actor: Actor, spec: ExportSpec) -> int:
    """How many records a checked spec matches."""
    return matching(actor, spec).count()


def create_export_job(
    *, actor: Actor, spec: ExportSpec, fmt: str, total: int | None = None, enqueue: bool = True
) -> ExportJob:
    """Queue a background export (the task is enqueued once this commits; ``enqueue=False``
    when the caller runs the job itself at once). Refuses roles without ``data.export`` and bad
    specs (422 naming the field: object_type, format, filter, sort, columns, ids)."""
    spec = check_spec(actor, spec, fmt)
    if total is None:
        total = count_rows(actor, spec)
    with transaction.atomic():
        job = ExportJob.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            object_type=spec.object_type,
            format=fmt,
            spec=spec.as_dict(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            total=total,
        )
        audit.record(
            actor,
            "export.requested",
            job,
            object_type="quality.export",
            changes={"format": fmt, "rows": total, "spec": spec_summary(spec)},
        )
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def record_download(*, actor: Actor, job: ExportJob) -> None:
    """Put the download of an export's file in the audit log (each download, not just the
    export, since every copy of personal data leaving the CRM counts under LGPD)."""
    require(actor, "data.export")
    with transaction.atomic():
        audit.record(
            actor,
            "export.file_downloaded",
            job,
            object_type="quality.export",
            changes={"format": job.format, "rows": job.row_count},
        )


def _enqueue(job_id: int) -> None:
    jobs.enqueue(RUN_JOB, job_id)


def export_dir(workspace_id: int) -> Path:
    return Path(settings.DATA_DIR) / "files" / "exports" / str(workspace_id)


def job_actor(job: ExportJob) -> Actor | None:
    """The job's requester acting in its workspace now (None if they left or lost the right:
    then the job fails rather than export with someone else's rights)."""
    if job.created_by is None:
        return None
    actor = actor_for(job.created_by, job.workspace, source=Source.SYSTEM)
    if actor is None or not can(actor, "data.export"):
        return None
    return actor


def run_export_job(job_id: int) -> ExportJob | None:
    """Run a queued export (idempotent: a finished job is left alone; a job that crashed half
    way starts over into a fresh file). Writes to a temporary file renamed when complete, so a
    download never sees half a file."""
    job = ExportJob.objects.select_related("workspace", "created_by").filter(pk=job_id).first()
    if job is None or job.status == ExportStatus.DONE:
        return job
    actor = job_actor(job)
    if actor is None:
        _fail(job, _("The person who asked for this export can no longer export data."))
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), processed=0
    )
    folder = export_dir(job.workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{job.pk}-{uuid.uuid4().hex}.{job.format}"
    partial = final.with_suffix(final.suffix + ".part")

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(processed=done)

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            spec = check_spec(actor, ExportSpec.from_dict(job.spec), job.format)
            with partial.open("wb") as out:
                count = write_export(actor, spec, job.format, out, progress)
        os.replace(partial, final)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        _fail(job, str(getattr(exc, "detail", exc)))
        raise
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        old = job.file_path
        job.status = ExportStatus.DONE
        job.row_count = count
        job.processed = count
        job.file_path = str(final.relative_to(Path(settings.DATA_DIR)))
        job.file_size = final.stat().st_size
        job.finished_at = timezone.now()
        job.expires_at = job.finished_at + EXPIRES_AFTER
        job.error = ""
        job.save()
        audit.record(
            actor,
            "export.completed",
            job,
            object_type="quality.export",
            changes={"format": job.format, "rows": count, "spec": spec_summary(spec)},
        )
        events.emit(
            "export.completed",
            actor=actor,
            subject=job,
            payload={"object_type": job.object_type, "format": job.format, "rows": count},
        )
    if old and old != job.file_path:
        (Path(settings.DATA_DIR) / old).unlink(missing_ok=True)
    return job


def _fail(job: ExportJob, message: str) -> None:
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        events.emit(
            "export.failed",
            actor=Actor.system(job.workspace),
            subject_type="exportjob",
            subject_id=job.pk,
            payload={"error": message[:200]},
        )


def purge_expired_exports(now: datetime | None = None) -> int:
    """Delete the files of exports past their expiry (the jobs stay, for the record); returns
    how many files went."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file_path=""):
        (Path(settings.DATA_DIR) / job.file_path).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(file_path="")
        purged += 1
    return purged
