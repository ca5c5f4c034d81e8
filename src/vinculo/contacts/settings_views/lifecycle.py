"""Settings, lifecycle stages: the stages of the customer journey, their phase and order
(``web:settings:lifecycle…``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contact_services
from vinculo.contacts.models import JourneyPhase
from vinculo.core.errors import NotFound, ServiceError, ValidationFailed
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, order_from_positions, page, wants_fragment
from vinculo.core.ui import actor, workspace_view


def _lifecycle_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return page(
        request,
        "contacts/settings/lifecycle.html",
        "lifecycle",
        {
            "stages": contact_selectors.lifecycle_stages(a),
            "phases": JourneyPhase.choices,
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def lifecycle(request: HttpRequest) -> HttpResponse:
    return _lifecycle_page(request)


@workspace_view
@require_POST
def lifecycle_create(request: HttpRequest) -> HttpResponse:
    data = {
        "name": request.POST.get("name", ""),
        "key": request.POST.get("key", ""),
        "phase": request.POST.get("phase", ""),
        "description": request.POST.get("description", ""),
    }
    try:
        stage = contact_services.create_lifecycle_stage(actor=actor(request), data=data)
    except ServiceError as exc:
        return _lifecycle_page(
            request, status=422, errors=form_errors(exc), failed="new", posted=data
        )
    messages.success(request, _("Stage %(name)s added.") % {"name": stage.name})
    return redirect("web:settings:lifecycle")


@workspace_view
@require_POST
def lifecycle_update(request: HttpRequest, stage_id: int) -> HttpResponse:
    data = {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "phase": request.POST.get("phase", ""),
        "is_active": "is_active" in request.POST,
    }
    try:
        stage = contact_services.update_lifecycle_stage(
            actor=actor(request), stage_id=stage_id, data=data
        )
    except ServiceError as exc:
        return _lifecycle_page(
            request, status=422, errors=form_errors(exc), failed=stage_id, posted=data
        )
    messages.success(request, _("Stage %(name)s saved.") % {"name": stage.name})
    return redirect("web:settings:lifecycle")


@workspace_view
@require_POST
def lifecycle_reorder(request: HttpRequest) -> HttpResponse:
    """Save the order of the lifecycle stages (drag and drop, or the position inputs)."""
    a = actor(request)
    stages = contact_selectors.lifecycle_stages(a)
    order = order_from_positions(request, stages)
    order += [s.pk for s in stages if s.pk not in order]
    try:
        contact_services.reorder_lifecycle_stages(actor=a, stage_ids=order)
    except ValidationFailed:
        raise NotFound(_("No such lifecycle stage in this workspace.")) from None
    if wants_fragment(request):
        return HttpResponse(status=204)
    messages.success(request, _("Order saved."))
    return redirect("web:settings:lifecycle")
