"""In-app notifications (the bell): what an app tells a user, stored as a code and parameters
and worded in the reader's language when read.

An app registers the codes it sends (``register("goal.at_risk", words)``, where ``words`` turns
the parameters into a sentence in the active language) from its ``AppConfig.ready()``, then
calls :func:`notify`. A code nobody registered is shown by its name (an app removed since).
When email is set up (``EMAIL_ENABLED``) and the sender asks, the same sentence is emailed, in
the recipient's language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from functools import partial
from smtplib import SMTPException
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.models import Notification
from vinculo.core.tenancy import Membership, User

log = logging.getLogger(__name__)

Words = Callable[[dict[str, Any]], str]
_CODES: dict[str, Words] = {}


def register(code: str, words: Words) -> None:
    """Declare a notification code and how its parameters are worded (in the active language)."""
    _CODES[code] = words


def registered(code: str) -> bool:
    return code in _CODES


def text_of(notification: Notification) -> str:
    """The notification in the active language."""
    words = _CODES.get(notification.code)
    if words is None:
        return notification.code
    try:
        return words(notification.params or {})
    except (KeyError, TypeError, ValueError):
        log.warning("notification %s: its parameters do not fit its code", notification.pk)
        return notification.code


def notify(
    workspace: Any,
    users: Iterable[User],
    code: str,
    params: dict[str, Any] | None = None,
    *,
    link: str = "",
    email: bool = False,
) -> list[Notification]:
    """Tell each of ``users`` (members of ``workspace``) ``code`` with ``params``; with
    ``email`` and email set up, email them too once the transaction commits."""
    if code not in _CODES:
        raise ValueError(f"notification code {code!r} is not registered")
    members = set(Membership.objects.for_workspace(workspace).values_list("user_id", flat=True))
    rows = [
        Notification(workspace=workspace, user=u, code=code, params=params or {}, link=link)
        for u in {u.pk: u for u in users if u.pk in members}.values()
    ]
    Notification.objects.bulk_create(rows)
    if email and settings.EMAIL_ENABLED:
        for row in rows:
            transaction.on_commit(partial(_email, row))
    return rows


def _email(notification: Notification) -> None:
    """The notification's sentence by email, in its recipient's language (logged on failure)."""
    user = notification.user
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        text = text_of(notification)
        subject = _("Vínculo: %(text)s") % {"text": text[:120]}
        body = text + (f"\n\n{settings.BASE_URL}{notification.link}" if notification.link else "")
    try:
        send_mail(subject, body, None, [user.email])
    except (SMTPException, OSError):
        log.warning("notification %s: the email could not be sent", notification.pk)


# --- reads ------------------------------------------------------------------------------------


def mine(actor: Actor, *, unread: bool | None = None) -> QuerySet[Notification]:
    """The actor's notifications in the workspace, newest first (``unread``: only unread)."""
    qs = Notification.objects.for_workspace(actor.workspace).filter(user_id=_user_id(actor))
    if unread is True:
        qs = qs.filter(read_at__isnull=True)
    elif unread is False:
        qs = qs.filter(read_at__isnull=False)
    return qs


def unread_count(actor: Actor) -> int:
    if actor.user is None:
        return 0
    return mine(actor, unread=True).count()


def _user_id(actor: Actor) -> int | None:
    return actor.user.pk if actor.user is not None else None


# --- writes -----------------------------------------------------------------------------------


def mark_read(actor: Actor, notification_id: int) -> Notification:
    """Mark one of the actor's notifications read (404 for another's, or another workspace's)."""
    found = mine(actor).filter(pk=notification_id).first()
    if found is None:
        raise NotFound(_("No such notification."))
    if found.read_at is None:
        found.read_at = timezone.now()
        found.save(update_fields=["read_at", "updated_at"])
    return found


def mark_all_read(actor: Actor) -> int:
    """Mark every unread notification of the actor read; how many were."""
    return mine(actor, unread=True).update(read_at=timezone.now(), updated_at=timezone.now())
