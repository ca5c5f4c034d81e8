"""Tenants, people who log in, their memberships and roles, teams and API tokens.

Tenancy is the floor every app stands on, so its tables live in ``core``; they keep the
``workspaces`` app label (their migrations, table names and ``AUTH_USER_MODEL`` are that app's),
and ``vinculo.workspaces`` is the app that manages them (sign-up, invitations, members, tokens).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vinculo.core.models import WorkspaceScopedModel


class Role(models.TextChoices):
    OWNER = "owner", pgettext_lazy("workspace role", "Owner")
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    SALES_REP = "sales_rep", _("Sales rep")
    SUPPORT_AGENT = "support_agent", _("Support agent")
    MARKETER = "marketer", _("Marketer")
    VIEWER = "viewer", _("Viewer")


class Workspace(models.Model):
    """One business using Vínculo: the tenant every domain row belongs to."""

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    default_currency = models.CharField(_("default currency"), max_length=3, default="BRL")
    locale = models.CharField(_("language"), max_length=10, default="pt-br")
    timezone = models.CharField(_("time zone"), max_length=64, default="America/Sao_Paulo")
    country = models.CharField(_("country"), max_length=2, default="BR")
    # Members must sign in with a second factor (TOTP); those without one enrol after password.
    require_two_factor = models.BooleanField(_("require two-factor sign-in"), default=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        app_label = "workspaces"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("users need an email")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in (by email). Identity is global; access is per workspace."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Empty: follow the workspace."),
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # A one-time password (createworkspace): every page leads to the change screen until the
    # user picks their own, and it stops working at ``password_expires_at``.
    must_change_password = models.BooleanField(default=False)
    password_expires_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        app_label = "workspaces"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name or self.email).split(" ")[0]


class Membership(WorkspaceScopedModel):
    """A user's access to one workspace, with one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    is_active = models.BooleanField(default=True)

    class Meta:
        app_label = "workspaces"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="uniq_membership")
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace_id} ({self.role})"


class Team(WorkspaceScopedModel):
    """A group of members (sales team São Paulo, support level 1…)."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(
        User, through="TeamMember", through_fields=("team", "user"), related_name="teams"
    )

    class Meta:
        app_label = "workspaces"
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_team_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMember(WorkspaceScopedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="team_members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")

    class Meta:
        app_label = "workspaces"
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="uniq_team_member")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"


class ApiToken(WorkspaceScopedModel):
    """A bearer token acting as ``user`` inside one workspace. Only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "workspaces"
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class Invitation(WorkspaceScopedModel):
    """An offer of a role in a workspace to an email address, accepted through a secret link.

    Only a SHA-256 of the link's token is stored. Accepting needs the invited address: a
    signed-in user with that email, or a new user who sets their password on the link's page.
    """

    email = models.EmailField(_("email"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "workspaces"
        ordering = ["-pk"]
        indexes = [models.Index(fields=["workspace", "email"], name="invitation_ws_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.workspace_id} ({self.role})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
