"""Who is acting, in which workspace, and from where: passed explicitly to every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from vinculo.core.tenancy import User, Workspace


class Source(models.TextChoices):
    """Where a change came from; shown in the audit log."""

    UI = "ui", _("Web app")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    AUTOMATION = "automation", _("Automation")
    CLI = "cli", _("Command line")
    SYSTEM = "system", _("System")


@dataclass(frozen=True)
class Actor:
    """A user (or the system) acting inside one workspace.

    ``role`` is the user's membership role in ``workspace``; ``None`` for the system. The
    permission matrix in ``vinculo.core.permissions`` decides what the role may do.
    """

    workspace: Workspace
    user: User | None
    role: str | None
    source: str = Source.SYSTEM
    ip: str | None = None
    token_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_system(self) -> bool:
        return self.user is None

    @classmethod
    def system(cls, workspace: Workspace, source: str = Source.SYSTEM) -> Actor:
        return cls(workspace=workspace, user=None, role=None, source=source)


def actor_of(request: Any) -> Actor:
    """The actor the API's authentication step resolved; every endpoint starts here."""
    return request.actor
