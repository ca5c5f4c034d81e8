"""Tables of data quality: exports (the background ones; small exports stream and leave only an
audit entry)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel

__all__: list[str] = ["ExportFormat", "ExportJob", "ExportStatus"]


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


# Keyed by the stored value (a plain str once read back from the database).
CONTENT_TYPES: dict[str, str] = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(WorkspaceScopedModel):
    """One export written to a file under ``DATA_DIR/files/exports/<workspace_id>/``.

    ``spec`` is what to export (object type, saved view, filter tree, search, sort, columns) as
    the export service takes it, so a task can run it again from scratch after a crash.
    ``file_path`` is relative to ``DATA_DIR``; the file is deleted once ``expires_at`` passes.
    """

    object_type = models.CharField(max_length=20)
    format = models.CharField(max_length=10, choices=ExportFormat.choices)
    spec = models.JSONField(default=dict)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-id"])]

    def __str__(self) -> str:
        return f"export #{self.pk} {self.object_type}.{self.format} ({self.status})"

    @property
    def percent(self) -> int:
        """Progress 0-100 (100 once done)."""
        if self.status == ExportStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, int(self.processed * 100 / self.total))

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES.get(self.format, "application/octet-stream")

    @property
    def filename(self) -> str:
        return f"{self.object_type}-export-{self.pk}.{self.format}"
