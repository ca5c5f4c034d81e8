"""Bulk writes keep every good row and report every bad one by its index."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connection
from django.db.models import Model
from django.utils.translation import gettext_noop as N_

from vinculo.core.errors import FieldError
from vinculo.core.models import column_of, plain_field

T = TypeVar("T")

MAX_BULK_ROWS = 1000

# The reason given for a row that failed for a reason nobody foresaw (a bug, a database error):
# one such row is refused on its own, never the batch, import or job it came in (the details go
# to the server log).
UNEXPECTED_ROW = N_(
    "This row could not be saved because of an unexpected error; the other rows were not "
    "affected. Try it again, or report it if it keeps failing."
)


def live_ids_by_value(
    model: type[Model], workspace_id: int, column: str, values: list[Any]
) -> dict[Any, int]:
    """Value → id of the oldest live (not soft-deleted) record of ``model`` in the workspace whose
    ``column`` holds it: the batch look-up of imports, bulk writes and uniqueness rules.

    The values go to the driver as they are (they must already be the cleaned strings the
    column holds): the ORM's per-value preparation of a 900-value ``IN`` list cost more than
    the query itself on 100,000-row imports. There is no ORDER BY on purpose: with one, SQLite
    walks the workspace's primary-key index instead of the column's, a full scan per batch.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    name = quote(column_of(plain_field(model, column)))
    found: dict[Any, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(values), 900):
            chunk = values[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {name}, id FROM {table} WHERE workspace_id = %s "  # noqa: S608 (model names)
                f"AND deleted_at IS NULL AND {name} IN ({marks})",
                [workspace_id, *chunk],
            )
            for value, pk in cursor.fetchall():
                found[value] = min(found.get(value, pk), pk)
    return found


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
