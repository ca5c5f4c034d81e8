"""The lost reasons section of a pipeline's settings page: add, rename, archive, reorder, and
the count of lost deals per reason (``web:settings:lost_reason_…``).

Each form posts here and comes back to the pipeline page (post/redirect/get); refused input
comes back as the pipeline page with the message next to the field (422). A GET on these
POST-only addresses goes to the pipeline page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import ServiceError
from vinculo.core.settings_pages import form_errors, order_from_positions, wants_fragment
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.sales import selectors as sales_selectors
from vinculo.sales import services as sales_services
from vinculo.sales.settings_views.pipelines import pipeline_page


def _back(pipeline_id: int) -> HttpResponse:
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


def _refused(
    request: HttpRequest,
    pipeline_id: int,
    exc: ServiceError,
    posted: dict[str, Any],
    reason_id: int | None = None,
) -> HttpResponse:
    """The pipeline page with the refused form as typed and its errors (422)."""
    return pipeline_page(
        request,
        pipeline_id,
        status=422,
        errors=form_errors(exc),
        failed="lost" if reason_id is not None else "lost-new",
        failed_reason=reason_id,
        posted=posted,
    )


def _pipeline_id_of(a: Actor, reason_id: int) -> int:
    return sales_selectors.get_lost_reason(a, reason_id).pipeline_id


@workspace_view
def lost_reason_create(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """Add a reason at the end of the pipeline's list."""
    if request.method != "POST":
        return _back(sales_selectors.get_pipeline(actor(request), pipeline_id).pk)
    data = {"label": request.POST.get("label", "")}
    try:
        reason = sales_services.create_lost_reason(
            actor=actor(request), pipeline_id=pipeline_id, data=data
        )
    except ServiceError as exc:
        return _refused(request, pipeline_id, exc, data)
    messages.success(request, _("Lost reason %(label)s added.") % {"label": reason.display})
    return _back(pipeline_id)


@workspace_view
def lost_reason_update(request: HttpRequest, reason_id: int) -> HttpResponse:
    """Rename a reason (``label``) or archive/unarchive it (``is_active`` 0/1)."""
    a = actor(request)
    pipeline_id = _pipeline_id_of(a, reason_id)
    if request.method != "POST":
        return _back(pipeline_id)
    data: dict[str, Any] = {}
    if "label" in request.POST:
        data["label"] = request.POST.get("label", "")
    if request.POST.get("is_active") in {"0", "1"}:
        data["is_active"] = request.POST["is_active"] == "1"
    try:
        reason = sales_services.update_lost_reason(actor=a, reason_id=reason_id, data=data)
    except ServiceError as exc:
        return _refused(request, pipeline_id, exc, data, reason_id)
    if data.get("is_active") is False:
        message = _("Lost reason %(label)s archived.")
    elif data.get("is_active"):
        message = _("Lost reason %(label)s is offered again.")
    else:
        message = _("Lost reason %(label)s saved.")
    messages.success(request, message % {"label": reason.display})
    return _back(pipeline_id)


@workspace_view
def lost_reason_reorder(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """Save the order of the reasons (drag and drop, or the position inputs)."""
    a = actor(request)
    pipeline = sales_selectors.get_pipeline(a, pipeline_id)
    if request.method != "POST":
        return _back(pipeline.pk)
    current = sales_selectors.lost_reasons(a, pipeline, include_archived=True)
    order = order_from_positions(request, current)
    try:
        sales_services.reorder_lost_reasons(actor=a, pipeline_id=pipeline_id, reason_ids=order)
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        if wants_fragment(request):
            return HttpResponse(exc.detail, status=422, content_type="text/plain; charset=utf-8")
        messages.error(request, exc.detail)
        return _back(pipeline_id)
    if wants_fragment(request):
        return HttpResponse(status=204)
    messages.success(request, _("Order saved."))
    return _back(pipeline_id)
