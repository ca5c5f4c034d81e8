"""Reads of data quality: imports, their rejected rows and the saved mapping templates."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.quality.models import ImportJob, ImportRowError, ImportTemplate


def imports(actor: Actor) -> QuerySet[ImportJob]:
    """The workspace's imports, newest first; refuses actors without ``data.import`` (rejected
    rows hold raw customer data)."""
    require(actor, "data.import")
    return ImportJob.objects.for_workspace(actor.workspace).select_related("created_by")


def get_import(actor: Actor, job_id: int) -> ImportJob:
    """One import of the workspace; 404 for anything else (another workspace's included)."""
    job = imports(actor).filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No import with id %(id)s in this workspace.") % {"id": job_id})
    return job


def rejected_rows(actor: Actor, job_id: int, *, dry_run: bool = False) -> QuerySet[ImportRowError]:
    """The rows an import (or its dry run) refused, in file order."""
    job = get_import(actor, job_id)
    return ImportRowError.objects.for_workspace(actor.workspace).filter(job=job, dry_run=dry_run)


def templates(actor: Actor, object_type: str | None = None) -> QuerySet[ImportTemplate]:
    """The workspace's saved mappings, by name; optionally of one object type."""
    require(actor, "data.import")
    qs = ImportTemplate.objects.for_workspace(actor.workspace)
    return qs.filter(object_type=object_type) if object_type else qs


def get_template(actor: Actor, template_id: int) -> ImportTemplate:
    """One saved mapping of the workspace; 404 otherwise."""
    template = templates(actor).filter(pk=template_id).first()
    if template is None:
        raise NotFound(
            _("No import template with id %(id)s in this workspace.") % {"id": template_id}
        )
    return template
