"""Helpers every app's views share: the workspace guard and service errors shown on forms."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme

from vinculo.core import timeline
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, PermissionDenied, ServiceError

# A view may answer with a streamed or file response too, not only an HttpResponse.
View = Callable[..., HttpResponseBase]


def workspace_view(view: View) -> View:
    """Signed in, inside a workspace; ``NotFound`` becomes a 404 page and ``PermissionDenied``
    a 403 page that says which role cannot do what."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request, "actor", None) is None:
            return render(request, "web/no_workspace.html", status=403)
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from None
        except PermissionDenied as exc:
            return render(request, "web/forbidden.html", {"detail": exc.detail}, status=403)

    return wrapped


def actor(request: HttpRequest) -> Actor:
    # Set by ActorMiddleware; HttpRequest in django-stubs does not declare it.
    return request.actor  # type: ignore[attr-defined]


def field_errors(exc: ServiceError) -> dict[str, list[str]]:
    """Service errors by field (``""`` for errors that belong to no field).

    Permission and not-found errors are not form errors: they are re-raised so
    :func:`workspace_view` answers 403/404 pages.
    """
    if isinstance(exc, PermissionDenied | NotFound):
        raise exc
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(error.field, []).append(error.message)
    if not exc.errors:
        errors[""] = [exc.detail]
    return errors


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def posted_tags_and_custom_fields(request: HttpRequest) -> dict[str, Any]:
    """``tags`` (comma-separated) and custom fields (``cf_<key>``, multi-choice ``cfm_<key>``)
    as posted by the shared form partials, in the services' input shape."""
    data: dict[str, Any] = {}
    if request.POST.get("tags") is not None:
        data["tags"] = [t.strip() for t in request.POST.get("tags", "").split(",") if t.strip()]
    custom: dict[str, Any] = {
        k.removeprefix("cf_"): v for k, v in request.POST.items() if k.startswith("cf_")
    }
    custom.update(
        {
            k.removeprefix("cfm_"): request.POST.getlist(k)
            for k in request.POST
            if k.startswith("cfm_")
        }
    )
    if custom:
        data["custom_fields"] = custom
    return data


def safe_next(request: HttpRequest, default: str, *, referer: bool = True) -> str:
    """``next`` (or the referring page) when it is a URL of this site, else ``default``."""
    target = request.POST.get("next") or ""
    if not target and referer:
        target = request.META.get("HTTP_REFERER") or ""
    target = target or default
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def timeline_context(request: HttpRequest, **link: int) -> dict[str, Any]:
    """A record's timeline page (``?kinds=``, ``?cursor=``) and the kinds to filter it by."""
    kinds = [k for k in request.GET.getlist("kinds") if k] or None
    page = timeline.page(
        actor(request), kinds=kinds, cursor=request.GET.get("cursor"), limit=50, **link
    )
    return {
        "timeline": page,
        "timeline_kinds": timeline.KINDS,
        "selected_kind": kinds[0] if kinds else "",
    }


# Post/redirect/get: what a successful POST has to show once (a new token's plaintext, a new
# member's password) waits in the session for the page the POST redirects to.
_ONCE_KEY = "vinculo.show_once"


def show_once(request: HttpRequest, name: str, value: dict[str, Any]) -> None:
    """Keep ``value`` (JSON-able) for the next page that calls :func:`take_once` with ``name``."""
    pending = dict(request.session.get(_ONCE_KEY) or {})
    pending[name] = value
    request.session[_ONCE_KEY] = pending


def take_once(request: HttpRequest, name: str) -> dict[str, Any] | None:
    """The value kept by :func:`show_once`, removed from the session: shown once, a reload of
    the page does not show it again."""
    pending = dict(request.session.get(_ONCE_KEY) or {})
    value = pending.pop(name, None)
    if value is not None:
        request.session[_ONCE_KEY] = pending
    return value


def render_once(
    request: HttpRequest, name: str, page: Callable[..., HttpResponse], key: str
) -> HttpResponse:
    """``page(request, <key>=value)`` with the value kept by :func:`show_once` (None once shown);
    a page showing it is never cached."""
    value = take_once(request, name)
    response = page(request, **{key: value})
    if value is not None:
        add_never_cache_headers(response)
    return response
