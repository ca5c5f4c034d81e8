"""Reviews of the plan (seed 004: a review every few months): each freezes every goal, KPI and
budget as of its day (``snapshot``, never recomputed), holds the findings and the decisions,
and each decision becomes a task with an owner."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel


class ReviewStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")


class Review(WorkspaceScopedModel):
    """A review of the plan on ``held_on``. ``snapshot`` is what :func:`freeze` saw at
    ``frozen_at`` (goals, KPIs, budgets), kept as it was whatever the data does later."""

    plan = models.ForeignKey("strategy.Plan", on_delete=models.CASCADE, related_name="reviews")
    title = models.CharField(_("title"), max_length=150, blank=True)
    held_on = models.DateField(_("date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.SCHEDULED
    )
    findings = models.TextField(_("findings"), blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """Its title, or (none given) "Review of <date>" in the reader's language: a default
        is worded when read, never stored in one language."""
        return self.title or gettext("Review of %(date)s") % {"date": self.held_on.isoformat()}


class Decision(WorkspaceScopedModel):
    """What a review decided, who does it and by when; ``task`` is the task it became."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    text = models.CharField(_("decision"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    task = models.ForeignKey(
        "activities.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text
