"""Goals (seed 003: a target and a deadline for every metric): a KPI from the registry with
its filters, a baseline measured when the goal starts, a target by a deadline, an owner and a
team; the progress measured every day (:class:`GoalReading`) with the forecast to the deadline
and the status its rule gives. A goal hangs from a tactic (none: an orphan) and a rep's quota
rolls up to its team goal (``parent``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel, workspace_key


class GoalMeasure(models.TextChoices):
    # The KPI's value from the start to the day (new customers won since the start).
    CUMULATIVE = "cumulative", _("Total since the start")
    # The KPI's value over the last ``window_days`` (win rate of the last 90 days).
    LEVEL = "level", _("Level over a rolling window")


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    ACHIEVED = "achieved", _("Achieved")
    MISSED = "missed", _("Missed")


class Goal(WorkspaceScopedModel):
    """A KPI (``kpi_key``) cut by the filters (owner, team, pipeline, source, lifecycle stage, a
    filter-language ``segment`` over ``segment_object``, a currency for money) to take from
    ``baseline`` to ``target`` between ``starts_on`` and ``deadline``. ``current``, ``forecast``,
    ``status`` and ``status_reason`` (a code and parameters, worded when read) are the latest
    measurement's; ``alerted_status`` is the last status the owner was alerted of."""

    tactic = models.ForeignKey(
        "strategy.Tactic", on_delete=models.SET_NULL, null=True, blank=True, related_name="goals"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="quotas"
    )
    title = models.CharField(_("title"), max_length=200)
    kpi_key = models.CharField(_("KPI"), max_length=60)
    measure = models.CharField(
        _("measured as"),
        max_length=20,
        choices=GoalMeasure.choices,
        default=GoalMeasure.CUMULATIVE,
    )
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=90)
    # The KPI's filters (each empty: not cut).
    filter_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filter_team = models.ForeignKey(
        "workspaces.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filter_pipeline = models.ForeignKey(
        "sales.Pipeline", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filter_source = models.CharField(_("source"), max_length=100, blank=True)
    filter_lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=40, blank=True)
    segment_object = models.CharField(max_length=20, default="person")
    segment = models.JSONField(_("segment"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    # The goal itself.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "workspaces.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    starts_on = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=4)
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_start = models.DateField(null=True, blank=True)
    baseline_end = models.DateField(null=True, blank=True)
    baseline_measured_at = models.DateTimeField(null=True, blank=True)
    # The latest measurement.
    current = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    forecast = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    status_reason = models.JSONField(default=dict, blank=True)  # {"code": ..., "params": {...}}
    measured_at = models.DateTimeField(null=True, blank=True)
    alerted_status = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["workspace", "status"], name="goal_status")]

    def __str__(self) -> str:
        return self.title


class GoalReading(models.Model):
    """The goal's value on a day (its progress over time, what the trend is fitted to)."""

    workspace = workspace_key(indexed=False)  # the goal leads every read
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="readings")
    day = models.DateField()
    value = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["goal", "day"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "day"], name="uniq_goal_reading_day")
        ]

    def __str__(self) -> str:
        return f"{self.goal_id} {self.day}: {self.value}"
