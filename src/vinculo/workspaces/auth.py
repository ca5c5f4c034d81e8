"""Signing in by email and password: one-time passwords stop working when they expire, and
django-axes throttles guessing (see :mod:`vinculo.workspaces.lockout`)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from vinculo.core.tenancy import User


class LockoutBackend(AxesStandaloneBackend):
    """Refuses sign-ins of a locked-out account or address (first in the backends).

    Without a request there is nothing to throttle by: that is trusted code (the test client's
    ``login()``, management commands), never a request from outside.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class EmailBackend(ModelBackend):
    """Django's model backend, refusing a one-time password past ``password_expires_at``."""

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        if not super().user_can_authenticate(user):
            return False
        expires = getattr(user, "password_expires_at", None)
        return expires is None or expires > timezone.now()
