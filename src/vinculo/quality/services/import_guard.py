"""One bad row never fails a whole import: a batch that raises something unexpected (a bug or a
database error in a deeper layer) is rolled back to its savepoint and written again one row at a
time, each in its own savepoint; the row that still raises is rejected with a reason and the
rest of the batch goes on."""

from __future__ import annotations

import logging

from django.db import transaction

from vinculo.core.bulk import UNEXPECTED_ROW
from vinculo.quality.services.import_preview import REJECT
from vinculo.quality.services.import_rows import Batcher, BatchOutcome, Row, process_batch

logger = logging.getLogger(__name__)

UNEXPECTED = UNEXPECTED_ROW

__all__ = ["UNEXPECTED", "process_batch_guarded"]


def _fresh(batcher: Batcher, rows: list[Row]) -> list[Row]:
    # A failed attempt may have left ids of rolled-back records (companies) in the rows.
    return [batcher.transform(r.line, r.cells) for r in rows]


def _merge(into: BatchOutcome, part: BatchOutcome) -> None:
    into.stats.created += part.stats.created
    into.stats.updated += part.stats.updated
    into.stats.skipped += part.stats.skipped
    into.rejected.extend(part.rejected)
    into.preview[:] = part.preview


def _attempt(batcher: Batcher, rows: list[Row], outcome: BatchOutcome) -> BatchOutcome:
    part = BatchOutcome(preview_rows=outcome.preview_rows, preview=list(outcome.preview))
    with transaction.atomic():  # a savepoint inside the caller's transaction
        process_batch(batcher, rows, part)
    return part


def process_batch_guarded(batcher: Batcher, rows: list[Row], outcome: BatchOutcome) -> None:
    """:func:`process_batch`, but an unexpected exception costs only the row that raises it
    (rejected with :data:`UNEXPECTED`), never the batch or the import. Runs inside the caller's
    transaction."""
    try:
        _merge(outcome, _attempt(batcher, rows, outcome))
        return
    except Exception:
        logger.exception("import %s: a batch failed; writing its rows one by one", batcher.job.pk)
    for row in _fresh(batcher, rows):
        try:
            _merge(outcome, _attempt(batcher, [row], outcome))
        except Exception:
            logger.exception("import %s: line %s failed", batcher.job.pk, row.line)
            row.errors = [batcher.reason("", UNEXPECTED)]
            outcome.rejected.append(row)
            outcome.note(batcher, row, REJECT)
