"""Resolve the workspace and the language of each signed-in web request."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from vinculo.core.actor import Source
from vinculo.core.errors import problem
from vinculo.workspaces.selectors import actor_for

SESSION_WORKSPACE_KEY = "vinculo_workspace_id"


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


class WorkspaceMiddleware:
    """Sets ``request.actor`` (None when anonymous or without workspace) and the language.

    The workspace is the one chosen in the session, else the user's first. The language is the
    user's choice, else the workspace's. API requests resolve their own actor (token/session).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            chosen = request.session.get(SESSION_WORKSPACE_KEY)
            actor = actor_for(user, chosen, source=Source.UI, ip=client_ip(request))
            if actor is None and chosen is not None:
                actor = actor_for(user, None, source=Source.UI, ip=client_ip(request))
            request.actor = actor  # type: ignore[attr-defined]
            language = user.language or (actor.workspace.locale if actor else "")
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """While a signed-in user holds a one-time password, every page leads to the change screen.

    Allowed meanwhile: that screen, logging out, the language switch and static files. Session
    calls to the API get a 403 problem; API tokens are not sessions and are not affected.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            target = reverse("web:password_change")
            allowed = (target, reverse("web:logout"), reverse("web:set_language"))
            path = request.path_info
            if path in allowed or path.startswith(settings.STATIC_URL):
                return self.get_response(request)
            if path.startswith("/api/"):
                detail = _("Choose your own password before using the API with this session.")
                body = problem(403, "Forbidden", detail, type_slug="password-change-required")
                return JsonResponse(body, status=403, content_type="application/problem+json")
            return redirect(target)
        return self.get_response(request)
