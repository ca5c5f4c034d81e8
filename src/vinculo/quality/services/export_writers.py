"""Exports, the files: CSV (UTF-8 with a BOM, every field quoted, streamed) and XLSX (openpyxl's
``write_only`` mode, typed cells), with text a spreadsheet will not run as a formula."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from vinculo.core.actor import Actor
from vinculo.core.exports import safe_text
from vinculo.quality.models import ExportFormat
from vinculo.quality.services.export_rows import export_columns, rows
from vinculo.quality.services.export_spec import ExportSpec

PROGRESS_EVERY = 1_000  # rows between progress updates of a job


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
