"""Reads shared by the UI and the API, always scoped to the actor's workspace."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from vinculo.core.actor import Actor, Source
from vinculo.core.errors import NotFound
from vinculo.core.permissions import can, require
from vinculo.core.tenancy import ApiToken, Membership, Team, TeamMember, User, Workspace


def memberships_of(user: User) -> QuerySet[Membership]:
    """The workspaces a user may enter (active memberships), by workspace name."""
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("workspace")
        .order_by("workspace__name")
    )


def actor_for(
    user: User,
    workspace: Workspace | int | str | None,
    *,
    source: str = Source.UI,
    ip: str | None = None,
    token_id: int | None = None,
) -> Actor | None:
    """The actor for ``user`` in ``workspace`` (id, slug or instance; None: the first one).

    None when the user is not an active member there: callers answer 404, never the data.
    """
    memberships = memberships_of(user)
    if isinstance(workspace, Workspace):
        memberships = memberships.filter(workspace=workspace)
    elif isinstance(workspace, int) or (isinstance(workspace, str) and workspace.isdigit()):
        memberships = memberships.filter(workspace_id=int(workspace))
    elif isinstance(workspace, str) and workspace:
        memberships = memberships.filter(workspace__slug=workspace)
    membership = memberships.first()
    if membership is None:
        return None
    return Actor(
        workspace=membership.workspace,
        user=user,
        role=membership.role,
        source=source,
        ip=ip,
        token_id=token_id,
    )


def active_member_ids(workspace: Workspace) -> set[int]:
    """Ids of the users who may own or be assigned records in ``workspace``: an active
    membership of an active user. Every service that validates an owner or assignee asks here."""
    return set(
        Membership.objects.for_workspace(workspace)
        .filter(is_active=True, user__is_active=True)
        .values_list("user_id", flat=True)
    )


def members(actor: Actor) -> QuerySet[Membership]:
    require(actor, "members.view")
    return Membership.objects.for_workspace(actor.workspace).select_related("user")


def get_member(actor: Actor, membership_id: int) -> Membership:
    membership = members(actor).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound(f"No member with id {membership_id}.")
    return membership


def teams(actor: Actor) -> QuerySet[Team]:
    require(actor, "members.view")
    seats = TeamMember.objects.select_related("user").order_by("user__email")
    return (
        Team.objects.for_workspace(actor.workspace)
        .select_related("lead")
        .prefetch_related(Prefetch("team_members", queryset=seats))
    )


def get_team(actor: Actor, team_id: int) -> Team:
    team = teams(actor).filter(pk=team_id).first()
    if team is None:
        raise NotFound(f"No team with id {team_id}.")
    return team


def api_tokens(actor: Actor) -> QuerySet[ApiToken]:
    """The actor's own tokens; every token of the workspace for roles with ``tokens.manage``."""
    tokens = ApiToken.objects.for_workspace(actor.workspace).select_related("user")
    if not can(actor, "tokens.manage"):
        tokens = tokens.filter(user=actor.user)
    return tokens
