"""A GET on an address that only takes a form never gets Django's blank 405 page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve

# The API answers its own 405 problem documents; the admin keeps Django's behaviour.
_SKIP = ("/api/", "/admin/", "/static/")


def page_of(path: str, urlconf: str | None = None) -> str:
    """The nearest address above ``path`` that is a page: ``/quality/imports/7/mapping/``
    belongs to ``/quality/imports/7/``, ``/settings/tokens/new/`` to ``/settings/tokens/``."""
    trailing = path.endswith("/")
    parts = [p for p in path.split("/") if p]
    while parts:
        parts.pop()
        candidate = "/" + "/".join(parts) + ("/" if parts and trailing else "")
        try:
            resolve(candidate, urlconf)
        except Resolver404:
            continue
        return candidate
    return "/"


class PostOnlyAddressMiddleware:
    """Send a GET (a bookmark, a reload after a redirect, a link typed in) on a POST-only
    address to the page it belongs to, instead of an empty "405 Method Not Allowed"."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method in {"GET", "HEAD"}
            and not request.path.startswith(_SKIP)
            and not getattr(response, "content", b"").strip()
        ):
            return HttpResponseRedirect(page_of(request.path, getattr(request, "urlconf", None)))
        return response
