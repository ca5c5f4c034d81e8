"""Bulk writes keep every good row and report every bad one by its index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from django.db.models import Model

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


def move_links(
    model: type[Model],
    workspace_id: int,
    kind: str,
    from_id: int,
    to_id: int,
    ids: list[int] | None = None,
) -> list[int]:
    """Point the ``model`` rows of person/company ``from_id`` at ``to_id`` (``kind`` says which
    column) and return the ids moved; with ``ids``, exactly those rows (how a merge is undone).
    Only rows of ``workspace_id`` are touched. Used by each app for its own tables."""
    field = "person_id" if kind == "person" else "company_id"
    rows = model._default_manager.filter(workspace_id=workspace_id, **{field: from_id})
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    moved = sorted(rows.values_list("pk", flat=True))
    model._default_manager.filter(pk__in=moved).update(**{field: to_id})
    return moved
