"""Resolve the workspace and the language of each signed-in web request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from vinculo.core.actor import Source
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
