"""Tables of the data subject's rights: settings, the request register, erasures, access log.

None of these rows holds a subject's personal data except ``DataSubjectRequest.subject_label``
and ``notes`` (what the requester told us), which the erasure scrubs like every other column.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel

# LGPD art. 19 II: a complete answer within 15 days of the request.
LEGAL_DEADLINE = timedelta(days=15)
DEFAULT_BIN_RETENTION_DAYS = 30


class PrivacySettings(WorkspaceScopedModel):
    """How long the bin keeps people before they are erased, and whether reads are logged."""

    bin_retention_days = models.PositiveIntegerField(
        _("days a person stays in the bin"), default=DEFAULT_BIN_RETENTION_DAYS
    )
    access_log_enabled = models.BooleanField(_("log who views or exports a person"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace"], name="uniq_privacy_settings")]
        verbose_name_plural = "privacy settings"

    def __str__(self) -> str:
        return f"privacy settings of {self.workspace_id}"


class RequestKind(models.TextChoices):
    """The rights of LGPD art. 18."""

    CONFIRMATION = "confirmation", _("Confirmation of processing")
    ACCESS = "access", _("Access")
    CORRECTION = "correction", _("Correction")
    ANONYMISATION = "anonymisation", _("Anonymisation or blocking")
    PORTABILITY = "portability", _("Portability")
    ERASURE = "erasure", _("Erasure")
    SHARING_INFO = "sharing_info", _("Information about sharing")
    CONSENT_REVOCATION = "consent_revocation", _("Consent revocation")
    OBJECTION = "objection", _("Objection")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class ErasureReason(models.TextChoices):
    REQUEST = "request", _("Request of the data subject")
    BIN_RETENTION = "bin_retention", _("Bin retention period ended")


class ErasureRecord(WorkspaceScopedModel):
    """Proof that a person was erased, holding no personal data: the subject's pseudonym, who
    erased them, when, why and how many rows of each table were purged or scrubbed."""

    subject = models.CharField(max_length=64, db_index=True)
    reason = models.CharField(max_length=20, choices=ErasureReason.choices)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"erasure of {self.subject}"


class DataSubjectRequest(WorkspaceScopedModel):
    """One request of a data subject, from receipt to answer, with its legal deadline."""

    kind = models.CharField(_("right"), max_length=30, choices=RequestKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    person = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who asked (as they identified themselves); scrubbed by an erasure like any text.
    subject_label = models.CharField(_("requester"), max_length=200, blank=True)
    # The pseudonym once the person is erased: the request stays traceable without their data.
    subject = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("legal deadline"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    exported_at = models.DateTimeField(null=True, blank=True)
    erasure = models.ForeignKey(
        ErasureRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["workspace", "status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_at < timezone.now()


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed the person page")
    API_VIEW = "api_view", _("Read the person through the API")
    EXPORT = "export", _("Exported the person's data")


class AccessRecord(models.Model):
    """Who viewed or exported a person (only while the workspace's access log is on)."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    person_id = models.BigIntegerField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=20, choices=AccessAction.choices)
    source = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["workspace", "person_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.action} of {self.person_id} by {self.user_id}"
