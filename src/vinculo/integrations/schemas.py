"""Schemas shared by every router: pages and problems."""

from __future__ import annotations

from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


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
