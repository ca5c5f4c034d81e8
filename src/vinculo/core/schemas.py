"""Schemas shared by every router: pages and problems."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")

# Limits every input shares (docs/api.md, "Limits"): numbers the database can hold, so a value
# beyond them is a 422 naming the field, never an overflow inside the database driver.
MAX_ID = 2**63 - 1
MAX_INT32 = 2**31 - 1

Id = Annotated[int, Field(ge=1, le=MAX_ID, description="A record id.")]
"""The id of a record: a positive 64-bit integer."""
Position = Annotated[int, Field(ge=0, le=MAX_INT32, description="0-based position.")]
"""A 0-based position in an ordered list (stages, custom fields)."""
Int32 = Annotated[int, Field(ge=-MAX_INT32 - 1, le=MAX_INT32)]
"""Any other whole number: a 32-bit integer (each service checks its own narrower range)."""


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last page."
    )


class FieldProblem(Schema):
    field: str
    message: str
    code: str


class Problem(Schema):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldProblem] | None = None


ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


class RowProblem(Schema):
    index: int = Field(description="Position of the row in the request (0-based).")
    errors: list[FieldProblem]


class BulkOut(Schema, Generic[T]):
    """Result of a bulk create: the rows created and, by index, the rows refused."""

    created: list[T]
    errors: list[RowProblem]
