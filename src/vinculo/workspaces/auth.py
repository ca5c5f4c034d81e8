"""Signing in by email and password: one-time passwords stop working when they expire."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from vinculo.workspaces.models import User


class EmailBackend(ModelBackend):
    """Django's model backend, refusing a one-time password past ``password_expires_at``."""

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        if not super().user_can_authenticate(user):
            return False
        expires = getattr(user, "password_expires_at", None)
        return expires is None or expires > timezone.now()
