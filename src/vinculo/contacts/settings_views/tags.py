"""Settings, tags: rename, recolour or delete the workspace's tags (``web:settings:tag…``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contact_services
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.ui import actor, workspace_view


def _tags_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return page(
        request,
        "contacts/settings/tags.html",
        "tags",
        {
            "tags": contact_selectors.tags(a),
            "can_change": can(a, "records.write"),
            "can_delete": can(a, "records.delete"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def tags(request: HttpRequest) -> HttpResponse:
    return _tags_page(request)


@workspace_view
@require_POST
def tag_update(request: HttpRequest, tag_id: int) -> HttpResponse:
    data = {"name": request.POST.get("name", ""), "color": request.POST.get("color", "")}
    try:
        tag = contact_services.update_tag(actor=actor(request), tag_id=tag_id, data=data)
    except ServiceError as exc:
        return _tags_page(request, status=422, errors=form_errors(exc), failed=tag_id, posted=data)
    messages.success(request, _("Tag %(name)s saved.") % {"name": tag.name})
    return redirect("web:settings:tags")


@workspace_view
@require_POST
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    contact_services.delete_tag(actor=actor(request), tag_id=tag_id)
    messages.success(request, _("Tag deleted and removed from every record."))
    return redirect("web:settings:tags")
