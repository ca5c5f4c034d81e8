"""Interactions (notes, calls, meetings, emails, tasks) and the timeline every service writes to."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.core import timeline_wording
from vinculo.core.actor import Source
from vinculo.core.models import WorkspaceScopedModel, user_key, workspace_key


class ActivityKind(models.TextChoices):
    NOTE = "note", _("Note")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")
    TASK = "task", _("Task")


# A touch: a call, meeting or email logged on a person (a note or a task is not one). A person's
# first touch at or after their creation is kept on them (``Person.first_touched_at``).
TOUCHES = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL)


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallOutcome(models.TextChoices):
    CONNECTED = "connected", _("Connected")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    VOICEMAIL = "voicemail", _("Left voicemail")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Activity(WorkspaceScopedModel):
    """Something that happened with a customer (or, for tasks, should happen)."""

    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    person = models.ForeignKey(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    company = models.ForeignKey(
        "contacts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
    )
    deal = models.ForeignKey(
        "sales.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="activities"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    direction = models.CharField(max_length=10, choices=Direction.choices, blank=True)
    call_outcome = models.CharField(max_length=20, choices=CallOutcome.choices, blank=True)
    location = models.CharField(max_length=200, blank=True)
    email_from = models.CharField(max_length=254, blank=True)
    email_to = models.CharField(max_length=1000, blank=True)
    # tasks
    assignee = user_key()
    due_at = models.DateTimeField(null=True, blank=True)
    priority = models.CharField(
        max_length=10, choices=Priority.choices, default=Priority.NORMAL, blank=True
    )
    reminder_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = user_key()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "activities"
        indexes = [
            # Calls and meetings by time (the KPIs), with the bin mark.
            models.Index(
                fields=["workspace", "kind", "occurred_at", "deleted_at"], name="activity_kind_time"
            ),
            models.Index(fields=["workspace", "assignee", "completed_at", "due_at"]),
            # A person's first touch (the lead response KPIs).
            models.Index(
                fields=["person", "occurred_at", "kind", "deleted_at"], name="activity_touches"
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()


class TimelineEntry(WorkspaceScopedModel):
    """One line of a customer's history. Append-only; written by the services of every app.

    An entry names every record it concerns (person, company, deal), so each record's timeline is
    one indexed query: ``TimelineEntry.objects.for_workspace(ws).filter(person=p)``.
    """

    workspace = workspace_key(indexed=False)  # led by the (workspace, occurred_at, id) index
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    person = models.ForeignKey(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # led by the (person, occurred_at, id) index
    )
    company = models.ForeignKey(
        "contacts.Company",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the partial (company, occurred_at, id) index below
    )
    deal = models.ForeignKey(
        "sales.Deal",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the partial (deal, occurred_at, id) index below
    )
    activity = models.ForeignKey(
        Activity,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the partial (activity) index below
    )
    # Who wrote an entry is shown, never searched: no index on either user key. Every tracked
    # event, import row and change appends an entry, and each index is one more B-tree per
    # entry. Users are never deleted by the product (memberships are); a user deleted by hand
    # costs one scan of this table to set these to NULL.
    created_by = user_key(indexed=False)
    actor = user_key(indexed=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SYSTEM)

    class Meta:
        verbose_name_plural = "timeline entries"
        indexes = [
            models.Index(fields=["person", "occurred_at", "id"]),
            models.Index(fields=["workspace", "occurred_at", "id"]),
            # Most entries concern a person only: the company, deal and activity indexes leave
            # out the entries without one (three fewer B-tree inserts per entry; a lookup by
            # ``company_id = …`` implies ``IS NOT NULL``, so both databases still use them).
            models.Index(
                fields=["company", "occurred_at", "id"],
                name="timeline_company",
                condition=models.Q(company__isnull=False),
            ),
            models.Index(
                fields=["deal", "occurred_at", "id"],
                name="timeline_deal",
                condition=models.Q(deal__isnull=False),
            ),
            models.Index(
                fields=["activity"],
                name="timeline_activity",
                condition=models.Q(activity__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    @property
    def summary_text(self) -> str:
        """The line in the reader's language: an entry written with a message and its
        parameters (``data["text"]``, see ``timeline.record``) is worded when read; older entries
        and the others show the stored ``summary`` (the writer's language)."""
        if "data" in self.get_deferred_fields():
            # A list that leaves ``data`` out annotates its "text" key as ``data_text``.
            text = getattr(self, "data_text", None)
        else:
            text = self.data.get("text") if isinstance(self.data, dict) else None
        worded = timeline_wording.word(text)
        return self.summary if worded is None else worded
