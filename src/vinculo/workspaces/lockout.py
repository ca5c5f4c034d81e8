"""Password guessing is throttled: django-axes locks an account and an address out after
``LOCKOUT_FAILURES`` failures, for a cool-off that doubles with each lockout of the last day.

Covers the web sign-in, the Django admin's and API bearer tokens (bad tokens count per address).
Each lockout is written to the audit trail of the workspaces the account belongs to.
"""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core import audit
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import ServiceError, problem
from vinculo.core.tenancy import Membership, User

log = logging.getLogger(__name__)

LONGEST_COOL_OFF = timedelta(hours=24)
# Bad bearer tokens are counted under this name plus the address.
TOKEN_USERNAME = "api-token@"  # noqa: S105 (a label, not a secret)


class TooManyAttempts(ServiceError):
    status = 429
    title = "Too many attempts"
    type_slug = "too-many-attempts"


def client_ip(request: HttpRequest) -> str | None:
    """The address attempts are counted by (``REMOTE_ADDR``, as everywhere in Vínculo)."""
    return request.META.get("REMOTE_ADDR") or None


def username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The account name attempts are counted by, folded so ``Ana@X`` is ``ana@x``."""
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(raw).strip().lower()


def cool_off(request: HttpRequest | None) -> timedelta:
    """``LOCKOUT_MINUTES``, doubled for each lockout of the same account or address in the last
    24 hours, at most a day."""
    base = timedelta(minutes=settings.LOCKOUT_MINUTES)
    if request is None:
        return base
    who = Q(ip_address=client_ip(request))
    name = username(request, getattr(request, "axes_credentials", None))
    if name:
        who |= Q(username=name)
    since = timezone.now() - LONGEST_COOL_OFF
    lockouts = AccessFailureLog.objects.filter(who, locked_out=True, attempt_time__gte=since)
    count = lockouts.count()
    return min(base * 2 ** max(min(count, 12) - 1, 0), LONGEST_COOL_OFF)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 saying when to retry: a page for people, a problem document for the API."""
    wait = cool_off(request)
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    retry_at = timezone.now() + wait
    if request.path_info.startswith("/api/"):
        detail = _retry_message(minutes)
        body = problem(429, TooManyAttempts.title, detail, type_slug=TooManyAttempts.type_slug)
        response: HttpResponse = JsonResponse(
            body, status=429, content_type="application/problem+json"
        )
    else:
        context = {"minutes": minutes, "retry_at": retry_at, "message": _retry_message(minutes)}
        response = render(request, "web/locked_out.html", context, status=429)
    response["Retry-After"] = str(int(wait.total_seconds()))
    return response


def _retry_message(minutes: int) -> str:
    return _(
        "Too many failed sign-in attempts for this account or from this address. Sign-in is "
        "blocked for %(minutes)s minutes; try again later or reset your password."
    ) % {"minutes": minutes}


def record_lockout(
    sender: object,
    request: HttpRequest,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    """``user_locked_out`` receiver: audit a new lockout in each workspace of the account."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return  # an attempt while already locked out, not a new lockout
    log.warning("sign-in locked out: account %r, address %s", username, ip_address)
    user = User.objects.filter(email=(username or "").lower()).first()
    if user is None:
        return
    for membership in Membership.objects.filter(user=user).select_related("workspace"):
        actor = Actor(
            workspace=membership.workspace, user=None, role=None, source=Source.UI, ip=ip_address
        )
        audit.record(
            actor,
            "auth.locked_out",
            user,
            changes={"until": [None, timezone.now() + cool_off(request)]},
        )


def token_address_locked(request: HttpRequest) -> bool:
    """Is bearer-token authentication refused for this address (too many bad tokens)?"""
    if not settings.AXES_ENABLED:
        return False
    credentials = {"username": TOKEN_USERNAME + (client_ip(request) or "")}
    return bool(AxesProxyHandler.is_locked(request, credentials))


def token_failed(request: HttpRequest) -> None:
    """Count a bad bearer token against the caller's address."""
    credentials = {"username": TOKEN_USERNAME + (client_ip(request) or "")}
    user_login_failed.send(sender=__name__, credentials=credentials, request=request)


def refuse_token(request: HttpRequest) -> TooManyAttempts:
    minutes = max(1, math.ceil(cool_off(request).total_seconds() / 60))
    return TooManyAttempts(_retry_message(minutes))
