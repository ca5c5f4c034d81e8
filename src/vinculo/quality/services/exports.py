"""Exports of people, companies and deals to CSV and XLSX: ONE export path for every screen, the
API and the background task.

What to export is an :class:`ExportSpec`: the object type, optionally a saved view (its filter,
search, sort and columns apply unless the spec carries its own), a filter tree of the filter
language, a search text, a sort and the columns (the default: every standard column and one
column per live custom field). Rows are read with ``iterator()`` in chunks, so memory stays flat
however many rows match; the CSV is UTF-8 with a BOM and every field quoted (so spreadsheets set
to ``;`` or ``,`` both read it); the XLSX is written with openpyxl's ``write_only`` mode and typed
cells (numbers, dates, yes/no).

Small exports (at most :data:`DIRECT_LIMIT` rows) are answered at once by the caller streaming
:func:`stream_csv` / :func:`write_export`; larger ones become an :class:`ExportJob` that a task
runs (:func:`run_export_job`). Every export is in the audit log (LGPD: who exported what and how
many rows).
"""

from __future__ import annotations

import csv
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from vinculo.core import audit, events
from vinculo.core import selectors as core_selectors
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, ValidationFailed
from vinculo.core.table_columns import STANDARD, check_sort, custom_columns
from vinculo.quality.models import ExportFormat, ExportJob, ExportStatus
from vinculo.workspaces.permissions import require

DIRECT_LIMIT = 5_000  # rows answered at once; more become a background job
CHUNK = 2_000  # rows read per query (prefetches run per chunk)
PROGRESS_EVERY = 1_000  # rows between progress updates of a job
EXPIRES_AFTER = timedelta(days=7)
MAX_IDS = 10_000

OBJECT_TYPES = ("person", "company", "deal")
FORMATS = tuple(ExportFormat.values)

for _name, _description in [
    (
        "export.completed",
        gettext_noop("A file export finished (payload: object type, format, rows)."),
    ),
    ("export.failed", gettext_noop("A background export failed.")),
]:
    events.register_event_type(_name, _description)

# Columns an export has besides the table's standard ones.
EXTRA: dict[str, tuple[tuple[str, Any], ...]] = {
    "person": (
        ("first_name", gettext_lazy("First name")),
        ("last_name", gettext_lazy("Last name")),
    ),
    "company": (("legal_name", gettext_lazy("Legal name")),),
    "deal": (("pipeline", gettext_lazy("Pipeline")), ("currency", gettext_lazy("Currency"))),
}


@dataclass
class ExportSpec:
    """What to export. ``ids`` narrows to given records (the audit report's offending ones)."""

    object_type: str
    view_id: int | None = None
    filter: dict[str, Any] | None = None
    q: str = ""
    sort: str = ""
    columns: list[str] | None = None
    ids: list[int] | None = None
    deleted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExportSpec:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class ExportColumn:
    """One column of the file: its key, its heading and how a row gives its value."""

    key: str
    label: str
    value: Callable[[Any], Any] = field(compare=False)


# --- validation ---------------------------------------------------------------------------------


def check_spec(actor: Actor, spec: ExportSpec, fmt: str) -> ExportSpec:
    """The spec with its saved view applied; refuses (422) an unknown object type, format, sort
    or column, and (404) a view the actor may not use or of another object type."""
    require(actor, "data.export")
    errors: list[FieldError] = []
    if spec.object_type not in OBJECT_TYPES:
        raise ValidationFailed.field(
            "object_type",
            _("Export one of: %(types)s.") % {"types": ", ".join(OBJECT_TYPES)},
            "invalid_choice",
        )
    if fmt not in FORMATS:
        errors.append(
            FieldError(
                "format",
                _("Choose a format: %(formats)s.") % {"formats": ", ".join(FORMATS)},
                "invalid_choice",
            )
        )
    resolved = ExportSpec(**spec.as_dict())
    if spec.view_id is not None:
        view = core_selectors.get_view(actor, spec.view_id)
        if view.object_type != spec.object_type:
            raise NotFound(_("No saved view with id %(id)s.") % {"id": spec.view_id})
        own = spec.filter is not None or spec.q or spec.sort or spec.columns
        if not own:
            resolved.filter = view.filter or None
            resolved.q = view.search
            resolved.sort = view.sort
            resolved.columns = list(view.columns) or None
    if resolved.filter is not None and not isinstance(resolved.filter, dict):
        errors.append(FieldError("filter", _("Send the filter as a JSON object."), "invalid"))
    if not check_sort(resolved.object_type, resolved.sort):
        errors.append(
            FieldError(
                "sort", _("This list cannot be sorted by %(sort)r.") % {"sort": resolved.sort}
            )
        )
    if resolved.columns:
        known = {c.key for c in available_columns(actor, resolved.object_type)}
        unknown = [k for k in resolved.columns if k not in known]
        if unknown:
            errors.append(
                FieldError(
                    "columns",
                    _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)},
                    "unknown_column",
                )
            )
    if resolved.ids is not None and (
        len(resolved.ids) > MAX_IDS or not all(isinstance(i, int) for i in resolved.ids)
    ):
        errors.append(FieldError("ids", _("Send at most 10,000 record ids."), "invalid"))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return resolved


# --- the rows -----------------------------------------------------------------------------------

# The plain values read per record (``values()``: no model instances, no per-row managers, which
# is what keeps 100k-row exports fast); tags and companies are read per batch of records.
VALUES: dict[str, tuple[str, ...]] = {
    "person": (
        "pk", "first_name", "last_name", "email", "phone", "mobile_phone", "job_title", "cpf",
        "city", "state", "source", "owner__email", "lifecycle_stage__name", "last_activity_at",
        "created_at", "updated_at", "custom_fields",
    ),
    "company": (
        "pk", "name", "legal_name", "cnpj", "industry", "city", "domain", "website", "email",
        "phone", "employees", "source", "owner__email", "lifecycle_stage__name",
        "last_activity_at", "created_at", "updated_at", "custom_fields",
    ),
    "deal": (
        "pk", "title", "pipeline__name", "stage__name", "status", "amount", "currency",
        "person__first_name", "person__last_name", "company__name", "owner__email",
        "expected_close_date", "source", "closed_at", "created_at", "updated_at", "custom_fields",
    ),
}  # fmt: skip


def matching(actor: Actor, spec: ExportSpec) -> QuerySet:
    """The records of a checked spec, in the spec's order (then by id), through the object's own
    list selector (so the scope and the filter are exactly the list screen's)."""
    qs: QuerySet[Any]
    if spec.object_type == "person":
        from vinculo.contacts import selectors as contacts

        qs = contacts.people(actor, q=spec.q or None, filter=spec.filter, deleted=spec.deleted)
    elif spec.object_type == "company":
        from vinculo.contacts import selectors as contacts

        qs = contacts.companies(actor, q=spec.q or None, filter=spec.filter, deleted=spec.deleted)
    else:
        from vinculo.sales import selectors as sales

        qs = sales.deals(actor, q=spec.q or None, filter=spec.filter, deleted=spec.deleted)
    if spec.ids is not None:
        qs = qs.filter(pk__in=spec.ids)
    sort = spec.sort or "-created_at"
    name = sort.removeprefix("-")
    order = F(name).desc(nulls_last=True) if sort.startswith("-") else F(name).asc(nulls_last=True)
    return qs.order_by(order, "pk")


def _tz(actor: Actor) -> ZoneInfo:
    try:
        return ZoneInfo(actor.workspace.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    # Spreadsheets have no time zones: show the workspace's wall-clock time.
    return timezone.localtime(moment, tz).replace(tzinfo=None) if moment else None


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _standard_getters(object_type: str, tz: ZoneInfo) -> dict[str, Callable[[Any], Any]]:
    def attr(name: str) -> Callable[[Any], Any]:
        return lambda r: r[name]

    def moment(name: str) -> Callable[[Any], Any]:
        return lambda r: _local(r[name], tz)

    common: dict[str, Callable[[Any], Any]] = {
        "id": attr("pk"),
        "owner": lambda r: r["owner__email"] or "",
        "tags": lambda r: r["_tags"],
        "source": attr("source"),
        "created_at": moment("created_at"),
        "updated_at": moment("updated_at"),
    }
    if object_type == "person":
        return {
            **common,
            "name": lambda r: _full_name(r["first_name"], r["last_name"]),
            **{k: attr(k) for k in ("first_name", "last_name", "email", "phone", "mobile_phone")},
            **{k: attr(k) for k in ("job_title", "cpf", "city", "state")},
            "company": lambda r: r["_company"],
            "lifecycle_stage": lambda r: r["lifecycle_stage__name"] or "",
            "last_activity_at": moment("last_activity_at"),
        }
    if object_type == "company":
        return {
            **common,
            **{k: attr(k) for k in ("name", "legal_name", "cnpj", "industry", "city", "domain")},
            **{k: attr(k) for k in ("website", "email", "phone", "employees")},
            "lifecycle_stage": lambda r: r["lifecycle_stage__name"] or "",
            "last_activity_at": moment("last_activity_at"),
        }
    from vinculo.sales.models import DealStatus

    statuses = {value: str(label) for value, label in DealStatus.choices}
    return {
        **common,
        "title": attr("title"),
        "pipeline": attr("pipeline__name"),
        "stage": attr("stage__name"),
        "status": lambda r: statuses.get(r["status"], r["status"]),
        "amount": attr("amount"),
        "currency": attr("currency"),
        "party": lambda r: " / ".join(
            n
            for n in (
                _full_name(r["person__first_name"], r["person__last_name"]),
                r["company__name"],
            )
            if n
        ),
        "expected_close_date": attr("expected_close_date"),
        "closed_at": moment("closed_at"),
    }


def _related(object_type: str, batch: list[dict[str, Any]]) -> None:
    """Add ``_tags`` (names joined) and, for people, ``_company`` (the primary company, else
    the first) to a batch of rows: two queries per batch, whatever its size."""
    from vinculo.contacts.models import Affiliation, Company, Person
    from vinculo.sales.models import Deal

    model: Any = {"person": Person, "company": Company, "deal": Deal}[object_type]
    ids = [r["pk"] for r in batch]
    through = model.tags.through
    link = f"{model._meta.model_name}_id"
    tags: dict[int, list[str]] = {}
    for owner_id, name in through.objects.filter(**{f"{link}__in": ids}).values_list(
        link, "tag__name"
    ):
        tags.setdefault(owner_id, []).append(name)
    companies: dict[int, str] = {}
    if object_type == "person":
        links = (
            Affiliation.objects.filter(person_id__in=ids)
            .order_by("person_id", "-is_primary", "pk")
            .values_list("person_id", "company__name")
        )
        for person_id, name in links:
            companies.setdefault(person_id, name)
    for row in batch:
        row["_tags"] = ", ".join(sorted(tags.get(row["pk"], ())))
        row["_company"] = companies.get(row["pk"], "")


def _custom_getter(key: str, field_type: str, choices: Any, tz: ZoneInfo) -> Callable[[Any], Any]:
    labels = {
        str(c["value"]): str(c.get("label") or c["value"])
        for c in choices or ()
        if isinstance(c, dict) and "value" in c
    }

    def typed(raw: Any) -> Any:
        if raw is None or raw == "" or raw == []:
            return None
        try:
            if field_type in {"number", "money"}:
                return Decimal(str(raw))
            if field_type == "date":
                return date.fromisoformat(str(raw))
            if field_type == "datetime":
                moment = datetime.fromisoformat(str(raw))
                return _local(moment, tz) if timezone.is_aware(moment) else moment
        except (InvalidOperation, ValueError):
            return str(raw)  # a value stored before the field's type changed: keep it as text
        if field_type == "boolean":
            return bool(raw) if isinstance(raw, bool) else str(raw)
        if field_type == "choice":
            return labels.get(str(raw), str(raw))
        if field_type == "multi_choice" and isinstance(raw, list):
            return ", ".join(labels.get(str(v), str(v)) for v in raw)
        return str(raw)

    return lambda record: typed((record["custom_fields"] or {}).get(key))


def _standard_keys(object_type: str) -> list[tuple[str, Any]]:
    keys: list[tuple[str, Any]] = [("id", "ID")]
    extra = dict(EXTRA.get(object_type, ()))
    for column in STANDARD[object_type]:
        keys.append((column.key, column.label))
        if column.key in {"name", "title"}:
            # First and last name, legal name… right after the record's name.
            keys.extend(extra.items())
            extra = {}
    keys.extend(extra.items())
    return keys


def available_columns(actor: Actor, object_type: str) -> list[ExportColumn]:
    """Every column an export of ``object_type`` may have, headings in the active language: the
    id, the standard columns (owner as email, tags joined, stage label…) and one column per
    live custom field, headed by the field's label."""
    tz = _tz(actor)
    getters = _standard_getters(object_type, tz)
    columns = [
        ExportColumn(key, str(label), getters[key]) for key, label in _standard_keys(object_type)
    ]
    from vinculo.contacts.selectors import custom_fields

    defs = {d.key: d for d in custom_fields(actor, object_type=object_type)}
    for column in custom_columns(actor, object_type):
        definition = defs.get(column.json_key)
        choices = definition.choices if definition is not None else ()
        columns.append(
            ExportColumn(
                column.key,
                str(column.label),
                _custom_getter(column.json_key, column.field_type, choices, tz),
            )
        )
    return columns


def export_columns(actor: Actor, spec: ExportSpec) -> list[ExportColumn]:
    """The columns of a checked spec, in its order (all of them when it names none)."""
    every = available_columns(actor, spec.object_type)
    if not spec.columns:
        return every
    by_key = {c.key: c for c in every}
    return [by_key[k] for k in spec.columns if k in by_key]


def rows(actor: Actor, spec: ExportSpec, columns: list[ExportColumn]) -> Iterator[list[Any]]:
    """The typed values of every matching record, one list per record, read in chunks of
    :data:`CHUNK` (memory stays flat however many records match)."""
    qs = matching(actor, spec).select_related(None).prefetch_related(None)
    batch: list[dict[str, Any]] = []
    for record in qs.values(*VALUES[spec.object_type]).iterator(chunk_size=CHUNK):
        batch.append(record)
        if len(batch) >= CHUNK:
            yield from _batch_rows(spec.object_type, batch, columns)
            batch = []
    if batch:
        yield from _batch_rows(spec.object_type, batch, columns)


def _batch_rows(
    object_type: str, batch: list[dict[str, Any]], columns: list[ExportColumn]
) -> Iterator[list[Any]]:
    _related(object_type, batch)
    for record in batch:
        yield [column.value(record) for column in columns]


# --- writers ------------------------------------------------------------------------------------

_FORMULA_START = ("=", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"^[+-][\d\s().-]*$")


def safe_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (``=``, ``@``, ``+``/``-`` that are not a
    phone number or a signed number are prefixed with an apostrophe, as OWASP advises)."""
    if text and (
        text.startswith(_FORMULA_START) or (text[0] in "+-" and not _SIGNED_NUMBER.match(text))
    ):
        return "'" + text
    return text


def csv_value(value: Any, yes: str, no: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | Decimal | int):
        return str(value) if not isinstance(value, date) else value.isoformat()
    return safe_text(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(actor: Actor, spec: ExportSpec, counter: list[int] | None = None) -> Iterator[bytes]:
    """The CSV of a checked spec as UTF-8 chunks (the first starts with the BOM). Headings and
    yes/no are resolved now, in the caller's language, not when the response is sent.
    ``counter[0]`` counts the rows written so far."""
    columns = export_columns(actor, spec)
    yes, no = _("Yes"), _("No")
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    header = writer.writerow([c.label for c in columns])
    counter = [0] if counter is None else counter

    def generate() -> Iterator[bytes]:
        yield ("\ufeff" + header).encode("utf-8")
        buffer: list[str] = []
        for values in rows(actor, spec, columns):
            buffer.append(writer.writerow([csv_value(v, yes, no) for v in values]))
            if len(buffer) >= 500:
                counter[0] += len(buffer)
                yield "".join(buffer).encode("utf-8")
                buffer = []
        if buffer:
            counter[0] += len(buffer)
            yield "".join(buffer).encode("utf-8")

    return generate()


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def write_xlsx(
    actor: Actor,
    spec: ExportSpec,
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the XLSX of a checked spec to ``out`` (openpyxl ``write_only``: rows go to a temp
    file, not memory) with typed cells; returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    columns = export_columns(actor, spec)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(spec.object_type))
    bold = Font(bold=True)
    heading = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    count = 0
    for values in rows(actor, spec, columns):
        cells: list[Any] = []
        for value in values:
            if isinstance(value, str):
                value = _ILLEGAL_XML.sub("", value)
                if value.startswith("="):
                    # openpyxl would store it as a formula; keep it text.
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    cells.append(cell)
                    continue
            # Dates and date-times get openpyxl's date formats by themselves.
            cells.append(value)
        sheet.append(cells)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    workbook.save(out)
    return count


def _sheet_title(object_type: str) -> str:
    return {"person": _("People"), "company": _("Companies"), "deal": _("Deals")}[object_type][:31]


def write_export(
    actor: Actor,
    spec: ExportSpec,
    fmt: str,
    out: IO[bytes],
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write a checked spec in ``fmt`` to the binary file ``out``; returns the number of rows.
    The direct download and the background job both write through here."""
    if fmt == ExportFormat.XLSX:
        return write_xlsx(actor, spec, out, progress)
    counter = [0]
    for chunk in stream_csv(actor, spec, counter):
        out.write(chunk)
        if progress is not None and counter[0]:
            progress(counter[0])
    return counter[0]


# --- the audit of an export ---------------------------------------------------------------------


def _summary(spec: ExportSpec) -> dict[str, Any]:
    return {
        "object_type": spec.object_type,
        "view_id": spec.view_id,
        "filter": spec.filter,
        "q": spec.q,
        "columns": spec.columns,
        "ids": len(spec.ids) if spec.ids is not None else None,
    }


def record_direct_export(*, actor: Actor, spec: ExportSpec, fmt: str, row_count: int) -> None:
    """Put a direct (streamed) export in the audit log: who exported what, how many rows. Called
    by the edges before they send the file."""
    require(actor, "data.export")
    with transaction.atomic():
        audit.record(
            actor,
            "export.downloaded",
            object_type="quality.export",
            changes={"format": fmt, "rows": row_count, "spec": _summary(spec)},
        )
        events.emit(
            "export.completed",
            actor=actor,
            subject_type="export",
            payload={"object_type": spec.object_type, "format": fmt, "rows": row_count},
        )


# --- background jobs ----------------------------------------------------------------------------


def count_rows(actor: Actor, spec: ExportSpec) -> int:
    """How many records a checked spec matches."""
    return matching(actor, spec).count()


def create_export_job(
    *, actor: Actor, spec: ExportSpec, fmt: str, total: int | None = None, enqueue: bool = True
) -> ExportJob:
    """Queue a background export (the task is enqueued once this commits; ``enqueue=False``
    when the caller runs the job itself at once). Refuses roles without ``data.export`` and bad
    specs (422 naming the field: object_type, format, filter, sort, columns, ids)."""
    spec = check_spec(actor, spec, fmt)
    if total is None:
        total = count_rows(actor, spec)
    with transaction.atomic():
        job = ExportJob.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            object_type=spec.object_type,
            format=fmt,
            spec=spec.as_dict(),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            total=total,
        )
        audit.record(
            actor,
            "export.requested",
            job,
            object_type="quality.export",
            changes={"format": fmt, "rows": total, "spec": _summary(spec)},
        )
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def record_download(*, actor: Actor, job: ExportJob) -> None:
    """Put the download of an export's file in the audit log (each download, not just the
    export, since every copy of personal data leaving the CRM counts under LGPD)."""
    require(actor, "data.export")
    with transaction.atomic():
        audit.record(
            actor,
            "export.file_downloaded",
            job,
            object_type="quality.export",
            changes={"format": job.format, "rows": job.row_count},
        )


def _enqueue(job_id: int) -> None:
    from vinculo.quality.tasks.exports import run_export_task

    run_export_task.enqueue(job_id)


def export_dir(workspace_id: int) -> Path:
    return Path(settings.DATA_DIR) / "files" / "exports" / str(workspace_id)


def job_actor(job: ExportJob) -> Actor | None:
    """The job's requester acting in its workspace now (None if they left or lost the right:
    then the job fails rather than export with someone else's rights)."""
    from vinculo.core.actor import Source
    from vinculo.workspaces.permissions import can
    from vinculo.workspaces.selectors import actor_for

    if job.created_by is None:
        return None
    actor = actor_for(job.created_by, job.workspace, source=Source.SYSTEM)
    if actor is None or not can(actor, "data.export"):
        return None
    return actor


def run_export_job(job_id: int) -> ExportJob | None:
    """Run a queued export (idempotent: a finished job is left alone; a job that crashed half
    way starts over into a fresh file). Writes to a temporary file renamed when complete, so a
    download never sees half a file."""
    job = ExportJob.objects.select_related("workspace", "created_by").filter(pk=job_id).first()
    if job is None or job.status == ExportStatus.DONE:
        return job
    actor = job_actor(job)
    if actor is None:
        _fail(job, _("The person who asked for this export can no longer export data."))
        return job
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), processed=0
    )
    folder = export_dir(job.workspace_id)
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{job.pk}-{uuid.uuid4().hex}.{job.format}"
    partial = final.with_suffix(final.suffix + ".part")

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(processed=done)

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            spec = check_spec(actor, ExportSpec.from_dict(job.spec), job.format)
            with partial.open("wb") as out:
                count = write_export(actor, spec, job.format, out, progress)
        os.replace(partial, final)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        _fail(job, str(getattr(exc, "detail", exc)))
        raise
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        old = job.file_path
        job.status = ExportStatus.DONE
        job.row_count = count
        job.processed = count
        job.file_path = str(final.relative_to(Path(settings.DATA_DIR)))
        job.file_size = final.stat().st_size
        job.finished_at = timezone.now()
        job.expires_at = job.finished_at + EXPIRES_AFTER
        job.error = ""
        job.save()
        audit.record(
            actor,
            "export.completed",
            job,
            object_type="quality.export",
            changes={"format": job.format, "rows": count, "spec": _summary(spec)},
        )
        events.emit(
            "export.completed",
            actor=actor,
            subject=job,
            payload={"object_type": job.object_type, "format": job.format, "rows": count},
        )
    if old and old != job.file_path:
        (Path(settings.DATA_DIR) / old).unlink(missing_ok=True)
    return job


def _fail(job: ExportJob, message: str) -> None:
    with transaction.atomic():
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        events.emit(
            "export.failed",
            actor=Actor.system(job.workspace),
            subject_type="exportjob",
            subject_id=job.pk,
            payload={"error": message[:200]},
        )


def purge_expired_exports(now: datetime | None = None) -> int:
    """Delete the files of exports past their expiry (the jobs stay, for the record); returns
    how many files went."""
    now = now or timezone.now()
    purged = 0
    for job in ExportJob.objects.filter(expires_at__lt=now).exclude(file_path=""):
        (Path(settings.DATA_DIR) / job.file_path).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(file_path="")
        purged += 1
    return purged
