"""Tables of data quality: imports (templates, jobs with their checkpoint, rejected rows)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel

__all__ = [
    "ImportDedupe",
    "ImportJob",
    "ImportObject",
    "ImportRowError",
    "ImportStatus",
    "ImportTemplate",
]


class ImportObject(models.TextChoices):
    PEOPLE = "people", _("People")
    COMPANIES = "companies", _("Companies")
    DEALS = "deals", _("Deals")


class ImportDedupe(models.TextChoices):
    UPDATE = "update", _("Update the existing record")
    SKIP = "skip", _("Skip the row")
    CREATE = "create", _("Create anyway")


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportTemplate(WorkspaceScopedModel):
    """A saved column mapping (header → field) and options, reused for the next file."""

    name = models.CharField(_("name"), max_length=80)
    object_type = models.CharField(max_length=20, choices=ImportObject.choices)
    mapping = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object_type", "name"], name="uniq_import_template_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(WorkspaceScopedModel):
    """One uploaded file and its import: mapping, options, progress and checkpoint.

    ``next_row`` is the checkpoint: the 0-based index of the first data row not yet committed.
    It moves forward in the same transaction as the rows a batch wrote and its rejected rows,
    so a resume continues exactly after the last committed batch.
    """

    object_type = models.CharField(max_length=20, choices=ImportObject.choices)
    status = models.CharField(
        max_length=20, choices=ImportStatus.choices, default=ImportStatus.DRAFT
    )
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500)
    file_size = models.BigIntegerField(default=0)
    file_format = models.CharField(max_length=10)
    encoding = models.CharField(max_length=20, blank=True)
    delimiter = models.CharField(max_length=2, blank=True)
    sheet = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    options = models.JSONField(default=dict, blank=True)
    template = models.ForeignKey(
        ImportTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_rows = models.PositiveIntegerField(null=True, blank=True)
    next_row = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    preview = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.object_type})"

    @property
    def processed(self) -> int:
        return self.next_row

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.next_row / self.total_rows))


class ImportRowError(WorkspaceScopedModel):
    """A rejected row: its row number in the file (header = 1), its cells and the reasons."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    line = models.PositiveIntegerField()
    values = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    # Rows refused by a dry run (kept apart: a dry run writes nothing else).
    dry_run = models.BooleanField(default=False)

    # Not a column: the rejected-rows screen sets it to the reasons in the reader's language.
    messages: list[dict[str, str]]

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["job", "dry_run", "line"])]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"
