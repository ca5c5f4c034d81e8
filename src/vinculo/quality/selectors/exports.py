"""Reads of exports: the workspace's export jobs and their files."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.quality.models import ExportJob, ExportStatus


def export_jobs(actor: Actor) -> QuerySet[ExportJob]:
    """The workspace's export jobs, newest first. Refuses roles without ``data.export`` (the
    list shows what was exported, which is itself personal data about the exporters)."""
    require(actor, "data.export")
    return (
        ExportJob.objects.for_workspace(actor.workspace)
        .select_related("created_by")
        .order_by("-pk")
    )


def get_export_job(actor: Actor, job_id: int) -> ExportJob:
    """One export job of the actor's workspace; another workspace's id is NotFound."""
    job = export_jobs(actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No export with id %(id)s.") % {"id": job_id})
    return job


def export_file(actor: Actor, job_id: int) -> tuple[ExportJob, Path]:
    """The finished file of an export job; NotFound while it runs, after it failed or once it
    expired (the file is deleted then)."""
    job = get_export_job(actor, job_id)
    if job.status != ExportStatus.DONE or not job.file_path:
        raise NotFound(_("Export %(id)s has no file to download.") % {"id": job_id})
    if job.expires_at is not None and job.expires_at <= timezone.now():
        raise NotFound(_("Export %(id)s has expired; export again.") % {"id": job_id})
    path = Path(settings.DATA_DIR) / job.file_path
    if not path.is_file():
        raise NotFound(_("Export %(id)s has no file to download.") % {"id": job_id})
    return job, path
