"""Lead scoring's tables: the rules a manager edits, each workspace's predictive model and the
score stored per person."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceManager, WorkspaceScopedModel, workspace_key


class RuleKind(models.TextChoices):
    FIELD = "field", _("Field condition")
    BEHAVIOUR = "behaviour", _("Behaviour")


class ScoringRule(WorkspaceScopedModel):
    """One rule worth points.

    A **field** rule adds ``points`` to every person matching ``condition`` (a filter-language
    tree over people). A **behaviour** rule adds ``points`` for each tracked event named
    ``event_name`` (whose ``property_key`` contains ``property_contains``, when given) in the last
    ``window_days``, each occurrence decayed by half every ``half_life_days`` (no decay when
    empty), the rule's total capped at ``cap`` points (in absolute value; no cap when empty)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices)
    points = models.IntegerField(_("points"))
    condition = models.JSONField(_("condition"), null=True, blank=True)
    event_name = models.CharField(_("event name"), max_length=60, blank=True)
    property_key = models.CharField(_("property"), max_length=60, blank=True)
    property_contains = models.CharField(_("property contains"), max_length=200, blank=True)
    window_days = models.PositiveIntegerField(_("window (days)"), null=True, blank=True)
    half_life_days = models.FloatField(_("half-life (days)"), null=True, blank=True)
    cap = models.PositiveIntegerField(_("cap (points)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"


class ModelStatus(models.TextChoices):
    UNTRAINED = "untrained", _("Not trained yet")
    INSUFFICIENT = "insufficient", _("Not enough outcomes")
    NO_SIGNAL = "no_signal", _("No signal: the score is not used")
    READY = "ready", _("In use")


class PredictiveModel(models.Model):
    """A workspace's last training of the predictive score (one row per workspace, replaced by
    each training): what it learned and how well it did on the holdout."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=20, choices=ModelStatus.choices)
    won = models.PositiveIntegerField(default=0)
    lost = models.PositiveIntegerField(default=0)
    holdout_size = models.PositiveIntegerField(default=0)
    auc = models.FloatField(null=True, blank=True)
    auc_low = models.FloatField(null=True, blank=True)
    # [{"predicted": mean p, "observed": win share, "n": deals}] per reliability bin
    calibration = models.JSONField(default=list, blank=True)
    # {"features": [...], "mean": [...], "scale": [...], "coef": [...], "intercept": x,
    #  "sources": [...], "events": [...]}
    params = models.JSONField(default=dict, blank=True)
    trained_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceManager()

    def __str__(self) -> str:
        return f"{self.workspace_id}: {self.status}"


class LeadScore(models.Model):
    """A person's lead score as of ``computed_at``: the rule points, the predictive probability
    (empty when no model is in use) and the reasons as codes and parameters (worded when read,
    :mod:`vinculo.scoring.reasons`). Written in bulk by
    :func:`vinculo.scoring.services.recompute.recompute_scores`."""

    workspace = workspace_key(indexed=False)  # led by lead_score_points / lead_score_probability
    person = models.OneToOneField(
        "contacts.Person", on_delete=models.CASCADE, related_name="lead_score"
    )
    rule_score = models.IntegerField(_("lead score"), default=0)
    probability = models.FloatField(_("win probability"), null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = WorkspaceManager()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "rule_score"], name="lead_score_points"),
            models.Index(fields=["workspace", "probability"], name="lead_score_probability"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.rule_score}"
