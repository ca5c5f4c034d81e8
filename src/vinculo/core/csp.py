"""Content-Security-Policy: one policy on every HTML response, with a fresh nonce per request.

Django 5.2 has no CSP support of its own, so this small middleware writes the header. The policy
allows no inline script or style at all (no ``'unsafe-inline'``, no ``'unsafe-eval'``): every
script and stylesheet is a static file from our own origin. A template that cannot avoid an inline
``<script>`` or ``<style>`` element gives it ``nonce="{{ request.csp_nonce }}"``; style attributes
and inline event handlers are never allowed (tests/web/test_csp.py keeps templates free of them).
docs/security.md describes the policy.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

HEADER = "Content-Security-Policy"


def policy(nonce: str) -> str:
    """The policy sent with an HTML response whose inline elements carry ``nonce``."""
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        # No page of ours may be framed (X-Frame-Options: DENY says the same to old browsers);
        # web forms are embedded on customers' sites as an HTML snippet, not in a frame.
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    """Give each request ``request.csp_nonce`` and each HTML response the policy using it.

    A response that already carries a Content-Security-Policy (a view that needs a different
    one) keeps its own.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        nonce = secrets.token_urlsafe(18)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and HEADER not in response:
            response[HEADER] = policy(nonce)
        return response
