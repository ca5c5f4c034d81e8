"""One bad event never fails its batch: when storing a batch raises something unexpected (a bug,
a database error in a deeper layer), the batch is undone and its rows are stored one at a time;
the row that still fails is answered ``error`` with a reason, the others are stored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from vinculo.core.bulk import UNEXPECTED_ROW, RowError
from vinculo.core.errors import FieldError
from vinculo.events.services.outcomes import IngestResult, RowOutcome

logger = logging.getLogger(__name__)

__all__ = ["one_by_one"]


def one_by_one(ingest_one: Callable[[Any], IngestResult], rows: list[Any]) -> IngestResult:
    """``rows`` stored each on its own with ``ingest_one``, the outcomes re-indexed to the batch;
    a row whose call raises is an ``error`` row (:data:`UNEXPECTED_ROW`)."""
    result = IngestResult()
    for index, row in enumerate(rows):
        try:
            part = ingest_one(row)
        except Exception:
            logger.exception("event row %s of a batch failed on its own", index)
            error = FieldError("", _(UNEXPECTED_ROW), "unexpected")
            result.rows.append(RowOutcome(index, "error", errors=[error]))
            continue
        outcome = part.rows[0]
        outcome.index = index
        result.rows.append(outcome)
        result.created.extend(part.created)
        result.people_created += part.people_created
    result.errors = [RowError(o.index, o.errors) for o in result.rows if o.status == "error"]
    return result
