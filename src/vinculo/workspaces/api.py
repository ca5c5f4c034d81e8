"""API: the current user and workspace, members, teams and API tokens."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.permissions import permissions_of
from vinculo.core.schemas import ERRORS, Id, PageOut
from vinculo.core.tenancy import ApiToken, Invitation, Membership, Role, Team, User, Workspace
from vinculo.workspaces import invitations, selectors, services

router = Router(tags=["workspace"])


class PageQuery(Schema):
    cursor: str | None = Field(None, description="Opaque cursor from `next_cursor`.")
    limit: int = Field(50, ge=1, le=200)


class UserOut(Schema):
    id: int
    email: str
    full_name: str
    language: str


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    default_currency: str
    locale: str
    timezone: str
    country: str
    created_at: datetime


class WorkspaceIn(Schema):
    name: str | None = None
    default_currency: str | None = Field(None, examples=["BRL"])
    locale: str | None = Field(None, examples=["pt-br"])
    timezone: str | None = Field(None, examples=["America/Sao_Paulo"])
    country: str | None = Field(None, examples=["BR"])


class WorkspaceChoice(Schema):
    id: int
    slug: str
    name: str
    role: Role


class MeOut(Schema):
    user: UserOut
    workspace: WorkspaceOut
    role: Role
    permissions: list[str]
    workspaces: list[WorkspaceChoice]


class MemberOut(Schema):
    id: int
    user: UserOut
    role: Role
    is_active: bool
    created_at: datetime


class MemberIn(Schema):
    email: str
    role: Role = Role.VIEWER
    full_name: str = ""


class InvitationOut(Schema):
    id: int
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime


class InvitationCreated(InvitationOut):
    emailed: bool = Field(description="True when the link was sent by email (SMTP set up).")
    accept_url: str | None = Field(
        None,
        description="The link to pass on to the invitee when it was not emailed: shown once.",
    )


class MemberPatch(Schema):
    role: Role


class TeamOut(Schema):
    id: int
    name: str
    description: str
    lead_id: int | None
    member_ids: list[int]
    created_at: datetime


class TeamIn(Schema):
    name: str
    description: str = ""
    lead_id: Id | None = None


class TeamPatch(Schema):
    name: str | None = None
    description: str | None = None
    lead_id: Id | None = None


class TeamMemberIn(Schema):
    user_id: Id


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    user_id: int
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenIn(Schema):
    name: str
    expires_at: datetime | None = None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret token: shown once, store it now.")


def _user(user: User) -> dict[str, object]:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
    }


def _member(m: Membership) -> dict[str, object]:
    return {
        "id": m.pk,
        "user": _user(m.user),
        "role": m.role,
        "is_active": m.is_active,
        "created_at": m.created_at,
    }


def _team(team: Team) -> dict[str, object]:
    return {
        "id": team.pk,
        "name": team.name,
        "description": team.description,
        "lead_id": team.lead_id,
        "member_ids": [seat.user_id for seat in team.team_members.all()],
        "created_at": team.created_at,
    }


def _token(token: ApiToken) -> dict[str, object]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "user_id": token.user_id,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response={200: MeOut, **ERRORS}, summary="The caller, their workspace and role")
def me(request: HttpRequest) -> dict[str, object]:
    actor = actor_of(request)
    assert actor.user is not None  # noqa: S101 (authentication guarantees a user)
    choices = [
        {"id": m.workspace_id, "slug": m.workspace.slug, "name": m.workspace.name, "role": m.role}
        for m in selectors.memberships_of(actor.user)
    ]
    return {
        "user": _user(actor.user),
        "workspace": actor.workspace,
        "role": actor.role,
        "permissions": sorted(permissions_of(actor.role)),
        "workspaces": choices,
    }


@router.get("/workspace", response={200: WorkspaceOut, **ERRORS})
def get_workspace(request: HttpRequest) -> Workspace:
    return actor_of(request).workspace


@router.patch("/workspace", response={200: WorkspaceOut, **ERRORS})
def patch_workspace(request: HttpRequest, payload: WorkspaceIn) -> Workspace:
    return services.update_workspace(
        actor=actor_of(request), data=payload.model_dump(exclude_unset=True)
    )


@router.get("/members", response={200: PageOut[MemberOut], **ERRORS})
def list_members(request: HttpRequest, page: Query[PageQuery]) -> dict[str, object]:
    result = paginate(
        selectors.members(actor_of(request)), cursor=page.cursor, limit=page.limit, order="pk"
    )
    return {"items": [_member(m) for m in result.items], "next_cursor": result.next_cursor}


def _invitation(invitation: Invitation) -> dict[str, object]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


@router.post(
    "/members",
    response={201: InvitationCreated, **ERRORS},
    summary="Invite someone to the workspace",
    description=(
        "Creates an invitation: the invitee becomes a member when they open its link and accept "
        "(signed in with the invited address, or setting a password when new). The answer is the "
        "same whether or not the address is registered. With SMTP set up the link is emailed; "
        "otherwise `accept_url` is returned once, to pass on. 409 when already a member."
    ),
)
def add_member(request: HttpRequest, payload: MemberIn) -> Status[dict[str, object]]:
    new = invitations.invite_member(
        actor=actor_of(request), email=payload.email, role=payload.role, full_name=payload.full_name
    )
    return Status(
        201,
        {
            **_invitation(new.invitation),
            "emailed": new.emailed,
            "accept_url": None if new.emailed else new.url,
        },
    )


@router.get("/invitations", response={200: PageOut[InvitationOut], **ERRORS})
def list_invitations(request: HttpRequest, page: Query[PageQuery]) -> dict[str, object]:
    result = paginate(
        invitations.pending_invitations(actor_of(request)),
        cursor=page.cursor,
        limit=page.limit,
        order="-pk",
    )
    return {"items": [_invitation(i) for i in result.items], "next_cursor": result.next_cursor}


@router.delete(
    "/invitations/{invitation_id}", response={204: None, **ERRORS}, summary="Withdraw an invitation"
)
def revoke_invitation(request: HttpRequest, invitation_id: Id) -> Status[None]:
    invitations.revoke_invitation(actor=actor_of(request), invitation_id=invitation_id)
    return Status(204, None)


@router.get("/members/{member_id}", response={200: MemberOut, **ERRORS})
def get_member(request: HttpRequest, member_id: Id) -> dict[str, object]:
    return _member(selectors.get_member(actor_of(request), member_id))


@router.patch("/members/{member_id}", response={200: MemberOut, **ERRORS})
def patch_member(request: HttpRequest, member_id: Id, payload: MemberPatch) -> dict[str, object]:
    membership = services.change_member_role(
        actor=actor_of(request), membership_id=member_id, role=payload.role
    )
    return _member(membership)


@router.delete("/members/{member_id}", response={204: None, **ERRORS})
def remove_member(request: HttpRequest, member_id: Id) -> Status[None]:
    services.remove_member(actor=actor_of(request), membership_id=member_id)
    return Status(204, None)


@router.get("/teams", response={200: PageOut[TeamOut], **ERRORS})
def list_teams(request: HttpRequest, page: Query[PageQuery]) -> dict[str, object]:
    result = paginate(
        selectors.teams(actor_of(request)), cursor=page.cursor, limit=page.limit, order="pk"
    )
    return {"items": [_team(t) for t in result.items], "next_cursor": result.next_cursor}


@router.post("/teams", response={201: TeamOut, **ERRORS})
def create_team(request: HttpRequest, payload: TeamIn) -> Status[dict[str, object]]:
    actor = actor_of(request)
    team = services.create_team(actor=actor, data=payload.model_dump())
    return Status(201, _team(selectors.get_team(actor, team.pk)))


@router.get("/teams/{team_id}", response={200: TeamOut, **ERRORS})
def get_team(request: HttpRequest, team_id: Id) -> dict[str, object]:
    return _team(selectors.get_team(actor_of(request), team_id))


@router.patch("/teams/{team_id}", response={200: TeamOut, **ERRORS})
def patch_team(request: HttpRequest, team_id: Id, payload: TeamPatch) -> dict[str, object]:
    actor = actor_of(request)
    services.update_team(actor=actor, team_id=team_id, data=payload.model_dump(exclude_unset=True))
    return _team(selectors.get_team(actor, team_id))


@router.delete("/teams/{team_id}", response={204: None, **ERRORS})
def delete_team(request: HttpRequest, team_id: Id) -> Status[None]:
    services.delete_team(actor=actor_of(request), team_id=team_id)
    return Status(204, None)


@router.post("/teams/{team_id}/members", response={201: TeamOut, **ERRORS})
def add_team_member(
    request: HttpRequest, team_id: Id, payload: TeamMemberIn
) -> Status[dict[str, object]]:
    actor = actor_of(request)
    services.add_team_member(actor=actor, team_id=team_id, user_id=payload.user_id)
    return Status(201, _team(selectors.get_team(actor, team_id)))


@router.delete("/teams/{team_id}/members/{user_id}", response={204: None, **ERRORS})
def remove_team_member(request: HttpRequest, team_id: Id, user_id: Id) -> Status[None]:
    services.remove_team_member(actor=actor_of(request), team_id=team_id, user_id=user_id)
    return Status(204, None)


@router.get("/tokens", response={200: PageOut[TokenOut], **ERRORS})
def list_tokens(request: HttpRequest, page: Query[PageQuery]) -> dict[str, object]:
    result = paginate(
        selectors.api_tokens(actor_of(request)), cursor=page.cursor, limit=page.limit, order="-pk"
    )
    return {"items": [_token(t) for t in result.items], "next_cursor": result.next_cursor}


@router.post("/tokens", response={201: TokenCreated, **ERRORS})
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    new = services.create_api_token(
        actor=actor_of(request), name=payload.name, expires_at=payload.expires_at
    )
    return Status(201, {**_token(new.token), "token": new.plaintext})


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="Revoke a token")
def revoke_token(request: HttpRequest, token_id: Id) -> dict[str, object]:
    return _token(services.revoke_api_token(actor=actor_of(request), token_id=token_id))
