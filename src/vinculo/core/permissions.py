"""The permission matrix: what each role may do. Services call :func:`require`.

One table, read by services (enforcement), the API (``/me`` lists the actor's permissions) and
the UI (to hide what the user cannot do). Later capabilities add their permissions here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.core.actor import Actor
from vinculo.core.errors import PermissionDenied
from vinculo.core.tenancy import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# permission → human description (used in 403 messages: "Your role … cannot <description>.")
PERMISSIONS: dict[str, StrOrPromise] = {
    "workspace.view": gettext_lazy("view the workspace"),
    "workspace.manage": gettext_lazy("change the workspace settings"),
    "members.view": gettext_lazy("see the members"),
    "members.manage": gettext_lazy("add, change or remove members"),
    "owners.manage": gettext_lazy("grant or remove the owner role"),
    "teams.manage": gettext_lazy("create or change teams"),
    "tokens.create": gettext_lazy("create API tokens"),
    "tokens.manage": gettext_lazy("manage everyone's API tokens"),
    "audit.view": gettext_lazy("read the audit log"),
    "outbox.manage": gettext_lazy("inspect and retry event deliveries"),
    "webhooks.manage": gettext_lazy("create or change webhooks and read their delivery log"),
    "records.view": gettext_lazy("see customer records"),
    "records.write": gettext_lazy("create or change customer records"),
    "records.delete": gettext_lazy("delete customer records"),
    "deals.write": gettext_lazy("create or change deals"),
    "activities.write": gettext_lazy("log activities and tasks"),
    "tickets.write": gettext_lazy("create or change tickets"),
    "marketing.write": gettext_lazy("create or send campaigns"),
    "automation.manage": gettext_lazy("create or change workflows"),
    "settings.manage": gettext_lazy("change pipelines, fields and other settings"),
    "data.import": gettext_lazy("import data"),
    "data.export": gettext_lazy("export data"),
    "insights.view": gettext_lazy("see reports and dashboards"),
    "dashboards.write": gettext_lazy("change the dashboards of their teams"),
    "dashboards.manage": gettext_lazy("change the workspace's dashboards"),
    "strategy.manage": gettext_lazy("change goals and the strategy plan"),
    # Owners and admins only (the matrix below grants them every permission).
    "privacy.manage": gettext_lazy("handle data-subject requests and privacy settings"),
    "privacy.erase": gettext_lazy("erase a person's data for good"),
}

# Viewers may hold API tokens: a read-only token is how BI tools read the CRM.
_VIEW = {"workspace.view", "members.view", "records.view", "insights.view", "tokens.create"}
_WORK = _VIEW | {"activities.write", "data.export", "dashboards.write"}

MATRIX: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(PERMISSIONS),
    Role.ADMIN: frozenset(PERMISSIONS) - {"owners.manage"},
    Role.MANAGER: frozenset(
        _WORK
        | {
            "teams.manage",
            "audit.view",
            "records.write",
            "records.delete",
            "deals.write",
            "tickets.write",
            "marketing.write",
            "automation.manage",
            "data.import",
            "strategy.manage",
            "dashboards.manage",
        }
    ),
    Role.SALES_REP: frozenset(_WORK | {"records.write", "deals.write", "data.import"}),
    Role.SUPPORT_AGENT: frozenset(_WORK | {"records.write", "tickets.write"}),
    Role.MARKETER: frozenset(_WORK | {"records.write", "marketing.write", "data.import"}),
    Role.VIEWER: frozenset(_VIEW),
}


def permissions_of(role: str | None) -> frozenset[str]:
    """Every permission of ``role``; the system actor (``None``) may do everything."""
    if role is None:
        return frozenset(PERMISSIONS)
    return MATRIX.get(role, frozenset())


def can(actor: Actor, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return permission in permissions_of(actor.role)


def require(actor: Actor, permission: str) -> None:
    """Raise :class:`PermissionDenied` with a message naming the role and the refused action."""
    if not can(actor, permission):
        role_label = Role(actor.role).label if actor.role in Role.values else actor.role
        raise PermissionDenied(
            _("Your role (%(role)s) cannot %(action)s.")
            % {"role": role_label, "action": PERMISSIONS[permission]}
        )
