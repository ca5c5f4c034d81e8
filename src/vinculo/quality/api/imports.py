"""REST endpoints of data quality: imports (upload, mapping, dry run, run, resume, cancel,
rejected rows) and the saved mapping templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.permissions import require
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut
from vinculo.quality.models import ImportJob, ImportRowError, ImportTemplate
from vinculo.quality.selectors import imports as selectors
from vinculo.quality.services import imports as services
from vinculo.quality.services.import_messages import message_text, reasons_out

router = Router(tags=["quality"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class ImportOut(Schema):
    id: int
    object_type: str
    status: str
    file_name: str
    file_format: str
    file_size: int
    encoding: str
    delimiter: str
    sheet: str
    headers: list[str]
    mapping: dict[str, str] = Field(description='Column header → field ("" ignores it).')
    options: dict[str, Any]
    template_id: int | None
    total_rows: int | None
    next_row: int = Field(description="Checkpoint: data rows committed so far.")
    percent: int
    created_count: int
    updated_count: int
    skipped_count: int
    rejected_count: int
    preview: dict[str, Any] | None = Field(
        description="Dry run: counts and first_rows (line, action create/update/skip/reject, "
        "record_id, values by field as stored, reasons)."
    )
    error: str = Field(description="Why the import stopped, in the request's language.")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class MappingIn(In):
    mapping: dict[str, str] = Field(description='Column header → field; "" ignores a column.')
    options: dict[str, Any] | None = Field(
        None, description='{"dedupe": "update" | "skip" | "create"}'
    )


class DryRunIn(In):
    limit: Int32 | None = Field(
        services.DRY_RUN_ROWS, ge=1, description="Rows to try (null: the whole file)."
    )


class SuggestIn(In):
    object_type: str = Field(description="people, companies or deals")
    headers: list[str]
    template_id: Id | None = None


class SuggestOut(Schema):
    mapping: dict[str, str]
    fields: list[str]
    labels: dict[str, str] = Field(
        description="Field → its label in the request's language (Accept-Language)."
    )


class ImportReasonOut(Schema):
    column: str = Field(description="The file's column the problem is in (may be empty).")
    field: str = Field(description="The record field (service name) the problem is about.")
    code: str = Field(description="A stable error code, e.g. required, invalid_cpf, unique.")
    message: str = Field(description="The reason, in the request's language (Accept-Language).")


class RowErrorOut(Schema):
    id: int
    line: int = Field(description="Row number in the file (the header is row 1).")
    values: list[str]
    reasons: list[ImportReasonOut]


class RowErrorQuery(Schema):
    cursor: str | None = None
    limit: Int32 | None = None
    dry_run: bool = False


class TemplateIn(In):
    name: str | None = None
    object_type: str | None = None
    mapping: dict[str, str] | None = None
    options: dict[str, Any] | None = None


class TemplateCreate(TemplateIn):
    name: str
    object_type: str


class TemplateOut(Schema):
    id: int
    name: str
    object_type: str
    mapping: dict[str, str]
    options: dict[str, Any]
    created_at: datetime


def _job(job: ImportJob) -> dict[str, Any]:
    body = {name: getattr(job, name) for name in ImportOut.model_fields}
    body["error"] = message_text(job.error)
    if body["preview"] and body["preview"].get("first_rows"):
        rows = [
            {**row, "reasons": reasons_out(row.get("reasons") or [])}
            for row in body["preview"]["first_rows"]
        ]
        body["preview"] = {**body["preview"], "first_rows": rows}
    return body


def _template(t: ImportTemplate) -> dict[str, Any]:
    return {name: getattr(t, name) for name in TemplateOut.model_fields}


def _row(e: ImportRowError) -> dict[str, Any]:
    return {"id": e.pk, "line": e.line, "values": e.values, "reasons": reasons_out(e.reasons)}


@router.post(
    "/quality/imports",
    response={201: ImportOut, **ERRORS},
    summary="Upload a CSV or XLSX file to import (multipart); answers the suggested mapping",
)
def upload_import(
    request: HttpRequest,
    file: File[UploadedFile],
    object_type: Form[str],
    template_id: Form[Id | None] = None,
    sheet: Form[str] = "",
) -> Status[dict[str, Any]]:
    job = services.create_import(
        actor=actor_of(request),
        object_type=object_type,
        file_name=file.name or "import.csv",
        content=file,
        template_id=template_id,
        sheet=sheet,
    )
    return Status(201, _job(job))


@router.get("/quality/imports", response={200: PageOut[ImportOut], **ERRORS})
def list_imports(
    request: HttpRequest, cursor: str | None = None, limit: Int32 | None = None
) -> dict[str, Any]:
    page = paginate(selectors.imports(actor_of(request)), cursor=cursor, limit=limit, order="-pk")
    return {"items": [_job(j) for j in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/quality/imports/suggest-mapping",
    response={200: SuggestOut, **ERRORS},
    summary="Suggest a column mapping for these headers (pt-BR and English names)",
)
def suggest_mapping(request: HttpRequest, payload: SuggestIn) -> dict[str, Any]:
    actor = actor_of(request)
    require(actor, "data.import")
    template = selectors.get_template(actor, payload.template_id) if payload.template_id else None
    mapping = services.suggest_mapping(actor, payload.object_type, payload.headers, template)
    labels = dict(services.field_choices(actor, payload.object_type))
    return {"mapping": mapping, "fields": list(labels), "labels": labels}


@router.get("/quality/imports/{job_id}", response={200: ImportOut, **ERRORS})
def get_import(request: HttpRequest, job_id: Id) -> dict[str, Any]:
    return _job(selectors.get_import(actor_of(request), job_id))


@router.put(
    "/quality/imports/{job_id}/mapping",
    response={200: ImportOut, **ERRORS},
    summary="Set the column mapping and options (dedupe mode)",
)
def set_mapping(request: HttpRequest, job_id: Id, payload: MappingIn) -> dict[str, Any]:
    job = services.set_mapping(
        actor=actor_of(request), job_id=job_id, mapping=payload.mapping, options=payload.options
    )
    return _job(job)


@router.post(
    "/quality/imports/{job_id}/dry-run",
    response={200: ImportOut, **ERRORS},
    summary="Try the import and roll it back: counts, first rows, rejected rows",
)
def dry_run(request: HttpRequest, job_id: Id, payload: DryRunIn) -> dict[str, Any]:
    job = services.dry_run_import(actor=actor_of(request), job_id=job_id, limit=payload.limit)
    return _job(job)


@router.post(
    "/quality/imports/{job_id}/start",
    response={202: ImportOut, **ERRORS},
    summary="Run the import in the background",
)
def start_import(request: HttpRequest, job_id: Id) -> Status[dict[str, Any]]:
    return Status(202, _job(services.start_import(actor=actor_of(request), job_id=job_id)))


@router.post(
    "/quality/imports/{job_id}/resume",
    response={202: ImportOut, **ERRORS},
    summary="Continue a failed or interrupted import after its last committed batch",
)
def resume_import(request: HttpRequest, job_id: Id) -> Status[dict[str, Any]]:
    return Status(202, _job(services.resume_import(actor=actor_of(request), job_id=job_id)))


@router.post("/quality/imports/{job_id}/cancel", response={200: ImportOut, **ERRORS})
def cancel_import(request: HttpRequest, job_id: Id) -> dict[str, Any]:
    return _job(services.cancel_import(actor=actor_of(request), job_id=job_id))


@router.get(
    "/quality/imports/{job_id}/rejected",
    response={200: PageOut[RowErrorOut], **ERRORS},
    summary="Rejected rows with their reasons, in file order (dry_run=true: the dry run's)",
)
def rejected_rows(request: HttpRequest, job_id: Id, query: Query[RowErrorQuery]) -> dict[str, Any]:
    qs = selectors.rejected_rows(actor_of(request), job_id, dry_run=query.dry_run)
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="pk")
    return {"items": [_row(e) for e in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/quality/imports/{job_id}/rejected.csv",
    response={200: None, **ERRORS},
    summary="Rejected rows as CSV: original columns, then row and reason",
    description="The upload's delimiter and encoding (an XLSX upload: UTF-8 with BOM, `;` in "
    "Portuguese); the last two columns are headed `row` and `reason`, the reasons in the "
    "request's language; cells that would run as a formula are escaped with `'`.",
)
def rejected_csv(request: HttpRequest, job_id: Id) -> StreamingHttpResponse:
    job = selectors.get_import(actor_of(request), job_id)
    csv_file = services.rejected_csv(job)
    response = StreamingHttpResponse(csv_file.chunks, content_type=csv_file.content_type)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
    return response


# --- templates --------------------------------------------------------------------------------


@router.get("/quality/import-templates", response={200: list[TemplateOut], **ERRORS})
def list_templates(request: HttpRequest, object_type: str | None = None) -> list[dict[str, Any]]:
    return [_template(t) for t in selectors.templates(actor_of(request), object_type)]


@router.post("/quality/import-templates", response={201: TemplateOut, **ERRORS})
def create_template(request: HttpRequest, payload: TemplateCreate) -> Status[dict[str, Any]]:
    template = services.create_template(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, _template(template))


@router.get("/quality/import-templates/{template_id}", response={200: TemplateOut, **ERRORS})
def get_template(request: HttpRequest, template_id: Id) -> dict[str, Any]:
    return _template(selectors.get_template(actor_of(request), template_id))


@router.patch("/quality/import-templates/{template_id}", response={200: TemplateOut, **ERRORS})
def update_template(request: HttpRequest, template_id: Id, payload: TemplateIn) -> dict[str, Any]:
    template = services.update_template(
        actor=actor_of(request), template_id=template_id, data=payload.dict(exclude_unset=True)
    )
    return _template(template)


@router.delete("/quality/import-templates/{template_id}", response={204: None, **ERRORS})
def delete_template(request: HttpRequest, template_id: Id) -> Status[None]:
    services.delete_template(actor=actor_of(request), template_id=template_id)
    return Status(204, None)
