"""Bulk writes keep every good row and report every bad one by its index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from vinculo.core.errors import FieldError

T = TypeVar("T")

MAX_BULK_ROWS = 1000


@dataclass
class RowError:
    index: int
    errors: list[FieldError]

    def as_dict(self) -> dict[str, object]:
        return {"index": self.index, "errors": [e.as_dict() for e in self.errors]}


@dataclass
class BulkResult(Generic[T]):
    created: list[T] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
