"""What the contacts endpoints share: strict input, the address block, the list query, the
filter parameter and the bulk answer."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from vinculo.contacts import services
from vinculo.core.filters import parse_filter_param
from vinculo.core.schemas import Id, Int32


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class AddressMixin(Schema):
    street: str = ""
    number: str = ""
    complement: str = ""
    district: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


class ListQuery(Schema):
    q: str | None = Field(
        None,
        description=(
            "Search names, emails, phones and documents. A number matches in any usual "
            "spelling: `(71) 98206-1917`, `+55 71 98206 1917`, `071 98206-1917` and "
            "`98206-1917` (any area code) all find +5571982061917; a CPF or CNPJ with or "
            "without punctuation, or its beginning."
        ),
    )
    filter: str | None = Field(
        None, description="A JSON condition tree (see docs/filters.md), URL-encoded."
    )
    owner_id: Id | None = None
    lifecycle_stage: str | None = None
    tag: str | None = None
    deleted: bool = Field(False, description="List the bin instead of live records.")
    sort: str | None = Field(None, description="e.g. -created_at, last_name")
    cursor: str | None = None
    limit: Int32 | None = Field(None, description="1 to 200, default 50")


ADDRESS = (*services.ADDRESS_FIELDS, "country")


def filter_tree(raw: str | None) -> Any:
    if not raw:
        return None
    return parse_filter_param(raw)


def bulk_answer(result: Any, listing: Any, serialise: Any) -> dict[str, Any]:
    """The bulk answer: created rows re-read through ``listing`` (with their prefetches, in
    request order) and the refused rows by index."""
    fresh = {r.pk: r for r in listing.filter(pk__in=[r.pk for r in result.created])}
    return {
        "created": [serialise(fresh[r.pk]) for r in result.created],
        "errors": [e.as_dict() for e in result.errors],
    }
