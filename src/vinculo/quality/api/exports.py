"""REST endpoints of data quality: exports (create, status, download)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, PageOut
from vinculo.quality.models import ExportJob, ExportStatus
from vinculo.quality.selectors import exports as selectors
from vinculo.quality.services import exports as services
from vinculo.quality.services.exports import ExportSpec

router = Router(tags=["quality"])


class ExportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    object_type: Literal["person", "company", "deal"]
    format: Literal["csv", "xlsx"] = "csv"
    view_id: Id | None = Field(
        None, description="A saved view (its filter, search, sort and columns apply)."
    )
    filter: dict[str, Any] | None = Field(
        None, description="A condition tree of the filter language (docs/filters.md)."
    )
    q: str = Field("", description="Search text, as in the list screen.")
    sort: str = Field("", examples=["-created_at"])
    columns: list[str] | None = Field(
        None,
        description="Column keys (default: every standard column and every custom field).",
        examples=[["name", "email", "custom_fields.segment"]],
    )


class ExportOut(Schema):
    id: int
    object_type: str
    format: str
    status: ExportStatus
    progress: int = Field(description="0-100.")
    total: int = Field(description="Rows matching when the export was asked for.")
    row_count: int | None = Field(None, description="Rows written, once done.")
    error: str
    created_at: datetime
    finished_at: datetime | None
    expires_at: datetime | None
    download_url: str | None = Field(None, description="Set once the file is ready.")


class ExportQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _out(job: ExportJob) -> dict[str, Any]:
    ready = job.status == ExportStatus.DONE and bool(job.file_path)
    return {
        "id": job.pk,
        "object_type": job.object_type,
        "format": job.format,
        "status": job.status,
        "progress": job.percent,
        "total": job.total,
        "row_count": job.row_count,
        "error": job.error,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "expires_at": job.expires_at,
        "download_url": f"/api/v1/quality/exports/{job.pk}/download" if ready else None,
    }


@router.post(
    "/quality/exports",
    response={201: ExportOut, 202: ExportOut, **ERRORS},
    summary="Export people, companies or deals (a saved view or a filter) to CSV or XLSX",
    description="Small exports (up to 5,000 rows) are written at once (201, `download_url` "
    "set); larger ones run in the background (202): poll the export until `status` is `done`.",
)
def create_export(request: HttpRequest, payload: ExportIn) -> Status[dict[str, Any]]:
    a = actor_of(request)
    data = payload.dict()
    fmt = data.pop("format")
    spec = services.check_spec(a, ExportSpec(**data), fmt)
    total = services.count_rows(a, spec)
    small = total <= services.DIRECT_LIMIT
    job = services.create_export_job(actor=a, spec=spec, fmt=fmt, total=total, enqueue=not small)
    if small:
        job = services.run_export_job(job.pk) or job
        return Status(201, _out(job))
    return Status(202, _out(job))


@router.get("/quality/exports", response={200: PageOut[ExportOut], **ERRORS}, summary="The exports")
def list_exports(request: HttpRequest, query: Query[ExportQuery]) -> dict[str, Any]:
    page = paginate(
        selectors.export_jobs(actor_of(request)),
        cursor=query.cursor,
        limit=query.limit,
        order="-pk",
    )
    return {"items": [_out(j) for j in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/quality/exports/{export_id}",
    response={200: ExportOut, **ERRORS},
    summary="An export's status and progress",
)
def get_export(request: HttpRequest, export_id: Id) -> dict[str, Any]:
    return _out(selectors.get_export_job(actor_of(request), export_id))


@router.get(
    "/quality/exports/{export_id}/download",
    response={200: None, **ERRORS},
    summary="The exported file (CSV or XLSX)",
    openapi_extra={
        # int 200, as ninja keys its own responses: a "200" string would be a second key of the
        # same name in the JSON, which Swagger UI refuses ("duplicated mapping key")
        "responses": {
            200: {
                "description": "The file",
                "content": {
                    "text/csv": {"schema": {"type": "string", "format": "binary"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def download_export(request: HttpRequest, export_id: Id) -> FileResponse:
    a = actor_of(request)
    job, path = selectors.export_file(a, export_id)
    services.record_download(actor=a, job=job)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=job.content_type,
    )
