"""Screens of data quality: imports (list, upload, mapping + dry run, progress, result)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from vinculo.core.errors import ServiceError, ValidationFailed
from vinculo.core.ui import actor, field_errors, is_htmx, workspace_view
from vinculo.quality.models import ImportDedupe, ImportObject, ImportStatus
from vinculo.quality.selectors import imports as selectors
from vinculo.quality.services import imports as services
from vinculo.quality.services.import_messages import message_text, reasons_out
from vinculo.quality.services.import_preview import preview_table

ROWS_PER_PAGE = 50
COLOURS = (
    ("#16a34a", "created"),
    ("#2563eb", "updated"),
    ("#94a3b8", "skipped"),
    ("#dc2626", "rejected"),
)


def chart(created: int, updated: int, skipped: int, rejected: int) -> dict[str, Any]:
    """An import's outcome as one stacked bar, as the shared chart set-up draws it
    (web/charts.js, ECharts): a series per outcome with its colour and plain count."""
    names = {
        "created": _("Created"),
        "updated": _("Updated"),
        "skipped": _("Skipped"),
        "rejected": _("Rejected"),
    }
    counts = (created, updated, skipped, rejected)
    return {
        "kind": "stacked",
        "unit": "count",
        "fixedHeight": True,
        "labels": [""],
        "series": [
            {"name": str(names[label]), "values": [n], "color": colour}
            for (colour, label), n in zip(COLOURS, counts, strict=True)
        ],
    }


@workspace_view
def import_list(request: HttpRequest) -> HttpResponse:
    me = actor(request)
    jobs = selectors.imports(me)[:100]
    return render(
        request,
        "quality/imports/list.html",
        {"jobs": jobs, "templates": selectors.templates(me)},
    )


@workspace_view
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    me = actor(request)
    templates = selectors.templates(me)
    errors: dict[str, list[str]] = {}
    posted = request.POST
    if request.method == "POST":
        upload = request.FILES.get("file")
        template_id = posted.get("template_id") or None
        try:
            if upload is None:
                raise ValidationFailed.field("file", _("Choose a file."), "required")
            job = services.create_import(
                actor=me,
                object_type=posted.get("object_type", ""),
                file_name=upload.name or "import.csv",
                content=upload,
                template_id=int(template_id) if template_id and template_id.isdigit() else None,
                sheet=posted.get("sheet", "").strip(),
            )
        except ServiceError as exc:
            errors = field_errors(exc)
        else:
            return redirect("quality:import_detail", job.pk)
    else:
        selectors.imports(me)  # the permission check, before showing the form
    return render(
        request,
        "quality/imports/new.html",
        {
            "templates": templates,
            "object_types": ImportObject.choices,
            "errors": errors,
            "posted": posted,
        },
        status=422 if errors else 200,
    )


def _rejected_page(request: HttpRequest, job_id: int, *, dry_run: bool) -> Any:
    """A page of rejected rows, their reasons in the reader's language."""
    rows = selectors.rejected_rows(actor(request), job_id, dry_run=dry_run).order_by("line", "id")
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for error in page:
        error.messages = reasons_out(error.reasons)
    return page


def _progress_context(job: Any) -> dict[str, Any]:
    return {"job": job, "chart": _job_chart(job), "error": message_text(job.error)}


@workspace_view
def import_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    me = actor(request)
    job = selectors.get_import(me, job_id)
    if job.status == ImportStatus.DRAFT:
        return _mapping_screen(request, job)
    return render(
        request,
        "quality/imports/progress.html",
        {**_progress_context(job), "rejected": _rejected_page(request, job.pk, dry_run=False)},
    )


def _job_chart(job: Any) -> dict[str, Any]:
    return chart(job.created_count, job.updated_count, job.skipped_count, job.rejected_count)


def _mapping_screen(
    request: HttpRequest, job: Any, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    me = actor(request)
    samples = (job.preview or {}).get("samples") or []
    preview = job.preview if (job.preview or {}).get("rows") is not None else None
    columns = [
        {
            "index": i,
            "header": header,
            "field": job.mapping.get(header, ""),
            "samples": [row[i] for row in samples if i < len(row) and row[i].strip()][:3],
        }
        for i, header in enumerate(job.headers)
    ]
    return render(
        request,
        "quality/imports/mapping.html",
        {
            "job": job,
            "columns": columns,
            "field_groups": services.field_groups(me, job.object_type),
            "dedupe_choices": ImportDedupe.choices,
            "dedupe": request.POST.get("dedupe") or (job.options or {}).get("dedupe", "update"),
            "preview": preview,
            "table": preview_table(me, job) if preview else None,
            "chart": chart(
                preview.get("would_create", 0),
                preview.get("would_update", 0),
                preview.get("would_skip", 0),
                preview.get("rejected", 0),
            )
            if preview
            else None,
            "rejected": _rejected_page(request, job.pk, dry_run=True),
            "errors": errors or {},
            "posted": request.POST,
        },
        status=status,
    )


@workspace_view
@require_POST
def import_mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    """Save the mapping, then: dry run, start, or save as a template (the button pressed)."""
    me = actor(request)
    job = selectors.get_import(me, job_id)
    mapping = {h: request.POST.get(f"map_{i}", "") for i, h in enumerate(job.headers)}
    action = request.POST.get("action", "save")
    try:
        job = services.set_mapping(
            actor=me,
            job_id=job.pk,
            mapping=mapping,
            options={"dedupe": request.POST.get("dedupe") or ImportDedupe.UPDATE},
        )
        if action == "template":
            services.save_job_as_template(
                actor=me, job_id=job.pk, name=request.POST.get("template_name", "")
            )
        elif action == "dry_run":
            job = services.dry_run_import(actor=me, job_id=job.pk)
        elif action == "start":
            services.start_import(actor=me, job_id=job.pk)
            return redirect("quality:import_detail", job.pk)
    except ServiceError as exc:
        job.refresh_from_db()
        # Keep what was chosen on screen even though it was not saved.
        job.mapping = mapping
        return _mapping_screen(request, job, field_errors(exc), status=422)
    # Post/redirect/get: the import's page shows the saved mapping and the dry run's preview,
    # and a reload does not post again.
    if action in {"save", "template"}:
        messages.success(request, _("Saved."))
    return redirect("quality:import_detail", job.pk)


@workspace_view
def import_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress fragment (htmx polls it every second while the import runs)."""
    job = selectors.get_import(actor(request), job_id)
    if not is_htmx(request):
        return redirect("quality:import_detail", job.pk)
    response = render(request, "quality/imports/_progress.html", _progress_context(job))
    if job.status not in {ImportStatus.QUEUED, ImportStatus.RUNNING}:
        # Finished: reload the whole page, which then shows the rejected rows and download.
        response["HX-Refresh"] = "true"
    return response


@workspace_view
@require_POST
def import_resume(request: HttpRequest, job_id: int) -> HttpResponse:
    return _act(request, job_id, services.resume_import)


@workspace_view
@require_POST
def import_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    return _act(request, job_id, services.cancel_import)


def _act(request: HttpRequest, job_id: int, service: Any) -> HttpResponse:
    me = actor(request)
    job = selectors.get_import(me, job_id)
    try:
        service(actor=me, job_id=job.pk)
    except ServiceError as exc:
        errors = field_errors(exc)
        return render(
            request,
            "quality/imports/progress.html",
            {
                **_progress_context(job),
                "errors": errors,
                "rejected": _rejected_page(request, job.pk, dry_run=False),
            },
            status=409,
        )
    return redirect("quality:import_detail", job.pk)


@workspace_view
def import_rejected_csv(request: HttpRequest, job_id: int) -> StreamingHttpResponse:
    job = selectors.get_import(actor(request), job_id)
    csv_file = services.rejected_csv(job)
    response = StreamingHttpResponse(csv_file.chunks, content_type=csv_file.content_type)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
    return response


@workspace_view
@require_POST
def import_template_delete(request: HttpRequest, template_id: int) -> HttpResponse:
    services.delete_template(actor=actor(request), template_id=template_id)
    return redirect("quality:import_list")


urlpatterns: list[URLPattern] = [
    path("imports/", import_list, name="import_list"),
    path("imports/new/", import_new, name="import_new"),
    path("imports/<int:job_id>/", import_detail, name="import_detail"),
    path("imports/<int:job_id>/mapping/", import_mapping, name="import_mapping"),
    path("imports/<int:job_id>/progress/", import_progress, name="import_progress"),
    path("imports/<int:job_id>/resume/", import_resume, name="import_resume"),
    path("imports/<int:job_id>/cancel/", import_cancel, name="import_cancel"),
    path("imports/<int:job_id>/rejected.csv", import_rejected_csv, name="import_rejected_csv"),
    path(
        "imports/templates/<int:template_id>/delete/",
        import_template_delete,
        name="import_template_delete",
    ),
]
