"""The guided start on the plan page: pick a kind of business, get a draft plan to edit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.ui import actor, workspace_view
from vinculo.strategy.starters.services import apply_starter


@workspace_view
@require_POST
def start_from_draft(request: HttpRequest) -> HttpResponse:
    try:
        done = apply_starter(actor(request), request.POST.get("business_type", ""))
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect("strategy:plan")
    messages.success(
        request,
        _(
            "Draft plan written: %(objectives)s objectives, %(tactics)s tactics, %(goals)s goals "
            "and %(touchpoints)s touchpoints. Edit it to fit the business."
        )
        % {
            "objectives": done.objectives,
            "tactics": done.tactics,
            "goals": done.goals,
            "touchpoints": done.touchpoints,
        },
    )
    return redirect("strategy:plan")
