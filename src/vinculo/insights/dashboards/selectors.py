"""Reads of dashboards: the ones an actor sees (the workspace's, their teams', their own), one
dashboard or widget (404 for another workspace's or one the actor cannot see), and whether the
actor may change one. Reads never write."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import can, require
from vinculo.core.tenancy import TeamMember
from vinculo.insights.dashboards.catalogue import DEFAULT_NAMES
from vinculo.insights.dashboards.models import (
    Dashboard,
    DashboardScope,
    DashboardSettings,
    Widget,
)


def team_ids(actor: Actor) -> set[int]:
    """The teams the actor belongs to."""
    if actor.user is None:
        return set()
    return set(
        TeamMember.objects.for_workspace(actor.workspace)
        .filter(user_id=actor.user.pk)
        .values_list("team_id", flat=True)
    )


def dashboards(actor: Actor) -> QuerySet[Dashboard]:
    """What the actor sees: every workspace dashboard, the dashboards of their teams (all teams'
    for those who manage dashboards) and their own personal ones."""
    require(actor, "insights.view")
    qs = Dashboard.objects.for_workspace(actor.workspace)
    if actor.is_system:
        return qs
    seen = Q(scope=DashboardScope.WORKSPACE) | Q(scope=DashboardScope.PERSONAL, owner=actor.user)
    if can(actor, "dashboards.manage"):
        seen |= Q(scope=DashboardScope.TEAM)
    else:
        seen |= Q(scope=DashboardScope.TEAM, team_id__in=team_ids(actor))
    return qs.filter(seen).select_related("team").order_by("scope", "position", "id")


def get_dashboard(actor: Actor, dashboard_id: int) -> Dashboard:
    found = dashboards(actor).filter(pk=dashboard_id).first()
    if found is None:
        raise NotFound(_("No dashboard %(id)s in this workspace.") % {"id": dashboard_id})
    return found


def widgets(actor: Actor, dashboard: Dashboard) -> list[Widget]:
    return list(Widget.objects.for_workspace(actor.workspace).filter(dashboard=dashboard))


def widgets_of(actor: Actor, found: list[Dashboard]) -> dict[int, list[Widget]]:
    """The widgets of ``found`` per dashboard, in one query."""
    by_dashboard: dict[int, list[Widget]] = {d.pk: [] for d in found}
    for w in Widget.objects.for_workspace(actor.workspace).filter(dashboard__in=found):
        by_dashboard[w.dashboard_id].append(w)
    return by_dashboard


def get_widget(actor: Actor, dashboard_id: int, widget_id: int) -> Widget:
    dashboard = get_dashboard(actor, dashboard_id)
    found = (
        Widget.objects.for_workspace(actor.workspace)
        .filter(dashboard=dashboard, pk=widget_id)
        .select_related("dashboard")
        .first()
    )
    if found is None:
        raise NotFound(_("No widget %(id)s on this dashboard.") % {"id": widget_id})
    return found


def may_edit(actor: Actor, dashboard: Dashboard, teams: set[int] | None = None) -> bool:
    """Workspace dashboards: those who manage dashboards (managers, admins, owners); a team's:
    its members who may change dashboards, and managers; a personal one: its owner. ``teams``:
    the actor's teams when the caller already has them (a list asks once)."""
    if actor.is_system:
        return True
    if dashboard.scope == DashboardScope.PERSONAL:
        return actor.user is not None and dashboard.owner_id == actor.user.pk
    if can(actor, "dashboards.manage"):
        return True
    if dashboard.scope == DashboardScope.TEAM:
        mine = team_ids(actor) if teams is None else teams
        return can(actor, "dashboards.write") and dashboard.team_id in mine
    return False


def name_of(dashboard: Dashboard) -> str:
    """The name the reader reads: a default dashboard's in the reader's language."""
    if dashboard.name:
        return dashboard.name
    return str(DEFAULT_NAMES.get(dashboard.kind, dashboard.kind))


def leaderboards_shown(actor: Actor) -> bool:
    """Whether the workspace shows its leaderboard widgets (off until turned on)."""
    found = (
        DashboardSettings.objects.for_workspace(actor.workspace)
        .values_list("show_leaderboards", flat=True)
        .first()
    )
    return bool(found)


def dashboard_settings(actor: Actor) -> bool:
    """``show_leaderboards`` for those who see insights."""
    require(actor, "insights.view")
    return leaderboards_shown(actor)
