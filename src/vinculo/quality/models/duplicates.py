"""Tables of data quality: duplicate detection runs, candidate pairs, merges and their undo."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel

__all__ = [
    "CandidateStatus",
    "DedupeRun",
    "DuplicateCandidate",
    "DuplicateSettings",
    "MatchModel",
    "MergeRecord",
    "RecordType",
    "RunStatus",
]


class RecordType(models.TextChoices):
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MERGED = "merged", _("Merged")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
    LATER = "later", _("Later")


class DuplicateSettings(WorkspaceScopedModel):
    """Per-workspace choice: the expected precision the automatic merge must keep. Thresholds
    are not set by hand: each scan chooses them from its estimated precision
    (:class:`MatchModel`)."""

    auto_merge_precision = models.FloatField(default=0.995)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="uniq_duplicate_settings")
        ]


class DedupeRun(WorkspaceScopedModel):
    """One pass of the detector over a workspace's people or companies, with its progress."""

    object_type = models.CharField(max_length=10, choices=RecordType.choices)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    pairs_found = models.PositiveIntegerField(default=0)
    clusters_found = models.PositiveIntegerField(default=0)
    auto_merged = models.PositiveIntegerField(default=0)
    auto_merge = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "object_type", "-id"])]

    def __str__(self) -> str:
        return f"dedupe {self.object_type} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class DuplicateCandidate(WorkspaceScopedModel):
    """Two records that may be the same customer (``left_id`` < ``right_id``), the probability
    the detector gave, why, the cluster they belong to and the reviewer's decision."""

    object_type = models.CharField(max_length=10, choices=RecordType.choices)
    left_id = models.BigIntegerField()
    right_id = models.BigIntegerField()
    probability = models.FloatField()
    reasons = models.JSONField(default=list, blank=True)
    cluster = models.BigIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    run = models.ForeignKey(
        DedupeRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="candidates"
    )
    # The pair's agreement level per field (``{"birth_date": 3, ...}``): a decision on the pair
    # becomes a label the next scan learns from, whatever fields the model has by then.
    levels = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object_type", "left_id", "right_id"],
                name="uniq_duplicate_candidate_pair",
            )
        ]
        indexes = [
            models.Index(fields=["workspace", "object_type", "status", "-probability"]),
            models.Index(fields=["workspace", "object_type", "cluster"]),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.left_id}~{self.right_id} ({self.probability:.2f})"


class MatchModel(WorkspaceScopedModel):
    """What the last scan learned of a workspace's people or companies: the Fellegi-Sunter
    parameters (``params``: m, u, prior, term frequencies), how pairs were found (``report``:
    blocking rules with their fill rate, cost and share of likely matches, estimated recall), and
    the thresholds chosen from the estimated precision. Import and the new-record check score
    with it, so the three paths agree."""

    object_type = models.CharField(max_length=10, choices=RecordType.choices)
    params = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    review_threshold = models.FloatField(default=0.5)
    auto_merge_threshold = models.FloatField(default=0.99)
    records = models.PositiveIntegerField(default=0)
    compared = models.BigIntegerField(default=0)
    labels = models.PositiveIntegerField(default=0)
    run = models.ForeignKey(
        DedupeRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object_type"], name="uniq_match_model_type"
            )
        ]

    def __str__(self) -> str:
        return f"match model {self.object_type} ({self.records} records)"


class MergeRecord(WorkspaceScopedModel):
    """Exactly what one merge changed, so that :func:`undo_merge` can put it all back.

    ``changes`` holds the survivor's and loser's previous field values and, per table, the ids
    of the rows that moved (deals, activities, timeline entries, consents…) and the tags added.
    """

    object_type = models.CharField(max_length=10, choices=RecordType.choices)
    survivor_id = models.BigIntegerField()
    loser_id = models.BigIntegerField()
    candidate = models.ForeignKey(
        DuplicateCandidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=dict)
    automatic = models.BooleanField(default=False)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "object_type", "-id"])]

    def __str__(self) -> str:
        return f"merge {self.object_type} {self.loser_id}→{self.survivor_id}"
