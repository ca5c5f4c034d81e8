"""Writes of data quality: importing people, companies and deals from CSV and XLSX files.

The pipeline: :func:`create_import` stores the upload and reads its headers; :func:`set_mapping`
takes the column mapping and options; :func:`dry_run_import` runs the real batches inside a
transaction that is rolled back; :func:`start_import` queues the background task, which calls
:func:`run_import`. Every write goes through the contacts and sales bulk services. Each batch
commits its records, its rejected rows and the job's checkpoint in ONE transaction, so a crash
loses at most the batch in flight and :func:`resume_import` continues right after the last
committed one. Reading files and the column mapping are in ``import_files``; turning rows into
service input and processing a batch in ``import_rows``; saved mappings in ``import_templates``.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.core import audit, events, jobs
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
)
from vinculo.core.permissions import require
from vinculo.quality.models import (
    ImportDedupe,
    ImportJob,
    ImportObject,
    ImportRowError,
    ImportStatus,
    ImportTemplate,
)
from vinculo.quality.services.import_files import (
    _check_object_type,
    batch_size,
    clean_mapping,
    clean_options,
    count_rows,
    detect_delimiter,
    detect_encoding,
    open_rows,
    stale_after,
    suggest_mapping,
    unique_headers,
)
from vinculo.quality.services.import_files import field_choices as field_choices  # re-exported
from vinculo.quality.services.import_files import field_groups as field_groups
from vinculo.quality.services.import_guard import process_batch_guarded
from vinculo.quality.services.import_preview import PREVIEW_ROWS, without_rolled_back
from vinculo.quality.services.import_report import RejectedCsv as RejectedCsv  # re-exported
from vinculo.quality.services.import_report import rejected_csv as rejected_csv
from vinculo.quality.services.import_rows import Batcher, BatchOutcome, Row, _batches
from vinculo.quality.services.import_templates import create_template as create_template
from vinculo.quality.services.import_templates import delete_template as delete_template
from vinculo.quality.services.import_templates import get_template
from vinculo.quality.services.import_templates import update_template as update_template
from vinculo.workspaces.selectors import actor_for

MAX_FILE_BYTES = 1024 * 1024 * 1024
SAMPLE_ROWS = 5
DRY_RUN_ROWS = 10_000
# The job that runs (or continues) an import (bound by vinculo.quality.tasks.imports).
RUN_JOB = "quality.imports.run"


# --- services ---------------------------------------------------------------------------------


def _imports_dir(actor: Actor) -> Path:
    path = Path(settings.DATA_DIR) / "files" / "imports" / str(actor.workspace.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _get_job(actor: Actor, job_id: int, *, lock: bool = False) -> ImportJob:
    qs = ImportJob.objects.for_workspace(actor.workspace)
    if lock:
        qs = qs.select_for_update()
    job = qs.filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No import with id %(id)s in this workspace.") % {"id": job_id})
    return job


def create_import(
    *,
    actor: Actor,
    object_type: str,
    file_name: str,
    content: IO[bytes],
    template_id: int | None = None,
    sheet: str = "",
) -> ImportJob:
    """Store an uploaded CSV/XLSX file under the data dir, detect its encoding, delimiter and
    headers, and suggest a mapping (from ``template_id`` when given).

    Refuses: no ``data.import`` permission, an unknown object type, an empty or unreadable file,
    old ``.xls`` files, files over 1 GiB, a missing sheet.
    """
    require(actor, "data.import")
    _check_object_type(object_type)
    template = get_template(actor, template_id) if template_id else None
    if template is not None and template.object_type != object_type:
        raise ValidationFailed.field(
            "template_id", _("This template is for another kind of record."), "invalid"
        )
    suffix = Path(file_name or "").suffix.lower()
    if suffix == ".xls":
        raise ValidationFailed.field(
            "file", _("Old .xls files are not supported: save as .xlsx or CSV."), "invalid_format"
        )
    stored, size, head = _store_upload(actor, suffix, content)
    job = ImportJob(
        workspace=actor.workspace,
        created_by=actor.user,
        object_type=object_type,
        file_name=Path(file_name or "import").name[:255],
        file_path=str(stored.relative_to(Path(settings.DATA_DIR))),
        file_size=size,
        template=template,
        options=dict(template.options) if template else {"dedupe": ImportDedupe.UPDATE},
    )
    _detect_format(job, head, sheet)
    first, samples = _read_head(job, stored, sheet)
    job.headers = unique_headers(first)
    job.mapping = suggest_mapping(actor, object_type, job.headers, template)
    job.preview = {"samples": samples}
    with transaction.atomic():
        job.save()
        audit.record(actor, "import.created", job, changes={"file": job.file_name})
        events.emit("import.created", actor=actor, subject=job, payload={"file": job.file_name})
    return job


def _store_upload(actor: Actor, suffix: str, content: IO[bytes]) -> tuple[Path, int, bytes]:
    """Copy the upload under the workspace's imports folder: its path, size and first MiB.
    Refuses (and removes) a file over 1 GiB or an empty one."""
    stored = _imports_dir(actor) / f"{uuid.uuid4().hex}{'.xlsx' if suffix == '.xlsx' else '.csv'}"
    size = 0
    head = b""
    with open(stored, "wb") as out:
        while chunk := content.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                out.close()
                stored.unlink(missing_ok=True)
                raise ValidationFailed.field("file", _("The file is larger than 1 GiB."), "too_big")
            if len(head) < 1024 * 1024:
                head += chunk[: 1024 * 1024 - len(head)]
            out.write(chunk)
    if size == 0:
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field("file", _("The file is empty."), "required")
    return stored, size, head


def _detect_format(job: ImportJob, head: bytes, sheet: str) -> None:
    """XLSX (a zip) with the sheet asked for, else CSV with its encoding and delimiter."""
    if head.startswith(b"PK\x03\x04"):
        job.file_format = "xlsx"
        job.sheet = sheet
    else:
        job.file_format = "csv"
        job.encoding = detect_encoding(head)
        text = head.decode(job.encoding, errors="replace")
        job.delimiter = detect_delimiter(text)


def _read_head(job: ImportJob, stored: Path, sheet: str) -> tuple[list[str], list[list[str]]]:
    """The file's header row and first sample rows. Refuses (and removes the file) a missing
    sheet, an unreadable file and a first row without column names."""
    try:
        with open_rows(job) as rows:
            first = next(rows, None)
            samples = list(itertools.islice(rows, SAMPLE_ROWS))
    except KeyError:
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field(
            "sheet", _("The workbook has no sheet named %(name)s.") % {"name": sheet}, "not_found"
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field(
            "file", _("The file could not be read: %(why)s") % {"why": exc}, "unreadable"
        ) from None
    if not first or not any(str(c).strip() for c in first):
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field(
            "file", _("The first row must hold the column names."), "no_header"
        )
    return first, samples


def set_mapping(*, actor: Actor, job_id: int, mapping: Any, options: Any = None) -> ImportJob:
    """Set the column mapping (header → field, ``""`` ignores the column) and options.

    Refuses unknown columns or fields, a field mapped twice, a mapping without the required
    name/title, bad options, and jobs already started.
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        if job.status != ImportStatus.DRAFT:
            raise Conflict(_("This import has already started."))
        # A partial mapping changes only the columns it names (the rest keep the suggestion).
        full = {h: (job.mapping or {}).get(h, "") for h in job.headers}
        if isinstance(mapping, dict):
            full.update(mapping)
        else:
            full = mapping
        job.mapping = clean_mapping(actor, job.object_type, job.headers, full)
        if isinstance(options, dict):
            options = {**(job.options or {}), **options}
        job.options = clean_options(job.object_type, job.options if options is None else options)
        job.save(update_fields=["mapping", "options", "updated_at"])
        audit.record(actor, "import.mapped", job, changes={"mapping": job.mapping})
    return job


def _actor_for_job(job: ImportJob) -> Actor:
    actor = (
        actor_for(job.created_by, job.workspace, source=Source.IMPORT) if job.created_by else None
    )
    if actor is None:
        raise PermissionDenied(_("The person who started this import is no longer a member."))
    return actor


def _write_permission(object_type: str) -> str:
    return "deals.write" if object_type == ImportObject.DEALS else "records.write"


class _DryRunDone(Exception):
    """Raised to roll the dry run's writes back."""


def dry_run_import(*, actor: Actor, job_id: int, limit: int | None = DRY_RUN_ROWS) -> ImportJob:
    """Run the first ``limit`` rows (None: all) exactly as the import would, inside a
    transaction that is rolled back; keep the counts, the first rows as they will be imported
    and every rejected row with its reasons (``ImportRowError`` with ``dry_run``).

    Refuses: no ``data.import``/write permission, a job already started, a missing mapping.
    """
    require(actor, "data.import")
    job = _get_job(actor, job_id)
    require(actor, _write_permission(job.object_type))
    if job.status != ImportStatus.DRAFT:
        raise Conflict(_("This import has already started."))
    job.mapping = clean_mapping(actor, job.object_type, job.headers, job.mapping)
    actor = Actor(
        workspace=actor.workspace,
        user=actor.user,
        role=actor.role,
        source=Source.IMPORT,
        ip=actor.ip,
    )
    outcome = BatchOutcome(preview_rows=PREVIEW_ROWS)
    processed = 0
    try:
        with transaction.atomic():
            batcher = Batcher(actor, job)
            for next_index, rows in _batches(batcher, job, 0, limit, batch_size()):
                process_batch_guarded(batcher, rows, outcome)
                processed = next_index
            raise _DryRunDone
    except _DryRunDone:
        pass
    total = count_rows(job)
    stats = outcome.stats
    with transaction.atomic():
        ImportRowError.objects.filter(job=job, dry_run=True).delete()
        _save_rejected(job, outcome.rejected, dry_run=True)
        job.preview = {
            **(job.preview or {}),
            "rows": processed,
            "total_rows": total,
            "complete": processed >= total,
            "would_create": stats.created,
            "would_update": stats.updated,
            "would_skip": stats.skipped,
            "rejected": len(outcome.rejected),
            "first_rows": without_rolled_back(job, outcome.preview),
        }
        job.total_rows = total
        job.save(update_fields=["preview", "total_rows", "mapping", "updated_at"])
    return job


def _save_rejected(job: ImportJob, rows: list[Row], *, dry_run: bool = False) -> None:
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                workspace_id=job.workspace_id,
                job=job,
                line=r.line,
                values=r.cells,
                reasons=r.errors,
                dry_run=dry_run,
            )
            for r in sorted(rows, key=lambda r: r.line)
        ],
        batch_size=500,
    )


def start_import(*, actor: Actor, job_id: int, enqueue: bool = True) -> ImportJob:
    """Queue the import to run in the background (the task calls :func:`run_import`;
    ``enqueue=False``: the caller runs it itself, as ``vinculo import`` does).

    Refuses: no ``data.import``/write permission, a job already started, a bad mapping.
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        require(actor, _write_permission(job.object_type))
        if job.status != ImportStatus.DRAFT:
            raise Conflict(_("This import has already started."))
        job.mapping = clean_mapping(actor, job.object_type, job.headers, job.mapping)
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["status", "mapping", "updated_at"])
        ImportRowError.objects.filter(job=job, dry_run=True).delete()
        audit.record(actor, "import.started", job)
        events.emit("import.started", actor=actor, subject=job, payload={"resumed": False})
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    jobs.enqueue(RUN_JOB, job_id)


def requeue_abandoned_imports() -> list[int]:
    """Enqueue every import whose worker died: still running, no checkpoint for longer than
    ``VINCULO_IMPORT_STALE_SECONDS``. Run by a schedule in every worker, so an import killed
    with its worker continues by itself; :func:`run_import` takes the job over from its last
    checkpoint (two enqueues of one job are harmless: the second finds it taken)."""
    cutoff = timezone.now() - stale_after()
    ids = list(
        ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in ids:
        _enqueue(job_id)
    return ids


def resume_import(*, actor: Actor, job_id: int, enqueue: bool = True) -> ImportJob:
    """Continue a failed or interrupted import right after its last committed batch.

    Refuses: no ``data.import`` permission; a job that is done, cancelled or not started; a
    job still running (a checkpoint less than ``VINCULO_IMPORT_STALE_SECONDS`` ago).
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        if job.status in {ImportStatus.DONE, ImportStatus.CANCELLED, ImportStatus.DRAFT}:
            raise Conflict(
                _("Only a failed or interrupted import can be resumed (this one is %(s)s).")
                % {"s": job.get_status_display()}
            )
        beat = job.heartbeat_at or job.updated_at
        if job.status in {ImportStatus.RUNNING, ImportStatus.QUEUED} and (
            beat and timezone.now() - beat < stale_after()
        ):
            raise Conflict(_("This import is still running."))
        job.status = ImportStatus.QUEUED
        job.error = ""
        job.heartbeat_at = None
        job.save(update_fields=["status", "error", "heartbeat_at", "updated_at"])
        audit.record(actor, "import.resumed", job, changes={"next_row": job.next_row})
        events.emit("import.started", actor=actor, subject=job, payload={"resumed": True})
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def cancel_import(*, actor: Actor, job_id: int) -> ImportJob:
    """Stop an import after its current batch; what was committed stays.

    Refuses: no ``data.import`` permission, a job already done or cancelled.
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        if job.status in {ImportStatus.DONE, ImportStatus.CANCELLED}:
            raise Conflict(_("This import has already finished."))
        job.status = ImportStatus.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "updated_at"])
        audit.record(actor, "import.cancelled", job)
    return job


ProgressCallback = Callable[[ImportJob], None]


def run_import(job_id: int, *, on_progress: ProgressCallback | None = None) -> ImportJob:
    """Run (or continue) a queued import, batch by batch, as the person who started it.

    Each batch commits its records, its rejected rows and the checkpoint together. Does
    nothing for a job that is not queued (done, cancelled, or taken by a live worker).
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        beat = job.heartbeat_at or job.updated_at
        # A job whose worker died (no checkpoint for a while) is taken over by the next task
        # that runs for it: the resume is automatic when a worker picks it up again.
        abandoned = job.status == ImportStatus.RUNNING and timezone.now() - beat >= stale_after()
        if job.status != ImportStatus.QUEUED and not abandoned:
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "started_at", "heartbeat_at", "updated_at"])
    user = job.created_by
    # Reasons are stored as message ids + parameters; service messages come in this language.
    language = (user.language if user else "") or job.workspace.locale or settings.LANGUAGE_CODE
    with translation.override(language):
        return _run(job, on_progress)


def _run(job: ImportJob, on_progress: ProgressCallback | None) -> ImportJob:
    try:
        actor = _actor_for_job(job)
        require(actor, "data.import")
        require(actor, _write_permission(job.object_type))
        if job.total_rows is None:
            job.total_rows = count_rows(job)
            ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
        batcher = Batcher(actor, job)
        if on_progress:
            on_progress(job)
        for next_index, rows in _batches(batcher, job, job.next_row, None, batch_size()):
            outcome = BatchOutcome()
            with transaction.atomic():
                current = ImportJob.objects.select_for_update().get(pk=job.pk)
                if current.status != ImportStatus.RUNNING:  # cancelled meanwhile
                    return current
                process_batch_guarded(batcher, rows, outcome)
                _save_rejected(job, outcome.rejected)
                s = outcome.stats
                job.next_row = next_index
                job.created_count += s.created
                job.updated_count += s.updated
                job.skipped_count += s.skipped
                job.rejected_count += len(outcome.rejected)
                job.heartbeat_at = timezone.now()
                job.save(
                    update_fields=[
                        "next_row",
                        "created_count",
                        "updated_count",
                        "skipped_count",
                        "rejected_count",
                        "heartbeat_at",
                        "updated_at",
                    ]
                )
            if on_progress:
                on_progress(job)
        with transaction.atomic():
            job.status = ImportStatus.DONE
            job.finished_at = timezone.now()
            job.next_row = max(job.next_row, job.total_rows or 0)
            job.save(update_fields=["status", "finished_at", "next_row", "updated_at"])
            counts = {
                "created": job.created_count,
                "updated": job.updated_count,
                "skipped": job.skipped_count,
                "rejected": job.rejected_count,
            }
            audit.record(actor, "import.finished", job, changes=counts)
            events.emit("import.finished", actor=actor, subject=job, payload=counts)
    except ServiceError as exc:
        _fail(job, exc.detail)
    except Exception as exc:
        _fail(job, f"{type(exc).__name__}: {exc}")
        raise
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=message[:2000], updated_at=timezone.now()
    )


def save_job_as_template(*, actor: Actor, job_id: int, name: str) -> ImportTemplate:
    """Save an import's current mapping and options as a template named ``name``."""
    job = _get_job(actor, job_id)
    return create_template(
        actor=actor,
        data={
            "name": name,
            "object_type": job.object_type,
            "mapping": job.mapping,
            "options": job.options,
        },
    )
