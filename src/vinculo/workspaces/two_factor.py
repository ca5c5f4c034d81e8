"""Two-factor sign-in (TOTP, with backup codes) by django-otp, and the middleware that asks for
the second factor after the password, or for enrolment where the workspace makes it mandatory.

A code is checked against the user's confirmed TOTP app and then their unused backup codes;
django-otp throttles repeated wrong codes on each device.
"""

from __future__ import annotations

from collections.abc import Callable

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from vinculo.core.errors import ValidationFailed
from vinculo.core.tenancy import User

BACKUP_CODES = 10


def has_device(user: User) -> bool:
    """Does the user sign in with a second factor (a confirmed TOTP app)?"""
    return bool(user_has_device(user, confirmed=True))


def pending_device(user: User) -> TOTPDevice:
    """The TOTP device being set up (unconfirmed), created with a new secret when none is."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URL as an inline SVG QR code, made here (no other origin)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def secret_text(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of four, for typing into an app by hand."""
    key = str(device.config_url.split("secret=", 1)[1].split("&", 1)[0])
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def confirm_device(*, user: User, code: str) -> list[str]:
    """Confirm the pending TOTP device with a code from the app; returns new backup codes
    (shown once). Any previous app and backup codes are replaced."""
    device = pending_device(user)
    if not device.verify_token((code or "").replace(" ", "")):
        raise ValidationFailed.field(
            "code",
            _("That code is not right. Check the time on your phone and try again."),
            "invalid",
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        StaticDevice.objects.filter(user=user).delete()
        backup = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=backup, token=c) for c in codes])
    return codes


def verify_code(*, user: User, code: str) -> TOTPDevice | StaticDevice:
    """The device a code from the app, or an unused backup code, belongs to; refuses others."""
    device = match_token(user, (code or "").replace(" ", ""))
    if device is None:
        raise ValidationFailed.field("code", _("That code is not right."), "invalid")
    return device


def remove_devices(*, user: User) -> None:
    """Turn two-factor sign-in off for the user (their app and backup codes)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


SESSION_KEY = "vinculo_two_factor"


def needs_code(request: HttpRequest, user: User) -> bool:
    """Does this session's user have a device (asked once per session, then remembered)?"""
    known = request.session.get(SESSION_KEY)
    if known is None:
        known = has_device(user)
        request.session[SESSION_KEY] = known
    return bool(known)


def on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    """``user_logged_in`` receiver: note once whether this session must ask for a code."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = has_device(user)


def remember(request: HttpRequest, *, enrolled: bool) -> None:
    """After enrolling or removing a device in this session."""
    request.session[SESSION_KEY] = enrolled


class TwoFactorMiddleware:
    """After the password: a user with a device enters a code before anything else; in a
    workspace that requires two-factor sign-in, a member without a device enrols first.

    API tokens are not sessions and are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        path = request.path_info
        free = {
            reverse("web:logout"),
            reverse("web:set_language"),
            reverse("web:password_change"),
        }
        if path in free or path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if needs_code(request, user):
            target = reverse("web:two_factor_verify")
        else:
            actor = getattr(request, "actor", None)
            if actor is None or not actor.workspace.require_two_factor:
                return self.get_response(request)
            target = reverse("web:two_factor_setup")
        if path == target:
            return self.get_response(request)
        return redirect(target)
