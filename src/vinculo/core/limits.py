"""Request bodies over the size limit get a 413 the client can read, not Django's HTML 400.

``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) bounds a request's body (JSON, form fields). Django
enforces it by raising ``RequestDataTooBig`` when the body is read, which ends as a bare HTML
400 on every path. This middleware answers first, from ``Content-Length`` (what Django checks
too): ``application/problem+json`` naming the limit on ``/api/``, a readable page elsewhere.
Multipart bodies are left to Django: their files stream to disk and are bounded by the
services that take them (imports), only their plain fields count against the limit, and a
form whose fields overflow it is caught when the request is parsed.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from vinculo.core.errors import problem

__all__ = ["RequestSizeLimitMiddleware", "too_large"]

API_PREFIX = "/api/"


def _limit() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _megabytes(size: int) -> str:
    return number_format(size / (1024 * 1024), decimal_pos=1)


def too_large(request: HttpRequest) -> HttpResponse:
    """The 413 answer for ``request``: a problem document on the API, a page on the web."""
    limit = _limit() or 0
    detail = _(
        "The request body is larger than the limit of %(mb)s MB (%(bytes)s bytes). Send less "
        "data per request (for many records, several smaller batches), or upload a file."
    ) % {"mb": _megabytes(limit), "bytes": limit}
    if request.path.startswith(API_PREFIX):
        body = problem(413, "Content too large", detail, type_slug="content-too-large")
        body["limit_bytes"] = limit
        return HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=413,
            content_type="application/problem+json",
        )
    page = render_to_string("413.html", {"detail": detail}, request=request)
    return HttpResponse(page, status=413)


def _declared_size(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class RequestSizeLimitMiddleware:
    """Answer 413 for bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = _limit()
        if limit is not None and request.method in {"POST", "PUT", "PATCH", "DELETE"}:
            multipart = request.content_type == "multipart/form-data"
            if not multipart and _declared_size(request) > limit:
                return too_large(request)
            if multipart and not request.path.startswith(API_PREFIX):
                try:
                    request.POST  # noqa: B018 (parsed here, before CSRF, to catch the overflow)
                except RequestDataTooBig:
                    return too_large(request)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        """A body found too big inside a view (e.g. the API's multipart form fields)."""
        return too_large(request) if isinstance(exc, RequestDataTooBig) else None
