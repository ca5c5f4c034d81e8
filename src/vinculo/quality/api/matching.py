"""REST endpoints of the duplicate matcher: what the last scan learned of the workspace's people
or companies, and the records one set of values probably describes.

Thin: parse, call a selector of ``vinculo.quality.selectors.matcher``, serialise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.errors import NotFound
from vinculo.core.schemas import ERRORS, Id
from vinculo.quality.selectors import matcher

router = Router(tags=["quality"])

ObjectType = Literal["person", "company"]


class MatchFieldOut(Schema):
    key: str = Field(description="The field compared (`custom:<key>` for a custom identifier).")
    label: str = Field(description="Its name in the reader's language.")
    kind: str = Field(description="How it is compared: name, place, identifier, email, phones…")
    fill: float | None = Field(None, description="Share of records that have it (0-1).")
    weights: dict[str, float] = Field(
        description="Per agreement level, the weight in bits: log2(m/u). Positive levels speak "
        "for the same customer, negative ones against."
    )
    same: float = Field(description="The weight of the same value, in bits.")
    different: float = Field(description="The weight of different values, in bits.")


class MatchRuleOut(Schema):
    rule: str = Field(
        description="Parts joined by `+`: a field key, `sound:names`, `sound:all`, "
        "`starts:names`, `first3:<field>`, `initial:<field>`, `year:<field>` or "
        "`mailbox:<field>`."
    )
    text: str = Field(description="The rule in the reader's language.")
    fill: float | None = Field(None, description="Share of records having every part (0-1).")
    comparisons: int | None = Field(None, description="Pairs its blocks hold.")
    skipped_blocks: int | None = Field(None, description="Blocks too big to compare.")
    used: bool
    share: float | None = Field(
        None, description="Used rules: the share of likely matches it found (0-1)."
    )
    why: str | None = Field(
        None, description="Rules left out: rarely_filled, too_broad or too_many_rules."
    )
    why_text: str = Field(description="Why, in the reader's language (empty when used).")


class MatchModelOut(Schema):
    object_type: str
    records: int = Field(description="Records read by the scan.")
    compared: int = Field(description="Pairs compared.")
    labels: int = Field(description="Decided pairs (merged, not a duplicate) it learned from.")
    blocking_recall: float | None = Field(
        None, description="Estimated share of true duplicates the blocking rules meet (0-1)."
    )
    expected_matches: float | None = None
    review_threshold: float = Field(description="Pairs from this probability wait for review.")
    auto_merge_threshold: float = Field(description="Pairs from this one are merged on demand.")
    review_precision: float | None = Field(
        None, description="Expected precision at the review threshold."
    )
    review_recall: float | None = Field(None, description="Expected recall at it.")
    auto_merge_precision: float | None = None
    auto_merge_recall: float | None = None
    seconds: dict[str, float] = Field(
        description="How long each stage of the scan took (blocking, comparing, learning, "
        "scoring), in seconds."
    )
    learned_at: datetime
    fields: list[MatchFieldOut]
    rules: list[MatchRuleOut]


class MatchCheckIn(Schema):
    model_config = ConfigDict(extra="forbid")

    object_type: ObjectType = "person"
    values: dict[str, Any] = Field(
        description="The record's fields as the API takes them: people `first_name`, "
        "`last_name`, `birth_date`, `cpf`, `email`, `phone`, `mobile_phone`; companies `name`, "
        "`legal_name`, `cnpj`, `email`, `domain`, `phone`; both the address (`street`, "
        "`number`, `complement`, `district`, `city`, `state`, `postal_code`) and "
        "`custom_fields` (identifier fields are compared, others ignored)."
    )
    exclude_id: Id | None = Field(
        None, description="A record never to return (the one being edited)."
    )
    limit: int = Field(10, ge=1, le=50, description="At most this many records.")


class MatchReasonOut(Schema):
    field: str | None = Field(None, description="The field (`custom:<key>` for custom).")
    level: str | None = Field(None, description="Its agreement level: same, similar…")
    bits: float | None = Field(None, description="The weight it added, in bits.")
    text: str = Field(description="The reason in the reader's language.")


class ProbableMatchOut(Schema):
    id: int
    name: str
    probability: float
    reasons: list[MatchReasonOut]


class MatchCheckOut(Schema):
    matches: list[ProbableMatchOut]


@router.get(
    "/quality/duplicates/model",
    response={200: MatchModelOut, **ERRORS},
    summary="What the matcher learned from the last scan",
)
def get_model(request: HttpRequest, object_type: ObjectType = "person") -> dict[str, Any]:
    found = matcher.learned(actor_of(request), object_type)
    if found is None:
        raise NotFound(
            _("No scan of this record type yet: the matcher uses its default weights until one.")
        )
    return found


@router.post(
    "/quality/duplicates/check",
    response={200: MatchCheckOut, **ERRORS},
    summary="Existing records these values probably describe",
)
def check(request: HttpRequest, payload: MatchCheckIn) -> dict[str, Any]:
    a = actor_of(request)
    values = matcher.check_values(a, payload.object_type, payload.values)
    found = matcher.probable(
        a, payload.object_type, values, exclude_id=payload.exclude_id, limit=payload.limit
    )
    return {"matches": [{k: m[k] for k in ("id", "name", "probability", "reasons")} for m in found]}
