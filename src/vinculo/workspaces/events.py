"""Domain events of the workspaces app: their payload schemas and examples."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.core.event_types import Changes, EventType, Payload, register_event_types
from vinculo.core.tenancy import Role


class WorkspaceCreated(Payload):
    name: str
    slug: str
    owner: str = Field(description="The first owner's email address.")


class Updated(Payload):
    changes: Changes


class MemberInvited(Payload):
    email: str
    role: Role


class MemberAdded(Payload):
    user_id: int
    email: str
    role: Role


class MemberRoleChanged(Payload):
    user_id: int
    old_role: Role
    role: Role


class MemberRemoved(Payload):
    user_id: int
    email: str


class TeamNamed(Payload):
    name: str


class TeamMember(Payload):
    user_id: int


class TokenCreated(Payload):
    name: str
    prefix: str = Field(description="The token's public prefix (vk_<prefix>_…).")


class TokenRevoked(Payload):
    prefix: str


register_event_types(
    EventType(
        "workspace.created",
        gettext_noop("A workspace was created with its first owner."),
        WorkspaceCreated,
        example={"name": "Padaria Aurora", "slug": "padaria-aurora", "owner": "ana@aurora.com.br"},
    ),
    EventType(
        "workspace.updated",
        gettext_noop("Workspace settings changed."),
        Updated,
        example={"changes": {"time_zone": ["America/Sao_Paulo", "America/Manaus"]}},
    ),
    EventType(
        "member.invited",
        gettext_noop("An email address was invited to join the workspace."),
        MemberInvited,
        example={"email": "bruno@aurora.com.br", "role": "sales_rep"},
    ),
    EventType(
        "member.added",
        gettext_noop("A user joined the workspace."),
        MemberAdded,
        example={"user_id": 7, "email": "bruno@aurora.com.br", "role": "sales_rep"},
    ),
    EventType(
        "member.role_changed",
        gettext_noop("A member's role changed."),
        MemberRoleChanged,
        example={"user_id": 7, "old_role": "sales_rep", "role": "manager"},
    ),
    EventType(
        "member.removed",
        gettext_noop("A member lost access to the workspace."),
        MemberRemoved,
        example={"user_id": 7, "email": "bruno@aurora.com.br"},
    ),
    EventType(
        "team.created",
        gettext_noop("A team was created."),
        TeamNamed,
        example={"name": "Vendas Sul"},
    ),
    EventType(
        "team.updated",
        gettext_noop("A team was renamed or changed."),
        Updated,
        example={"changes": {"name": ["Vendas Sul", "Vendas Sul e Sudeste"]}},
    ),
    EventType(
        "team.deleted",
        gettext_noop("A team was deleted."),
        TeamNamed,
        example={"name": "Vendas Sul"},
    ),
    EventType(
        "team.member_added",
        gettext_noop("A member joined a team."),
        TeamMember,
        example={"user_id": 7},
    ),
    EventType(
        "team.member_removed",
        gettext_noop("A member left a team."),
        TeamMember,
        example={"user_id": 7},
    ),
    EventType(
        "token.created",
        gettext_noop("An API token was created."),
        TokenCreated,
        example={"name": "ERP sync", "prefix": "3f9a1c0b7d2e"},
    ),
    EventType(
        "token.revoked",
        gettext_noop("An API token was revoked."),
        TokenRevoked,
        example={"prefix": "3f9a1c0b7d2e"},
    ),
)
