"""Screens of data quality: exports.

The list screens' export buttons (people, companies, deals) build an :class:`ExportSpec` of what
the table shows and call :func:`vinculo.core.exports.export_response`, answered here by
:func:`table_export` (registered at ``ready()``): a small export downloads at once (streamed),
a large one becomes a background job shown on ``/quality/exports/`` with a progress bar (htmx
polling every second) and a download link when done.
"""

from __future__ import annotations

import json
import tempfile
from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from vinculo.core.errors import NotFound, PermissionDenied, ServiceError
from vinculo.core.filters import parse_filter_param
from vinculo.core.table_columns import parse_columns
from vinculo.core.ui import actor, is_htmx, safe_next, workspace_view
from vinculo.quality.models import ExportFormat, ExportStatus
from vinculo.quality.models.exports import CONTENT_TYPES
from vinculo.quality.selectors import exports as selectors
from vinculo.quality.selectors.audit import finding_ids
from vinculo.quality.services import exports as services
from vinculo.quality.services.exports import ExportSpec

FILENAMES = {"person": "people", "company": "companies", "deal": "deals"}


def requested_format(request: HttpRequest) -> str:
    fmt = (request.GET.get("format") or ExportFormat.CSV).lower()
    return fmt if fmt in ExportFormat.values else ExportFormat.CSV


def export_response(
    request: HttpRequest, spec: ExportSpec, fmt: str, *, back: str = "/"
) -> HttpResponseBase:
    """The export of ``spec``: the file itself when small, else a background job and a redirect
    to the exports page. Bad input goes back to ``back`` with the service's message."""
    a = actor(request)
    try:
        spec = services.check_spec(a, spec, fmt)
        total = services.count_rows(a, spec)
        if total > services.DIRECT_LIMIT:
            job = services.create_export_job(actor=a, spec=spec, fmt=fmt, total=total)
            messages.info(
                request,
                _("Exporting %(n)s rows in the background; the file will be ready here.")
                % {"n": number_format(total, force_grouping=True)},
            )
            return redirect(f"{reverse('quality:exports')}?job={job.pk}")
        services.record_direct_export(actor=a, spec=spec, fmt=fmt, row_count=total)
    except (NotFound, PermissionDenied):
        raise
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    filename = f"{FILENAMES[spec.object_type]}.{fmt}"
    if fmt == ExportFormat.CSV:
        response = StreamingHttpResponse(
            services.stream_csv(a, spec), content_type=CONTENT_TYPES[ExportFormat.CSV]
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    # openpyxl needs a seekable file to zip into: a temporary one, gone when closed.
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    services.write_export(a, spec, fmt, out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[fmt])


def table_export(request: HttpRequest, spec: ExportSpec, *, back: str) -> HttpResponseBase:
    """The list screens' export (registered as :mod:`vinculo.core.exports`' responder): ``spec``
    in the format the request asks for (``format=xlsx``, CSV by default)."""
    return export_response(request, spec, requested_format(request), back=back)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@workspace_view
def export_new(request: HttpRequest) -> HttpResponseBase:
    """``/quality/exports/new?object_type=person&format=xlsx``: export a saved view (``view``),
    a filter tree (``filter`` as JSON), a search (``q``), a sort and ``columns=a,b``; or the
    offending records of an audit finding (``audit=<run id>&finding=<key>``)."""
    back = safe_next(request, default="/quality/exports/")
    object_type = request.GET.get("object_type", "person")
    ids = None
    audit_id = _int(request.GET.get("audit"))
    if audit_id is not None:
        object_type, ids = finding_ids(actor(request), audit_id, request.GET.get("finding", ""))
    try:
        tree = parse_filter_param(request.GET.get("filter"))
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    spec = ExportSpec(
        object_type=object_type,
        view_id=_int(request.GET.get("view")),
        filter=tree,
        q=request.GET.get("q", "").strip(),
        sort=request.GET.get("sort", "").strip(),
        columns=parse_columns(request.GET.getlist("columns")) or None,
        ids=ids,
    )
    return export_response(request, spec, requested_format(request), back=back)


@workspace_view
def export_list(request: HttpRequest) -> HttpResponse:
    """``/quality/exports/``: the workspace's exports with progress and downloads; htmx polls
    the table every second while one runs."""
    jobs = list(selectors.export_jobs(actor(request))[:50])
    running = any(j.status in {ExportStatus.QUEUED, ExportStatus.RUNNING} for j in jobs)
    context: dict[str, Any] = {
        "jobs": jobs,
        "running": running,
        "highlight": _int(request.GET.get("job")),
    }
    if is_htmx(request):
        return render(request, "quality/exports/_jobs.html", context)
    return render(request, "quality/exports/list.html", context)


@workspace_view
def export_download(request: HttpRequest, job_id: int) -> FileResponse:
    """The file of a finished export (members with ``data.export`` of its workspace only)."""
    a = actor(request)
    job, file_path = selectors.export_file(a, job_id)
    services.record_download(actor=a, job=job)
    return FileResponse(
        file_path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )


def spec_json(spec: ExportSpec) -> str:
    return json.dumps(spec.as_dict(), ensure_ascii=False)


urlpatterns: list[URLPattern] = [
    path("exports/", export_list, name="exports"),
    path("exports/new", export_new, name="export_new"),
    path("exports/<int:job_id>/download", export_download, name="export_download"),
]
