"""Imports, report: the rejected rows as a CSV file to fix and import again, written back in the
upload's dialect (delimiter and encoding) so it opens in the same spreadsheet as columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import translation

from vinculo.quality.models import ImportJob, ImportRowError
from vinculo.quality.services.export_writers import safe_text
from vinculo.quality.services.import_messages import reason_line

# The header of the two columns added to the file's own: stable codes, not translated, so a
# script reading the file does not depend on the language of whoever downloaded it.
ROW_HEADER = "row"
REASON_HEADER = "reason"
_CHARSETS = {"utf-8-sig": "utf-8", "utf-8": "utf-8", "cp1252": "windows-1252"}


@dataclass
class RejectedCsv:
    """The rejected rows' file: its bytes (streamed), their charset and delimiter."""

    charset: str
    delimiter: str
    chunks: Iterator[bytes]

    @property
    def content_type(self) -> str:
        return f"text/csv; charset={self.charset}"


def rejected_csv(job: ImportJob, language: str | None = None) -> RejectedCsv:
    """The rejected rows as CSV: the original columns, then ``row`` (the row number in the file,
    the header being row 1) and ``reason`` (in ``language``, default the active one).

    A CSV upload gets its own delimiter and encoding back (a ``;`` Windows-1252 file from a
    Brazilian Excel stays so; UTF-8 gets a BOM so Excel reads accents); an XLSX upload gets UTF-8
    with BOM and ``;`` in Portuguese (Excel's list separator there), ``,`` otherwise. Cells a
    spreadsheet would run as a formula are escaped as the exports do."""
    language = language or translation.get_language() or "en"
    if job.file_format == "csv" and job.delimiter:
        encoding = job.encoding if job.encoding in {"cp1252", "latin-1"} else "utf-8-sig"
        delimiter = job.delimiter
    else:
        encoding = "utf-8-sig"
        delimiter = ";" if language.lower().startswith("pt") else ","
    charset = _CHARSETS.get(encoding, "iso-8859-1")
    return RejectedCsv(charset, delimiter, _chunks(job, language, encoding, delimiter))


def _chunks(job: ImportJob, language: str, encoding: str, delimiter: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    width = len(job.headers)

    def flush(first: bool = False) -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if not first and encoding == "utf-8-sig":
            return text.encode("utf-8")
        return text.encode(encoding, errors="replace")

    writer.writerow([safe_text(h) for h in job.headers] + [ROW_HEADER, REASON_HEADER])
    yield flush(first=True)
    qs = ImportRowError.objects.filter(job=job, dry_run=False).order_by("line", "id")
    for error in qs.iterator(chunk_size=2000):
        values = [str(v) for v in error.values]
        cells = values[:width] + [""] * max(0, width - len(values))
        with translation.override(language):  # not around the yield: the stream may stop
            reasons = "; ".join(reason_line(r) for r in error.reasons)
        writer.writerow([safe_text(c) for c in cells] + [error.line, safe_text(reasons)])
        if buffer.tell() > 64 * 1024:
            yield flush()
    yield flush()
