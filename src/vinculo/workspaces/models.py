"""The workspaces app's tables are declared in :mod:`vinculo.core.tenancy` (the floor); Django
finds an app's models through this module, so it names them."""

from vinculo.core.tenancy import (
    ApiToken,
    Invitation,
    Membership,
    Role,
    Team,
    TeamMember,
    User,
    Workspace,
)

__all__ = [
    "ApiToken",
    "Invitation",
    "Membership",
    "Role",
    "Team",
    "TeamMember",
    "User",
    "Workspace",
]
