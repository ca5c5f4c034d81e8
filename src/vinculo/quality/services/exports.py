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

This module is the exports' public face; the work is in, each importing only those before it:
``export_columns`` (the columns and their typed values), ``export_spec`` (:class:`ExportSpec`,
:func:`check_spec`), ``export_rows`` (the matching records, read in chunks), ``export_writers``
(CSV and XLSX) and ``export_jobs`` (the audit of exports, background jobs).
"""

from __future__ import annotations

from vinculo.quality.services.export_columns import EXTRA, ExportColumn, available_columns
from vinculo.quality.services.export_jobs import (
    EXPIRES_AFTER,
    count_rows,
    create_export_job,
    export_dir,
    job_actor,
    purge_expired_exports,
    record_direct_export,
    record_download,
    run_export_job,
)
from vinculo.quality.services.export_rows import CHUNK, VALUES, export_columns, matching, rows
from vinculo.quality.services.export_spec import (
    FORMATS,
    MAX_IDS,
    OBJECT_TYPES,
    ExportSpec,
    check_spec,
    spec_summary,
)
from vinculo.quality.services.export_writers import (
    PROGRESS_EVERY,
    csv_value,
    safe_text,
    stream_csv,
    write_export,
    write_xlsx,
)

# Read by the edges when they choose between answering at once and queuing a job (so a test may
# lower it on this module).
DIRECT_LIMIT = 5_000  # rows answered at once; more become a background job

__all__ = [
    "CHUNK",
    "DIRECT_LIMIT",
    "EXPIRES_AFTER",
    "EXTRA",
    "FORMATS",
    "MAX_IDS",
    "OBJECT_TYPES",
    "PROGRESS_EVERY",
    "VALUES",
    "ExportColumn",
    "ExportSpec",
    "available_columns",
    "check_spec",
    "count_rows",
    "create_export_job",
    "csv_value",
    "export_columns",
    "export_dir",
    "job_actor",
    "matching",
    "purge_expired_exports",
    "record_direct_export",
    "record_download",
    "rows",
    "run_export_job",
    "safe_text",
    "spec_summary",
    "stream_csv",
    "write_export",
    "write_xlsx",
]
