"""The shared kernel's tables: the tenancy base, the domain-event outbox and the audit log."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.core.actor import Source

if TYPE_CHECKING:
    from vinculo.core.tenancy import Workspace


class WorkspaceQuerySet(models.QuerySet):
    """A queryset whose scope is always said out loud: ``Model.objects.for_workspace(ws)``."""

    def for_workspace(self, workspace: Workspace | int) -> WorkspaceQuerySet:
        workspace_id = workspace if isinstance(workspace, int) else workspace.pk
        if workspace_id is None:
            raise ValueError("for_workspace() needs a saved workspace")
        return self.filter(workspace_id=workspace_id)


class WorkspaceManager(models.Manager.from_queryset(WorkspaceQuerySet)):  # type: ignore[misc]
    pass


def workspace_key(*, indexed: bool = True) -> models.ForeignKey:
    """The workspace column of a domain row.

    ``indexed=False`` where the model's own indexes all lead with the workspace: a lone
    ``workspace_id`` index then serves no query the others do not, and each index is one more
    B-tree every insert updates (a 100,000-row import writes hundreds of thousands of rows).
    """
    return models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+", db_index=indexed
    )


def user_key(*, indexed: bool = True) -> models.ForeignKey:
    """An optional user column (owner, assignee, author): cleared, not cascaded, when the user
    goes. ``indexed=False`` on append-only logs (timeline, outbox) where the user is shown, never
    searched: every index is one more B-tree per row, and the product never deletes users (one
    deleted by hand costs a scan of the table to clear the column)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=indexed,
    )


def plain_field(model: type[models.Model], name: str) -> models.Field:
    """``model``'s field ``name`` when it is a column of the model's table (not a reverse
    relation or a many-to-many): what raw SQL and key-set pagination may name."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{model._meta.label}.{name} is not a column of its table")
    return field


def column_of(field: models.Field) -> str:
    """The table column of a plain field, for raw SQL."""
    if field.column is None:
        raise ValueError(f"{field} has no column of its own")
    return field.column


class WorkspaceScopedModel(models.Model):
    """Base of every domain row: the workspace key, timestamps and who created it."""

    workspace = workspace_key()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = user_key()

    objects = WorkspaceManager()

    class Meta:
        abstract = True


class DomainEvent(models.Model):
    """One thing that happened (``person.created``, ``deal.stage_changed``…): the outbox row.

    Written in the same transaction as the change it describes, so it exists if and only if the
    change committed. Each consumer's work on it is tracked by an :class:`EventDelivery`.
    """

    workspace = workspace_key(indexed=False)  # led by the (workspace, subject…) index
    # Not indexed: nothing reads the outbox by name (consumers claim their deliveries), and an
    # index here was one more B-tree insert for every event of every write.
    name = models.CharField(max_length=100)
    subject_type = models.CharField(max_length=50, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    # Not indexed either: nothing looks events up by user, and users are never deleted by the
    # product (a user deleted by hand costs one scan of the outbox to set this to NULL).
    actor = user_key(indexed=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SYSTEM)
    occurred_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceManager()

    class Meta:
        indexes = [models.Index(fields=["workspace", "subject_type", "subject_id", "id"])]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class EventDelivery(models.Model):
    """One consumer's handling of one event: claimed with a lease, retried with backoff."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(DomainEvent, on_delete=models.CASCADE, related_name="deliveries")
    consumer = models.CharField(max_length=100)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="uniq_delivery_per_consumer")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.consumer} ← {self.event_id} ({self.status})"


class AuditEntry(models.Model):
    """Who changed what, when and from where. Append-only."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=50)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SYSTEM)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = WorkspaceManager()

    class Meta:
        indexes = [models.Index(fields=["workspace", "-id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id}"


class SavedViewObject(models.TextChoices):
    PERSON = "person", _("People")
    COMPANY = "company", _("Companies")
    DEAL = "deal", _("Deals")


class SavedView(WorkspaceScopedModel):
    """A named table view: a filter tree, the chosen columns, the sort and the search text.

    Personal views are seen by their owner only; shared views by everyone in the workspace.
    """

    object_type = models.CharField(max_length=20, choices=SavedViewObject.choices)
    name = models.CharField(max_length=80)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    shared = models.BooleanField(default=False)
    filter = models.JSONField(null=True, blank=True)
    columns = models.JSONField(default=list, blank=True)
    sort = models.CharField(max_length=50, blank=True)
    search = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "owner", "object_type", "name"],
                name="uniq_saved_view_name_per_owner",
            )
        ]
        indexes = [models.Index(fields=["workspace", "object_type", "shared"])]

    def __str__(self) -> str:
        return f"{self.object_type}: {self.name}"


class ScheduledRun(models.Model):
    """When a recurring task (``vinculo.core.schedule``) was last enqueued: one row per schedule
    for the whole installation, so several workers enqueue each due run once."""

    name = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_enqueued_at}"


class CurrencyRate(WorkspaceScopedModel):
    """What one unit of ``currency`` was worth in ``to_currency`` (the workspace's default
    currency when the rate was entered) during ``month``: the rates the workspace enters so
    money KPIs can add records of several currencies (``vinculo.core.currency``). One rate per
    currency and month; a record dated in that month (in the workspace's time zone) uses it."""

    currency = models.CharField(_("currency"), max_length=3)
    to_currency = models.CharField(_("converted to"), max_length=3)
    month = models.DateField(_("month"))  # the first day of the month
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)

    class Meta:
        ordering = ["-month", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "currency", "to_currency", "month"],
                name="uniq_currency_rate_month",
            )
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {self.to_currency} ({self.month:%Y-%m})"


class Notification(WorkspaceScopedModel):
    """Something a user is told in the app (the bell): a ``code`` registered by the app that
    sends it and its ``params``, worded in the reader's language when read
    (:mod:`vinculo.core.notifications`), a ``link`` to what it is about, and when it was read."""

    workspace = workspace_key(indexed=False)  # the user's index leads with it
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=60)
    params = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "user", "read_at"], name="notification_unread")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.code}"
