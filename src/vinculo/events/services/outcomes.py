"""What a batch of tracked events became: one outcome per row, and the batch's result."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vinculo.core.bulk import BulkResult
from vinculo.core.errors import FieldError
from vinculo.events.models import (
    TrackedEvent,
)


@dataclass
class RowOutcome:
    """What became of one row: ``created``, ``duplicate`` (its key was already stored: ``event_id``
    is the stored event) or ``error`` (``errors`` says why)."""

    index: int
    status: str
    event_id: int | None = None
    person_id: int | None = None
    errors: list[FieldError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "id": self.event_id,
            "person_id": self.person_id,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class IngestResult(BulkResult[TrackedEvent]):
    """``created``: the stored events in row order; ``errors``: the refused rows by index;
    ``rows``: one outcome per row, in order; ``people_created``: leads created on the way."""

    rows: list[RowOutcome] = field(default_factory=list)
    people_created: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counts = {"created": 0, "duplicate": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts
