"""The CRM plan (seed 004): one living plan per workspace, versioned; its business objectives,
quantified; the strategies per function that serve each; the tactics under them with owner,
team, budget (money and hours), dates and status; and what was spent against each budget."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel, workspace_key


class Plan(WorkspaceScopedModel):
    """The workspace's CRM plan (one per workspace). ``version`` counts the versions saved
    (:class:`PlanVersion`); ``review_every_months`` and ``next_review_on`` schedule reviews."""

    workspace = workspace_key(indexed=False)  # the unique constraint leads with it
    title = models.CharField(_("title"), max_length=150)
    summary = models.TextField(_("summary"), blank=True)
    business_type = models.CharField(_("business type"), max_length=40, blank=True)
    version = models.PositiveIntegerField(default=0)
    review_every_months = models.PositiveSmallIntegerField(_("review every (months)"), default=3)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="uniq_plan_per_workspace")
        ]

    def __str__(self) -> str:
        return self.title


class PlanVersion(WorkspaceScopedModel):
    """A saved version of the plan: the whole plan as it stood (objectives, strategies,
    tactics, goals), frozen, with a note saying what changed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.CharField(_("Note"), max_length=300, blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="uniq_plan_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} v{self.number}"


class ObjectiveKind(models.TextChoices):
    GROW_REVENUE = "grow_revenue", _("Grow revenue (new customers times annual value)")
    REDUCE_COST = "reduce_cost", _("Reduce cost")
    RETAIN = "retain", _("Keep customers (retention)")
    OTHER = "other", _("Other")


class Objective(WorkspaceScopedModel):
    """A business objective, quantified: ``new_customers`` times ``customer_value`` (a year's value
    of a customer: the calculator fills it from the KPI registry) for revenue, or
    ``cost_reduced``; the money in ``currency``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="objectives")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ObjectiveKind.choices, default=ObjectiveKind.OTHER
    )
    new_customers = models.PositiveIntegerField(_("new customers"), null=True, blank=True)
    customer_value = models.DecimalField(
        _("annual value per customer"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    cost_reduced = models.DecimalField(
        _("cost reduced"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("deadline"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def target_value(self) -> Decimal | None:
        """What the objective is worth: new customers times their annual value, or the cost
        reduced (None when not quantified)."""
        if self.kind == ObjectiveKind.REDUCE_COST:
            return self.cost_reduced
        if self.new_customers is not None and self.customer_value is not None:
            return self.customer_value * self.new_customers
        return None


class Function(models.TextChoices):
    MARKETING = "marketing", _("Marketing")
    SALES = "sales", _("Sales")
    SERVICE = "service", _("Service")
    MANAGEMENT = "management", _("Management")


class Strategy(WorkspaceScopedModel):
    """How one function serves an objective."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="strategies")
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return self.title


class TacticStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("In progress")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Tactic(WorkspaceScopedModel):
    """A concrete action under a strategy: who owns it, its budget in money and hours, its
    dates and status. Goals hang from tactics (a goal without one is an orphan)."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="tactics")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "workspaces.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    budget_amount = models.DecimalField(
        _("budget"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_currency = models.CharField(_("currency"), max_length=3, blank=True)
    budget_hours = models.DecimalField(
        _("budget (hours)"), max_digits=9, decimal_places=1, null=True, blank=True
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=TacticStatus.choices, default=TacticStatus.PLANNED
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class TacticSpend(WorkspaceScopedModel):
    """Money and/or hours spent on a tactic on a day (against its budget)."""

    tactic = models.ForeignKey(Tactic, on_delete=models.CASCADE, related_name="spend")
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=9, decimal_places=1, null=True, blank=True)
    note = models.CharField(_("Note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-spent_on", "-id"]

    def __str__(self) -> str:
        return f"{self.tactic_id} {self.spent_on}: {self.amount} {self.currency} {self.hours}h"
