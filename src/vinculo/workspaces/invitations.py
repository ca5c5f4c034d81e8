"""Invitations: how a workspace gains a member, with the invitee's consent.

An owner (``members.manage``) invites an email address with a role. Nothing about the address
is revealed: the answer is the same whether or not someone is registered with it. The invitee
accepts through a secret link (only its SHA-256 is stored): a signed-in user whose email is the
invited one, or a new user who sets their password on the link's page. Where SMTP is set up
(``EMAIL_ENABLED``) the link goes by email; otherwise the owner is given it to pass on.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.core import audit
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import Conflict, FieldError, NotFound, PermissionDenied
from vinculo.core.events import emit
from vinculo.core.permissions import require
from vinculo.core.tenancy import Invitation, Membership, Role, User
from vinculo.workspaces.services import (
    _check_role,
    _clean_email,
    _hash_secret,
    _validate_new_password,
)

log = logging.getLogger(__name__)


@dataclass
class NewInvitation:
    invitation: Invitation
    url: str
    emailed: bool


def invitation_url(token: str) -> str:
    """The absolute link an invitee opens (``BASE_URL`` + the accept page)."""
    path = reverse("web:invitation", kwargs={"token": token})
    return settings.BASE_URL.rstrip("/") + path


def invite_member(*, actor: Actor, email: str, role: str, full_name: str = "") -> NewInvitation:
    """Invite an address to the actor's workspace with ``role``; returns the link once.

    Refuses a bad email or role, an address that is already a member here, and owner invitations
    by non-owners. A pending invitation to the same address is replaced. The answer never says
    whether the address belongs to a registered user.
    """
    require(actor, "members.manage")
    email = _clean_email(email)
    _check_role(role)
    if role == Role.OWNER:
        require(actor, "owners.manage")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        if Membership.objects.for_workspace(actor.workspace).filter(user__email=email).exists():
            raise Conflict(
                _("%(email)s is already a member.") % {"email": email},
                errors=[FieldError("email", _("Already a member."), "unique")],
            )
        _pending(Invitation.objects.for_workspace(actor.workspace).filter(email=email)).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            email=email,
            full_name=" ".join(full_name.split())[:150],
            role=role,
            token_hash=_hash_secret(token),
            expires_at=now + timedelta(days=settings.INVITATION_DAYS),
        )
        audit.record(
            actor,
            "member.invited",
            invitation,
            changes={"email": [None, email], "role": [None, role]},
        )
        emit(
            "member.invited",
            actor=actor,
            subject=invitation,
            payload={"email": email, "role": role},
        )
    url = invitation_url(token)
    emailed = settings.EMAIL_ENABLED and _send_invitation(invitation, url, actor)
    return NewInvitation(invitation, url, emailed)


def _send_invitation(invitation: Invitation, url: str, actor: Actor) -> bool:
    """Email the link in the workspace's language; False (and logged) when SMTP fails."""
    inviter = actor.user.get_full_name() if actor.user is not None else ""
    with translation.override(invitation.workspace.locale):
        context = {"invitation": invitation, "url": url, "inviter": inviter}
        subject = _("Invitation to %(workspace)s on Vínculo") % {
            "workspace": invitation.workspace.name
        }
        body = render_to_string("web/email/invitation.txt", context)
    try:
        send_mail(subject, body, None, [invitation.email])
    except (SMTPException, OSError):
        log.warning("invitation %s: the email could not be sent", invitation.pk, exc_info=True)
        return False
    return True


def _pending(invitations: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def pending_invitations(actor: Actor) -> QuerySet[Invitation]:
    """The workspace's invitations not yet accepted, revoked or expired, newest first."""
    require(actor, "members.view")
    return _pending(Invitation.objects.for_workspace(actor.workspace)).select_related("created_by")


def revoke_invitation(*, actor: Actor, invitation_id: int) -> Invitation:
    """Withdraw a pending invitation of the actor's workspace (404 for another workspace's)."""
    require(actor, "members.manage")
    with transaction.atomic():
        invitation = (
            _pending(Invitation.objects.for_workspace(actor.workspace))
            .select_for_update()
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            raise NotFound(_("No pending invitation with id %(id)s.") % {"id": invitation_id})
        if invitation.role == Role.OWNER:
            require(actor, "owners.manage")
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit.record(actor, "member.invitation_revoked", invitation)
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation a link's token opens, or None (unknown, used, revoked, expired)."""
    if not token:
        return None
    return (
        _pending(Invitation.objects.filter(token_hash=_hash_secret(token)))
        .select_related("workspace")
        .first()
    )


def email_is_registered(invitation: Invitation) -> bool:
    """For the invitee's own page: does the invited address already have an account?"""
    return User.objects.filter(email=invitation.email).exists()


def accept_invitation(*, token: str, user: User, ip: str | None = None) -> Membership:
    """The signed-in ``user`` accepts the invitation behind ``token``; they become a member.

    Refuses an unknown, used or expired link (404) and a user whose email is not the invited
    address (403): an invitation cannot be used by anyone else.
    """
    with transaction.atomic():
        invitation = _locked(token)
        if user.email.casefold() != invitation.email.casefold():
            raise PermissionDenied(
                _("This invitation was sent to another email address. Sign in as its addressee.")
            )
        return _join(invitation, user, ip)


def accept_invitation_as_new_user(
    *, token: str, password: str, full_name: str = "", ip: str | None = None
) -> Membership:
    """Create the invited address's account with ``password`` and make it a member.

    Refuses when the address is already registered (they sign in and accept instead) and a
    password the validators reject.
    """
    with transaction.atomic():
        invitation = _locked(token)
        if User.objects.filter(email=invitation.email).exists():
            raise Conflict(_("This address already has an account: sign in to accept."))
        _validate_new_password(password, invitation.email)
        name = " ".join(full_name.split())[:150] or invitation.full_name
        try:
            with transaction.atomic():
                user = User.objects.create_user(invitation.email, password, full_name=name)
        except IntegrityError:
            raise Conflict(_("This address already has an account: sign in to accept.")) from None
        return _join(invitation, user, ip)


def _locked(token: str) -> Invitation:
    invitation = (
        _pending(Invitation.objects.filter(token_hash=_hash_secret(token or "")))
        .select_for_update()
        .select_related("workspace")
        .first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid: it was used, withdrawn or expired."))
    return invitation


def _join(invitation: Invitation, user: User, ip: str | None) -> Membership:
    actor = Actor(
        workspace=invitation.workspace, user=user, role=invitation.role, source=Source.UI, ip=ip
    )
    membership = Membership.objects.filter(workspace=invitation.workspace, user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            workspace=invitation.workspace,
            user=user,
            role=invitation.role,
            created_by=invitation.created_by,
        )
        audit.record(actor, "member.added", membership, changes={"role": [None, invitation.role]})
        emit(
            "member.added",
            actor=actor,
            subject=membership,
            payload={"user_id": user.pk, "email": user.email, "role": invitation.role},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership
