"""Tables of data quality: audit runs (the score over time and what each run found)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel

__all__: list[str] = ["AuditRun", "AuditStatus", "AuditTrigger"]


class AuditStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AuditTrigger(models.TextChoices):
    USER = "user", _("On demand")
    SCHEDULE = "schedule", _("Schedule")


class AuditRun(WorkspaceScopedModel):
    """One data-quality audit of a workspace: its score (0-100) and its findings.

    ``created_by`` is who asked for it (empty for the schedule, ``trigger`` says which).
    ``findings`` is the report (docs/audit.md): per object, completeness per field, invalid and
    non-conforming values, stale records, duplicates and records without owner, each with a
    count and, where the filter language cannot express it, the offending ids for an export.
    """

    trigger = models.CharField(
        max_length=10, choices=AuditTrigger.choices, default=AuditTrigger.USER
    )
    status = models.CharField(
        max_length=10, choices=AuditStatus.choices, default=AuditStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    stale_months = models.PositiveSmallIntegerField(default=6)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    findings = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"audit #{self.pk} ({self.status}, score {self.score})"
