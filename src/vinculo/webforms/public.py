"""Public endpoints (no login): the hosted form page, its submit, a fresh render token, and the
tracking collector. Thin: parse, call a service, answer HTML or JSON with CORS for allowed sites.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlparse

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ServiceError, ValidationFailed, problem
from vinculo.webforms import selectors, services, tracking
from vinculo.webforms.models import WebForm
from vinculo.workspaces.middleware import client_ip

MAX_BODY = 64 * 1024


def _origin_host(request: HttpRequest, *, referer: bool = False) -> str | None:
    """The host of the calling page (``Origin``, else ``Referer`` when asked); None if absent."""
    raw = request.headers.get("Origin") or ""
    if (not raw or raw == "null") and referer:
        raw = request.headers.get("Referer") or ""
    if not raw or raw == "null":
        return None
    return (urlparse(raw).hostname or "").lower()


def _same_site(request: HttpRequest, host: str) -> bool:
    return host == request.get_host().split(":")[0].lower()


def _cors(request: HttpRequest, response: HttpResponse, domains: list[str]) -> HttpResponse:
    """Echo the origin back only when it is one of ``domains`` (never ``*``)."""
    response["Vary"] = "Origin"
    origin = request.headers.get("Origin") or ""
    host = (urlparse(origin).hostname or "").lower() if origin else ""
    if host and services.domain_allowed(host, domains):
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response["Access-Control-Max-Age"] = "86400"
    return response


def _problem(exc: ServiceError) -> JsonResponse:
    body = problem(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        errors=[e.as_dict() for e in exc.errors],
    )
    response = JsonResponse(
        body,
        status=exc.status,
        content_type="application/problem+json",
        json_dumps_params={"ensure_ascii": False},
    )
    if isinstance(exc, services.RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in (
        request.headers.get("Accept") or ""
    )


def _form_or_404(key: str) -> WebForm:
    return services.public_form(key)


def _page(
    request: HttpRequest,
    form: WebForm,
    *,
    status: int = 200,
    errors: dict[str, list[str]] | None = None,
    values: dict[str, Any] | None = None,
    consent: bool = False,
    done: bool = False,
) -> HttpResponse:
    choices = selectors.field_choices(_system_actor(form))
    return render(
        request,
        "webforms/hosted.html",
        {
            "form": form,
            "workspace_name": form.workspace.name,
            "fields": selectors.rendered_fields(form, choices),
            "token": services.render_token(form),
            "submit_url": reverse("webforms:submit", args=[form.public_key]),
            "errors": errors or {},
            "values": values or {},
            "consent_checked": consent,
            "done": done,
        },
        status=status,
    )


def _system_actor(form: WebForm) -> Actor:
    return Actor.system(form.workspace)


@never_cache
def hosted(request: HttpRequest, key: str) -> HttpResponse:
    """The hosted page ``/f/<key>``: the form on its own, in the form's language."""
    try:
        form = _form_or_404(key)
    except NotFound:
        return render(request, "webforms/closed.html", status=404)
    with translation.override(form.language):
        if request.GET.get("sent") == "1":  # where a plain form post lands: the thank-you
            return _page(request, form, done=True)
        services.count_view(form)
        return _page(request, form)


@csrf_exempt
@require_http_methods(["GET", "OPTIONS"])
def token(request: HttpRequest, key: str) -> HttpResponse:
    """A fresh render token for a form embedded as a snippet (our script asks on page load)."""
    try:
        form = _form_or_404(key)
    except NotFound as exc:
        return _problem(exc)
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204), form.allowed_domains)
    response = JsonResponse(
        {"token": services.render_token(form), "max_age": services.TOKEN_MAX_AGE}
    )
    response["Cache-Control"] = "no-store"
    return _cors(request, response, form.allowed_domains)


def _posted(request: HttpRequest, form: WebForm) -> services.Posted:
    if request.content_type == "application/json":
        if len(request.body) > MAX_BODY:
            raise ValidationFailed.field("body", _("The request is too large."))
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            raise ValidationFailed.field("body", _("Send a JSON object.")) from None
        if not isinstance(body, dict):
            raise ValidationFailed.field("body", _("Send a JSON object."))
        fields = body.get("fields")
        return services.Posted(
            values=fields if isinstance(fields, dict) else {},
            consent=body.get("consent") is True,
            token=str(body.get("token") or ""),
            honeypot=str(body.get(services.HONEYPOT) or ""),
            visitor_id=str(body.get("visitor_id") or ""),
        )
    values: dict[str, Any] = {}
    for spec in form.fields:
        key = spec["key"]
        items = request.POST.getlist(key)
        values[key] = items if len(items) > 1 else (items[0] if items else "")
    return services.Posted(
        values=values,
        consent=request.POST.get("consent") in {"yes", "on", "true", "1"},
        token=request.POST.get("_vt", ""),
        honeypot=request.POST.get(services.HONEYPOT, ""),
        visitor_id=request.POST.get("_vid", ""),
    )


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def submit(request: HttpRequest, key: str) -> HttpResponse:
    """``POST /f/<key>/submit``: a plain HTML form post (answers a page) or JSON / our script
    (answers JSON: 201, or a problem document 404/403/422/429)."""
    as_json = _wants_json(request)
    try:
        form = _form_or_404(key)
    except NotFound as exc:
        if as_json:
            return _problem(exc)
        return render(request, "webforms/closed.html", status=404)
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204), form.allowed_domains)
    with translation.override(form.language):
        host = _origin_host(request)
        if (
            host
            and not _same_site(request, host)
            and not services.domain_allowed(host, form.allowed_domains)
        ):
            return _problem(
                services.OriginRefused(
                    _("This form does not accept posts from %(host)s.") % {"host": host}
                )
            )
        page_url = request.POST.get("_page", "") if not as_json else ""
        meta = services.SubmitMeta(
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            page_url=page_url or request.headers.get("Referer", ""),
        )
        posted = services.Posted()
        try:
            posted = _posted(request, form)
            submission = services.submit_form(form=form, posted=posted, meta=meta)
        except ServiceError as exc:
            if as_json:
                return _cors(request, _problem(exc), form.allowed_domains)
            errors: dict[str, list[str]] = {}
            for error in exc.errors:
                errors.setdefault(error.field if error.field != "token" else "", []).append(
                    error.message
                )
            if not exc.errors:
                errors[""] = [exc.detail]
            response = _page(
                request,
                form,
                status=exc.status,
                errors=errors,
                values=posted.values,
                consent=posted.consent,
            )
            if isinstance(exc, services.RateLimited):
                response["Retry-After"] = str(exc.retry_after)
            return response
        message = form.success_message or _("Thank you! We received your details.")
        if as_json:
            body = {
                "submission_id": submission.pk,
                "status": submission.status,
                "message": message,
                "redirect_url": form.redirect_url or None,
            }
            return _cors(request, JsonResponse(body, status=201), form.allowed_domains)
        if form.redirect_url:
            return HttpResponseRedirect(form.redirect_url)
        # Post/redirect/get: a reload of the thank-you page does not send the form again.
        return HttpResponseRedirect(reverse("webforms:hosted", args=[form.public_key]) + "?sent=1")


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def collect(request: HttpRequest) -> HttpResponse:
    """``POST /t/collect``: one page view from the tracking snippet (``sendBeacon`` friendly:
    any content type, the body is JSON). 204 on success; problems otherwise."""
    key = request.GET.get("k", "")
    body: dict[str, Any] = {}
    if request.method == "POST":
        if len(request.body) > MAX_BODY:
            return HttpResponse(status=413)
        try:
            parsed = json.loads(request.body or b"{}")
            body = parsed if isinstance(parsed, dict) else {}
        except ValueError:
            body = {}
        key = key or str(body.get("key") or "")
    try:
        site = tracking.public_site(key)
    except NotFound as exc:
        return _problem(exc)
    if request.method == "OPTIONS":
        return _cors(request, HttpResponse(status=204), site.allowed_domains)
    host = _origin_host(request, referer=True)
    if not host or not services.domain_allowed(host, site.allowed_domains):
        return _problem(
            services.OriginRefused(
                _("Page views are accepted only from the workspace's allowed domains.")
            )
        )
    try:
        tracking.collect_page_view(
            site, body, ip=client_ip(request), user_agent=request.headers.get("User-Agent", "")
        )
    except ServiceError as exc:
        return _cors(request, _problem(exc), site.allowed_domains)
    return _cors(request, HttpResponse(status=204), site.allowed_domains)
