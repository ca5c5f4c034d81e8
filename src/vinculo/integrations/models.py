"""Outbound webhooks: subscriptions, one delivery per (subscription, event), every attempt."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceManager, WorkspaceScopedModel, workspace_key


class DisabledReason(models.TextChoices):
    NONE = "", _("Active")
    MANUAL = "manual", _("Disabled by a person")
    FAILING = "failing", _("Disabled after repeated failures")
    GONE = "gone", _("The receiver answered 410 Gone")


class WebhookSubscription(WorkspaceScopedModel):
    """A URL that hears about some domain events of one workspace, signed with a secret."""

    name = models.CharField(max_length=120)
    url = models.CharField(max_length=2000)
    # Event names or glob patterns (``person.*``) from the event-type registry.
    event_types = models.JSONField(default=list)
    # A tree of the filter language over ``condition_object`` (None = every record).
    condition = models.JSONField(null=True, blank=True)
    condition_object = models.CharField(max_length=30, default="person")
    secret = models.CharField(max_length=100)
    # After a rotation the old secret also signs, for a grace period, so receivers can switch.
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(
        max_length=10, choices=DisabledReason.choices, default=DisabledReason.NONE, blank=True
    )
    disabled_detail = models.CharField(max_length=500, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # True while a drain task is queued for this subscription (one queued drain at a time).
    drain_pending = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["workspace", "is_active"])]

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one subscription: a fixed body and id, sent until a 2xx or it gives up."""

    # Both keys lead composite indexes (Meta): a lone index on either is one more B-tree per
    # queued delivery on the webhook hot path.
    workspace = workspace_key(indexed=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    # The ``Vinculo-Delivery`` header: the receiver's idempotency key, the same on every attempt.
    uid = models.CharField(max_length=32, unique=True)
    event = models.ForeignKey(
        "core.DomainEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_type = models.CharField(max_length=100)
    # "<subject_type>:<subject_id>"; deliveries of one subject go out in order.
    subject_key = models.CharField(max_length=120, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=14)
    # When the next attempt is due; while a worker holds the delivery, the end of its lease.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claim = models.CharField(max_length=32, blank=True)
    # The next attempt was asked for by a person (redeliver, ping): logged as manual.
    manual = models.BooleanField(default=False)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = WorkspaceManager()

    class Meta:
        indexes = [
            models.Index(fields=["subscription", "status", "next_attempt_at"]),
            models.Index(fields=["subscription", "subject_key", "status"]),
            models.Index(fields=["workspace", "subscription", "-id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came back."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempt_log",
        db_index=False,  # led by the (delivery, number) index
    )
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    request_headers = models.JSONField(default=dict)
    succeeded = models.BooleanField(default=False)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    response_headers = models.JSONField(default=dict)
    response_body = models.TextField(blank=True)
    error = models.CharField(max_length=500, blank=True)
    manual = models.BooleanField(default=False)

    objects = WorkspaceManager()

    class Meta:
        ordering = ["number", "pk"]
        indexes = [
            models.Index(fields=["delivery", "number"]),
            models.Index(fields=["subscription", "started_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number} of {self.delivery_id}: {self.response_status or self.error}"
