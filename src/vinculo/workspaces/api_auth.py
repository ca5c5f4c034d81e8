"""How the API knows who calls: a Bearer token, or the web session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from vinculo.core.actor import Source
from vinculo.workspaces import lockout
from vinculo.workspaces.middleware import SESSION_WORKSPACE_KEY, client_ip
from vinculo.workspaces.selectors import actor_for
from vinculo.workspaces.services import authenticate_token

WORKSPACE_HEADER = "HTTP_X_WORKSPACE"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer vk_…``: the token's user inside the token's workspace only."""

    openapi_description = "An API token created in Settings → API tokens or `vinculo token create`."

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_token(token)
        if api_token is None:
            # Only failures pay for the lockout's queries; a locked address gets 429 for every
            # bad token, while valid tokens behind the same address (a shared NAT) keep working.
            if lockout.token_address_locked(request):
                raise lockout.refuse_token(request)
            lockout.token_failed(request)
            return None
        actor = actor_for(
            api_token.user,
            api_token.workspace,
            source=Source.API,
            ip=client_ip(request),
            token_id=api_token.pk,
        )
        if actor is None:  # the user left the workspace
            return None
        request.actor = actor  # type: ignore[attr-defined]
        return api_token.user


class WorkspaceSessionAuth(SessionAuth):
    """The signed-in browser session; the workspace from ``X-Workspace`` (id or slug) or the
    one chosen in the app."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if not user:
            return None
        wanted = request.META.get(WORKSPACE_HEADER) or request.session.get(SESSION_WORKSPACE_KEY)
        actor = actor_for(user, wanted, source=Source.API, ip=client_ip(request))
        if actor is None:
            return None
        request.actor = actor  # type: ignore[attr-defined]
        return user
