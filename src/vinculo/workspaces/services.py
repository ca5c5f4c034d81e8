"""Every write on workspaces, members, teams and API tokens.

Each service runs in one transaction: check permission, validate, write, audit, emit event.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import phonenumbers
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vinculo.core import audit, workspace_defaults
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import Conflict, FieldError, NotFound, ValidationFailed, collect
from vinculo.core.events import emit
from vinculo.core.permissions import require
from vinculo.core.tenancy import ApiToken, Membership, Role, Team, TeamMember, User, Workspace
from vinculo.core.text import name_taken
from vinculo.core.validators import clean_long_text

TOKEN_PREFIX = "vk"  # noqa: S105 (a public marker, not a secret)
# last_used_at is written at most this often per token, so reads stay reads.
TOKEN_TOUCH_INTERVAL = timedelta(seconds=60)

_KNOWN_CURRENCIES = {
    "BRL", "USD", "EUR", "GBP", "ARS", "CLP", "COP", "MXN", "PEN", "UYU", "PYG", "BOB",
    "CAD", "AUD", "JPY", "CNY", "CHF",
}  # fmt: skip


# --- validation -----------------------------------------------------------------------------


def _clean_email(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed.field(
            field, _("Enter a valid email address."), "invalid_email"
        ) from None
    return email


def validate_workspace_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Clean the editable workspace fields; raise one error listing every bad field."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name:
            errors.append(FieldError("name", _("The name cannot be empty."), "required"))
        elif len(name) > 120:
            errors.append(FieldError("name", _("At most 120 characters."), "too_long"))
        cleaned["name"] = name
    if "default_currency" in data:
        currency = str(data["default_currency"] or "").strip().upper()
        if currency not in _KNOWN_CURRENCIES:
            errors.append(
                FieldError(
                    "default_currency",
                    _("Unknown currency %(code)r; use an ISO 4217 code such as BRL.")
                    % {"code": currency},
                    "invalid_choice",
                )
            )
        cleaned["default_currency"] = currency
    if "locale" in data:
        locale = str(data["locale"] or "").strip().lower()
        if locale not in dict(settings.LANGUAGES):
            errors.append(
                FieldError(
                    "locale",
                    _("Language must be one of: %(choices)s.")
                    % {"choices": ", ".join(dict(settings.LANGUAGES))},
                    "invalid_choice",
                )
            )
        cleaned["locale"] = locale
    if "timezone" in data:
        tz = str(data["timezone"] or "").strip()
        if tz not in zoneinfo.available_timezones():
            errors.append(
                FieldError(
                    "timezone",
                    _("Unknown time zone %(tz)r; use an IANA name such as America/Sao_Paulo.")
                    % {"tz": tz},
                    "invalid_choice",
                )
            )
        cleaned["timezone"] = tz
    if "require_two_factor" in data:
        cleaned["require_two_factor"] = data["require_two_factor"] in (True, "true", "on", "1")
    if "country" in data:
        # The country is the default region of national phone numbers (phones are stored E.164).
        country = str(data["country"] or "").strip().upper()
        if country not in phonenumbers.SUPPORTED_REGIONS:
            errors.append(
                FieldError(
                    "country",
                    _("Unknown country %(code)r; use a two-letter ISO code such as BR.")
                    % {"code": country},
                    "invalid_choice",
                )
            )
        cleaned["country"] = country
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), errors=errors)
    return cleaned


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationFailed.field(
            "role",
            _("Unknown role %(role)r; choose one of: %(choices)s.")
            % {"role": role, "choices": ", ".join(Role.values)},
            "invalid_choice",
        )
    return role


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _generated_password() -> str:
    return secrets.token_urlsafe(12)


# --- workspaces -----------------------------------------------------------------------------


@dataclass
class NewWorkspace:
    workspace: Workspace
    owner: User
    one_time_password: str | None


def create_workspace(
    *,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    owner_name: str = "",
    slug: str | None = None,
    source: str = Source.CLI,
    **fields: Any,
) -> NewWorkspace:
    """Create a workspace and its first owner (a new or existing user), with the defaults every
    app registered (:mod:`vinculo.core.workspace_defaults`: lifecycle stages, default pipeline…).

    When the owner is new and no password is given, one is generated and returned once.
    Refuses a bad email, a taken slug, invalid settings or a password the validators reject.
    """
    email = _clean_email(owner_email, "owner_email")
    cleaned = validate_workspace_fields({"name": name, **fields})
    if slug is not None:
        slug = slugify(slug)
        if not slug:
            raise ValidationFailed.field("slug", _("The slug cannot be empty."), "required")
        if Workspace.objects.filter(slug=slug).exists():
            raise Conflict(
                _("The slug %(slug)r is taken.") % {"slug": slug},
                errors=[FieldError("slug", _("This slug is taken."), "unique")],
            )
    with transaction.atomic():
        workspace = Workspace.objects.create(slug=slug or _unique_slug(cleaned["name"]), **cleaned)
        user = User.objects.filter(email=email).first()
        one_time = None
        if user is None:
            password = owner_password or _generated_password()
            _validate_new_password(password, email)
            user = User.objects.create_user(email, password, full_name=owner_name.strip())
            one_time = None if owner_password else password
            if one_time:
                _mark_one_time(user)
        elif owner_password:
            _validate_new_password(owner_password, email)
            user.set_password(owner_password)
            user.save(update_fields=["password"])
        Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
        actor = Actor(workspace=workspace, user=None, role=None, source=source)
        audit.record(actor, "workspace.created", workspace, changes={"owner": [None, email]})
        emit(
            "workspace.created",
            actor=actor,
            subject=workspace,
            payload={"name": workspace.name, "slug": workspace.slug, "owner": email},
        )
        workspace_defaults.make_defaults(actor)
    return NewWorkspace(workspace, user, one_time)


def _mark_one_time(user: User) -> None:
    """A generated password: changed at first sign-in, refused after ONE_TIME_PASSWORD_DAYS."""
    user.must_change_password = True
    user.password_expires_at = timezone.now() + timedelta(days=settings.ONE_TIME_PASSWORD_DAYS)
    user.save(update_fields=["must_change_password", "password_expires_at"])


def _validate_new_password(password: str, email: str) -> None:
    try:
        validate_password(password, User(email=email))
    except DjangoValidationError as exc:
        raise ValidationFailed(
            " ".join(exc.messages),
            errors=[FieldError("password", m, "weak_password") for m in exc.messages],
        ) from None


def update_workspace(*, actor: Actor, data: dict[str, Any]) -> Workspace:
    """Change name, currency, language, time zone or country of the actor's workspace."""
    require(actor, "workspace.manage")
    cleaned = validate_workspace_fields(data)
    if "require_two_factor" in cleaned:
        require(actor, "owners.manage")
    with transaction.atomic():
        workspace = Workspace.objects.select_for_update().get(pk=actor.workspace.pk)
        before = {k: getattr(workspace, k) for k in cleaned}
        changes = audit.diff(before, cleaned)
        if not changes:
            return workspace
        for key, value in cleaned.items():
            setattr(workspace, key, value)
        workspace.save(update_fields=list(cleaned))
        audit.record(actor, "workspace.updated", workspace, changes=changes)
        emit("workspace.updated", actor=actor, subject=workspace, payload={"changes": changes})
    return workspace


# --- members --------------------------------------------------------------------------------


@dataclass
class NewMember:
    membership: Membership
    one_time_password: str | None


def add_member(*, actor: Actor, email: str, role: str, full_name: str = "") -> NewMember:
    """Give a user (created when new, with a one-time password) a role in the workspace.

    Refuses a bad email or role, an existing member, and owner grants by non-owners. Trusted
    callers only (command line, demo data, tests): it adds an existing user without asking
    them, so the API and the screens invite instead (:mod:`vinculo.workspaces.invitations`).
    """
    require(actor, "members.manage")
    email = _clean_email(email)
    _check_role(role)
    if role == Role.OWNER:
        require(actor, "owners.manage")
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        one_time = None
        if user is None:
            one_time = _generated_password()
            user = User.objects.create_user(email, one_time, full_name=" ".join(full_name.split()))
            _mark_one_time(user)
        elif Membership.objects.filter(workspace=actor.workspace, user=user).exists():
            raise Conflict(
                _("%(email)s is already a member.") % {"email": email},
                errors=[FieldError("email", _("Already a member."), "unique")],
            )
        membership = Membership.objects.create(
            workspace=actor.workspace, user=user, role=role, created_by=actor.user
        )
        audit.record(actor, "member.added", membership, changes={"role": [None, role]})
        emit(
            "member.added",
            actor=actor,
            subject=membership,
            payload={"user_id": user.pk, "email": email, "role": role},
        )
    return NewMember(membership, one_time)


def _get_membership_for_update(actor: Actor, membership_id: int) -> Membership:
    membership = (
        Membership.objects.for_workspace(actor.workspace)
        .select_for_update()
        .select_related("user")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound(_("No member with id %(id)s.") % {"id": membership_id})
    return membership


def _owner_count(workspace: Workspace) -> int:
    return (
        Membership.objects.for_workspace(workspace).filter(role=Role.OWNER, is_active=True).count()
    )


def change_member_role(*, actor: Actor, membership_id: int, role: str) -> Membership:
    """Change a member's role. Only owners touch the owner role; the last owner stays owner."""
    require(actor, "members.manage")
    _check_role(role)
    with transaction.atomic():
        membership = _get_membership_for_update(actor, membership_id)
        old = membership.role
        if old == role:
            return membership
        if Role.OWNER in (old, role):
            require(actor, "owners.manage")
        if old == Role.OWNER and _owner_count(actor.workspace) <= 1:
            raise Conflict(
                _("A workspace needs at least one owner; make someone else owner first."),
                errors=[FieldError("role", _("This is the last owner."), "last_owner")],
            )
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        audit.record(actor, "member.role_changed", membership, changes={"role": [old, role]})
        emit(
            "member.role_changed",
            actor=actor,
            subject=membership,
            payload={"user_id": membership.user_id, "old_role": old, "role": role},
        )
    return membership


def remove_member(*, actor: Actor, membership_id: int) -> None:
    """Take a user's access away: membership, team seats and API tokens in this workspace."""
    require(actor, "members.manage")
    with transaction.atomic():
        membership = _get_membership_for_update(actor, membership_id)
        if membership.role == Role.OWNER:
            require(actor, "owners.manage")
            if _owner_count(actor.workspace) <= 1:
                raise Conflict(_("The last owner cannot be removed."))
        user_id = membership.user_id
        TeamMember.objects.for_workspace(actor.workspace).filter(user_id=user_id).delete()
        ApiToken.objects.for_workspace(actor.workspace).filter(
            user_id=user_id, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        audit.record(actor, "member.removed", membership, changes={"role": [membership.role, None]})
        emit(
            "member.removed",
            actor=actor,
            subject=membership,
            payload={"user_id": user_id, "email": membership.user.email},
        )
        membership.delete()


# --- teams ----------------------------------------------------------------------------------


def _clean_team(actor: Actor, data: dict[str, Any], team: Team | None = None) -> dict[str, Any]:
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    if "name" in data or team is None:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors.append(FieldError("name", _("The name cannot be empty."), "required"))
        elif len(name) > 120:
            errors.append(FieldError("name", _("At most 120 characters."), "too_long"))
        else:
            taken = Team.objects.for_workspace(actor.workspace)
            if team is not None:
                taken = taken.exclude(pk=team.pk)
            if name_taken(taken, name):
                errors.append(FieldError("name", _("A team with this name exists."), "unique"))
        cleaned["name"] = name
    if "description" in data:
        cleaned["description"] = collect(
            errors, clean_long_text, data["description"], "description"
        )
    if "lead_id" in data:
        lead_id = data["lead_id"]
        if lead_id is not None and not _is_member(actor.workspace, lead_id):
            errors.append(
                FieldError("lead_id", _("The lead must be a member of this workspace."), "invalid")
            )
        cleaned["lead_id"] = lead_id
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), errors=errors)
    return cleaned


def _is_member(workspace: Workspace, user_id: int) -> bool:
    return Membership.objects.for_workspace(workspace).filter(user_id=user_id).exists()


def create_team(*, actor: Actor, data: dict[str, Any]) -> Team:
    """Create a team; its name is unique in the workspace and its lead must be a member."""
    require(actor, "teams.manage")
    cleaned = _clean_team(actor, data)
    with transaction.atomic():
        team = Team.objects.create(workspace=actor.workspace, created_by=actor.user, **cleaned)
        audit.record(actor, "team.created", team, changes={"name": [None, team.name]})
        emit("team.created", actor=actor, subject=team, payload={"name": team.name})
    return team


def _get_team_for_update(actor: Actor, team_id: int) -> Team:
    team = (
        Team.objects.for_workspace(actor.workspace).select_for_update().filter(pk=team_id).first()
    )
    if team is None:
        raise NotFound(_("No team with id %(id)s.") % {"id": team_id})
    return team


def update_team(*, actor: Actor, team_id: int, data: dict[str, Any]) -> Team:
    """Rename a team or change its description or lead."""
    require(actor, "teams.manage")
    with transaction.atomic():
        team = _get_team_for_update(actor, team_id)
        cleaned = _clean_team(actor, data, team)
        changes = audit.diff({k: getattr(team, k) for k in cleaned}, cleaned)
        if not changes:
            return team
        for key, value in cleaned.items():
            setattr(team, key, value)
        team.save()
        audit.record(actor, "team.updated", team, changes=changes)
        emit("team.updated", actor=actor, subject=team, payload={"changes": changes})
    return team


def delete_team(*, actor: Actor, team_id: int) -> None:
    """Delete a team (its members keep their workspace access)."""
    require(actor, "teams.manage")
    with transaction.atomic():
        team = _get_team_for_update(actor, team_id)
        audit.record(actor, "team.deleted", team, changes={"name": [team.name, None]})
        emit("team.deleted", actor=actor, subject=team, payload={"name": team.name})
        team.delete()


def add_team_member(*, actor: Actor, team_id: int, user_id: int) -> TeamMember:
    """Seat a workspace member on a team; refuses non-members and repeats."""
    require(actor, "teams.manage")
    with transaction.atomic():
        team = _get_team_for_update(actor, team_id)
        if not _is_member(actor.workspace, user_id):
            raise ValidationFailed.field(
                "user_id", _("Only members of this workspace can join its teams."), "not_member"
            )
        if TeamMember.objects.filter(team=team, user_id=user_id).exists():
            raise Conflict(
                _("Already on this team."),
                errors=[FieldError("user_id", _("Already on this team."), "unique")],
            )
        seat = TeamMember.objects.create(
            workspace=actor.workspace, team=team, user_id=user_id, created_by=actor.user
        )
        audit.record(actor, "team.member_added", team, changes={"members": [None, user_id]})
        emit("team.member_added", actor=actor, subject=team, payload={"user_id": user_id})
    return seat


def remove_team_member(*, actor: Actor, team_id: int, user_id: int) -> None:
    require(actor, "teams.manage")
    with transaction.atomic():
        team = _get_team_for_update(actor, team_id)
        deleted, _rows = TeamMember.objects.filter(team=team, user_id=user_id).delete()
        if not deleted:
            raise NotFound(_("That user is not on this team."))
        audit.record(actor, "team.member_removed", team, changes={"members": [user_id, None]})
        emit("team.member_removed", actor=actor, subject=team, payload={"user_id": user_id})


# --- API tokens -----------------------------------------------------------------------------


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class NewToken:
    token: ApiToken
    plaintext: str


def create_api_token(*, actor: Actor, name: str, expires_at: datetime | None = None) -> NewToken:
    """Create a token that acts as the actor in this workspace; the plaintext is returned once.

    Format ``vk_<prefix>_<secret>``; only the prefix and a SHA-256 of the secret are stored.
    """
    require(actor, "tokens.create")
    if actor.user is None:
        raise ValidationFailed.field("user", _("Tokens belong to a user."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed.field("name", _("Give the token a name."), "required")
    if len(name) > 100:
        raise ValidationFailed.field("name", _("At most 100 characters."), "too_long")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed.field("expires_at", _("The expiry must be in the future."))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            workspace=actor.workspace,
            user=actor.user,
            created_by=actor.user,
            name=name,
            prefix=prefix,
            secret_hash=_hash_secret(secret),
            expires_at=expires_at,
        )
        audit.record(actor, "token.created", token, changes={"name": [None, name]})
        emit("token.created", actor=actor, subject=token, payload={"name": name, "prefix": prefix})
    return NewToken(token, f"{TOKEN_PREFIX}_{prefix}_{secret}")


def revoke_api_token(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token: the actor's own, or anyone's with ``tokens.manage``."""
    with transaction.atomic():
        token = (
            ApiToken.objects.for_workspace(actor.workspace)
            .select_for_update()
            .filter(pk=token_id)
            .first()
        )
        if token is None:
            raise NotFound(_("No API token with id %(id)s.") % {"id": token_id})
        if actor.user is None or token.user_id != actor.user.pk:
            require(actor, "tokens.manage")
        if token.revoked_at is not None:
            return token
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor, "token.revoked", token)
        emit("token.revoked", actor=actor, subject=token, payload={"prefix": token.prefix})
    return token


def authenticate_token(raw: str) -> ApiToken | None:
    """The active token for a ``vk_<prefix>_<secret>`` string, or None; notes when it was used."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = ApiToken.objects.select_related("user", "workspace").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(parts[2])):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- users ----------------------------------------------------------------------------------


def set_user_language(*, user: User, language: str) -> User:
    """Remember the interface language a user chose ('' follows the workspace)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationFailed.field("language", _("Unsupported language."), "invalid_choice")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def set_user_password(*, user: User, password: str) -> User:
    """Set a user's own password after the validators accept it (ends a one-time password)."""
    _validate_new_password(password, user.email)
    user.set_password(password)
    user.must_change_password = False
    user.password_expires_at = None
    user.save(update_fields=["password", "must_change_password", "password_expires_at"])
    return user
