"""The dashboards' tables: a dashboard (shared with the workspace, a team, or one person's own)
and its widgets in order."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from vinculo.core.models import WorkspaceScopedModel


class DashboardScope(models.TextChoices):
    WORKSPACE = "workspace", _("Workspace")
    TEAM = "team", _("Team")
    PERSONAL = "personal", _("Personal")


class WidgetKind(models.TextChoices):
    NUMBER = "number", _("Number")
    LINE = "line", _("Line chart")
    BAR = "bar", _("Bar chart")
    AREA = "area", _("Area chart")
    FUNNEL = "funnel", _("Pipeline funnel")
    LEADERBOARD = "leaderboard", _("Leaderboard")
    TABLE = "table", _("Table")
    COHORT = "cohort", _("Cohort heat map")


class Dashboard(WorkspaceScopedModel):
    """A page of widgets. ``name`` is blank for a default dashboard (``kind``: sales, marketing,
    service, management), whose name is said in the reader's language."""

    name = models.CharField(_("name"), max_length=120, blank=True)
    kind = models.CharField(max_length=30, blank=True)
    scope = models.CharField(
        max_length=10, choices=DashboardScope.choices, default=DashboardScope.WORKSPACE
    )
    team = models.ForeignKey(
        "workspaces.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(default=False)

    class Meta:
        app_label = "insights"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["workspace", "scope", "position"])]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "kind"],
                condition=models.Q(is_default=True),
                name="uniq_default_dashboard_kind",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.kind


class Widget(WorkspaceScopedModel):
    """One tile of a dashboard: ``kind`` of ``kpi`` (blank for the funnel and the cohort heat
    map), cut by ``filters`` (``segment`` and ``segment_object``, ``pipeline_id``, ``owner_id``,
    ``team_id``, ``source``, ``lifecycle_stage``), at ``grain`` over the ``period`` preset,
    ``width`` columns of four. A cohort heat map's ``basis`` is a cohort report's
    (:func:`vinculo.core.reports.cohort_bases`: ``purchases``, ``lifecycle``); blank otherwise."""

    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    kind = models.CharField(max_length=20, choices=WidgetKind.choices)
    kpi = models.CharField(max_length=60, blank=True)
    basis = models.CharField(max_length=30, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    grain = models.CharField(max_length=10, default="week")
    period = models.CharField(max_length=20, default="last_30")
    group_by = models.CharField(max_length=30, blank=True)
    limit = models.PositiveSmallIntegerField(default=5)
    width = models.PositiveSmallIntegerField(default=1)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "insights"
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["dashboard", "position"])]

    def __str__(self) -> str:
        return self.title or f"{self.kind} {self.kpi}".strip()


class DashboardSettings(WorkspaceScopedModel):
    """The workspace's dashboard settings (one row at most; none means the defaults).
    ``show_leaderboards``: leaderboard widgets rank members by name, so they are opt-in: off
    until someone who manages dashboards turns them on; while off, they show a note instead."""

    show_leaderboards = models.BooleanField(_("show leaderboards"), default=False)

    class Meta:
        app_label = "insights"
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="uniq_dashboard_settings")
        ]

    def __str__(self) -> str:
        return f"dashboard settings of {self.workspace_id}"
