"""Screens of the data subject's rights: the privacy settings, the request register, a person's
data document, the erasure confirmation and the access log."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can, require
from vinculo.core.settings_pages import page as settings_page
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.privacy import erasure, selectors, services
from vinculo.privacy.export import person_fields, readable
from vinculo.privacy.models import RequestKind, RequestStatus

SECTION = "privacy"


# --- settings and the request register ------------------------------------------------------


@workspace_view
def settings_view(request: HttpRequest) -> HttpResponse:
    """Bin retention and the access log switch."""
    a = actor(request)
    require(a, "privacy.manage")
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        data = {
            "bin_retention_days": request.POST.get("bin_retention_days", ""),
            "access_log_enabled": request.POST.get("access_log_enabled") == "on",
        }
        try:
            services.update_settings(actor=a, data=data)
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Privacy settings saved."))
            return redirect("privacy:settings")
    context = {
        "settings_row": services.get_settings(a.workspace.pk),
        "posted": request.POST,
        "errors": errors,
        "overdue": selectors.overdue_count(a),
        "erasures": selectors.erasures(a)[:20],
    }
    return settings_page(request, "privacy/settings.html", SECTION, context, status=status)


def _request_data(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        key: request.POST.get(key, "")
        for key in ("kind", "status", "subject_label", "notes", "received_at")
        if key in request.POST
    }
    raw = request.POST.get("person_id", "").strip()
    if "person_id" in request.POST:
        data["person_id"] = int(raw) if raw.isdigit() else (raw or None)
    return data


@workspace_view
def requests_view(request: HttpRequest) -> HttpResponse:
    """The register: every request with its legal deadline, the overdue ones first flagged."""
    a = actor(request)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            services.create_request(actor=a, data=_request_data(request))
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Request registered."))
            return redirect("privacy:requests")
    overdue = request.GET.get("overdue") == "1"
    context = {
        "requests": selectors.requests(a, overdue=overdue)[:500],
        "overdue_only": overdue,
        "overdue": selectors.overdue_count(a),
        "kinds": RequestKind.choices,
        "statuses": RequestStatus.choices,
        "posted": request.POST,
        "errors": errors,
    }
    return settings_page(request, "privacy/requests.html", SECTION, context, status=status)


@workspace_view
def request_edit(request: HttpRequest, request_id: int) -> HttpResponse:
    a = actor(request)
    item = selectors.get_request(a, request_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            services.update_request(actor=a, request_id=request_id, data=_request_data(request))
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Request saved."))
            return redirect("privacy:requests")
    context = {
        "item": item,
        "kinds": RequestKind.choices,
        "statuses": RequestStatus.choices,
        "errors": errors,
    }
    return settings_page(request, "privacy/request_edit.html", SECTION, context, status=status)


@workspace_view
@require_POST
def request_delete(request: HttpRequest, request_id: int) -> HttpResponse:
    services.delete_request(actor=actor(request), request_id=request_id)
    messages.success(request, _("Request deleted."))
    return redirect("privacy:requests")


# --- one person -----------------------------------------------------------------------------


def _request_id(request: HttpRequest) -> int | None:
    raw = request.GET.get("request", "") or request.POST.get("request_id", "")
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


@workspace_view
def person_document(request: HttpRequest, person_id: int) -> HttpResponse:
    """Everything held about a person as a readable page (print it to PDF)."""
    data = services.export_person(
        actor=actor(request), person_id=person_id, request_id=_request_id(request)
    )
    context = {
        "data": data,
        "fields": person_fields(data),
        "tables": readable(data),
        "person_id": person_id,
    }
    return render(request, "privacy/person_document.html", context)


@workspace_view
def person_json(request: HttpRequest, person_id: int) -> HttpResponse:
    """The same, as a JSON file (portability)."""
    data = services.export_person(
        actor=actor(request), person_id=person_id, request_id=_request_id(request)
    )
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person_id}-data.json"'
    return response


@workspace_view
def person_erase(request: HttpRequest, person_id: int) -> HttpResponse:
    """Ask for the id again, then erase for good."""
    a = actor(request)
    require(a, "privacy.erase")
    person = contact_selectors.get_person(a, person_id)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            record = erasure.erase_person(
                actor=a,
                person_id=person_id,
                confirm=request.POST.get("confirm", "").strip(),
                request_id=_request_id(request),
            )
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(
                request,
                _("Erased. The erasure is recorded as %(subject)s.") % {"subject": record.subject},
            )
            return redirect("contacts:people")
    context = {
        "person": person,
        "errors": errors,
        "open_requests": selectors.requests(a).filter(
            person_id=person_id, status__in=["received", "in_progress"]
        ),
        "can_manage": can(a, "privacy.manage"),
    }
    return render(request, "privacy/person_erase.html", context, status=status)


@workspace_view
def person_access_log(request: HttpRequest, person_id: int) -> HttpResponse:
    a = actor(request)
    rows = selectors.access_log(a, person_id)[:500]
    person = contact_selectors.get_person(a, person_id)
    context = {
        "person": person,
        "rows": rows,
        "enabled": services.get_settings(a.workspace.pk).access_log_enabled,
    }
    return render(request, "privacy/person_access_log.html", context)
