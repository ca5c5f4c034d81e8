"""Settings, pipelines and their stages: create, rename, make default, archive; add, change,
delete and reorder stages (``web:settings:pipeline…``, ``web:settings:stage_…``). The pipeline
page also holds the lost reasons (:mod:`vinculo.sales.settings_views.lost_reasons`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, order_from_positions, page, wants_fragment
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.sales import selectors as sales_selectors
from vinculo.sales import services as sales_services
from vinculo.sales.models import StageKind


@workspace_view
def pipelines(request: HttpRequest) -> HttpResponse:
    return _pipelines_page(request)


def _pipelines_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return page(
        request,
        "sales/settings/pipelines.html",
        "pipelines",
        {
            "pipelines": sales_selectors.pipelines(a, include_archived=True).order_by(
                "archived_at", "position", "pk"
            ),
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
@require_POST
def pipeline_create(request: HttpRequest) -> HttpResponse:
    """A new pipeline with the default stages (edit them on its page)."""
    data = {"name": request.POST.get("name", "")}
    try:
        pipeline = sales_services.create_pipeline(actor=actor(request), data=data)
    except ServiceError as exc:
        return _pipelines_page(request, status=422, errors=form_errors(exc), data=data)
    messages.success(request, _("Pipeline %(name)s created.") % {"name": pipeline.name})
    return redirect("web:settings:pipeline", pipeline_id=pipeline.pk)


def pipeline_page(
    request: HttpRequest, pipeline_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    a = actor(request)
    pipeline = sales_selectors.get_pipeline(a, pipeline_id)
    return page(
        request,
        "sales/settings/pipeline.html",
        "pipelines",
        {
            "pipeline": pipeline,
            "stages": list(pipeline.stages.all()),
            "kinds": StageKind.choices,
            **sales_selectors.lost_reason_summary(a, pipeline),
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def pipeline_detail(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """A pipeline's stages; POST renames it, makes it the default or (un)archives it."""
    if request.method != "POST":
        return pipeline_page(request, pipeline_id)
    data: dict[str, Any] = {}
    if "name" in request.POST:
        data["name"] = request.POST.get("name", "")
    if request.POST.get("is_default") == "1":
        data["is_default"] = True
    if request.POST.get("archived") in {"0", "1"}:
        data["archived"] = request.POST["archived"] == "1"
    try:
        sales_services.update_pipeline(actor=actor(request), pipeline_id=pipeline_id, data=data)
    except ServiceError as exc:
        return pipeline_page(
            request,
            pipeline_id,
            status=422,
            errors=form_errors(exc),
            failed="pipeline",
            posted=data,
        )
    messages.success(request, _("Pipeline saved."))
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


def _stage_data(request: HttpRequest) -> dict[str, Any]:
    probability = request.POST.get("probability", "").strip()
    return {
        "name": request.POST.get("name", ""),
        "kind": request.POST.get("kind", ""),
        "probability": probability or None,
        "rotting_days": request.POST.get("rotting_days", "").strip() or None,
    }


@workspace_view
@require_POST
def stage_create(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    data = _stage_data(request)
    try:
        stage = sales_services.create_stage(
            actor=actor(request), pipeline_id=pipeline_id, data=data
        )
    except ServiceError as exc:
        return pipeline_page(
            request, pipeline_id, status=422, errors=form_errors(exc), failed="new", posted=data
        )
    messages.success(request, _("Stage %(name)s added.") % {"name": stage.name})
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


@workspace_view
@require_POST
def stage_update(request: HttpRequest, stage_id: int) -> HttpResponse:
    a = actor(request)
    data = _stage_data(request)
    try:
        stage = sales_services.update_stage(actor=a, stage_id=stage_id, data=data)
    except ServiceError as exc:
        pipeline_id = sales_selectors.get_stage(a, stage_id).pipeline_id
        return pipeline_page(
            request, pipeline_id, status=422, errors=form_errors(exc), failed=stage_id, posted=data
        )
    messages.success(request, _("Stage %(name)s saved.") % {"name": stage.name})
    return redirect("web:settings:pipeline", pipeline_id=stage.pipeline_id)


@workspace_view
@require_POST
def stage_delete(request: HttpRequest, stage_id: int) -> HttpResponse:
    """Delete a stage, moving its deals to the chosen stage of the same kind."""
    a = actor(request)
    pipeline_id = sales_selectors.get_stage(a, stage_id).pipeline_id
    target = request.POST.get("move_deals_to", "")
    try:
        sales_services.delete_stage(
            actor=a, stage_id=stage_id, move_deals_to=int(target) if target.isdigit() else None
        )
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Stage deleted."))
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


@workspace_view
@require_POST
def stage_reorder(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """Save the order of a pipeline's stages (drag and drop, or the position inputs)."""
    a = actor(request)
    pipeline = sales_selectors.get_pipeline(a, pipeline_id)
    order = order_from_positions(request, pipeline.stages.all())
    try:
        sales_services.reorder_stages(actor=a, pipeline_id=pipeline_id, stage_ids=order)
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        if wants_fragment(request):
            return HttpResponse(exc.detail, status=422, content_type="text/plain; charset=utf-8")
        messages.error(request, exc.detail)
        return redirect("web:settings:pipeline", pipeline_id=pipeline_id)
    if wants_fragment(request):
        return HttpResponse(status=204)
    messages.success(request, _("Order saved."))
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)
