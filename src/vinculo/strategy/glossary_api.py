"""REST endpoints of the workspace's glossary (docs/glossary.md): list, add, read, change,
remove terms."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id
from vinculo.strategy import glossary_selectors as selectors
from vinculo.strategy import glossary_services as services
from vinculo.strategy.models import GlossaryTerm

router = Router(tags=["Strategy: glossary"])


class GlossaryTermIn(Schema):
    model_config = ConfigDict(extra="forbid")

    term: str = Field(description="Unique in the workspace, compared folded (Churn = CHURN).")
    definition: str
    lifecycle_stage: str = Field("", description="The lifecycle stage key it defines.")
    kpi_key: str = Field("", description="The registered KPI it defines.")


class GlossaryTermPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    term: str | None = None
    definition: str | None = None
    lifecycle_stage: str | None = None
    kpi_key: str | None = None


class GlossaryTermOut(Schema):
    id: int
    term: str
    term_key: str = Field(description="The term folded (casefold + NFC): what makes it unique.")
    definition: str
    lifecycle_stage: str
    kpi_key: str
    created_at: datetime
    updated_at: datetime


class GlossaryQuery(Schema):
    q: str | None = Field(None, description="Terms containing this text (folded).")


def _json(term: GlossaryTerm) -> dict[str, Any]:
    return {f: getattr(term, f) for f in GlossaryTermOut.model_fields}


@router.get("/glossary", response={200: list[GlossaryTermOut], **ERRORS}, summary="The glossary")
def list_terms(request: HttpRequest, query: Query[GlossaryQuery]) -> list[dict[str, Any]]:
    return [_json(t) for t in selectors.terms(actor_of(request), q=query.q)]


@router.post("/glossary", response={201: GlossaryTermOut, **ERRORS}, summary="Add a term")
def create_term(request: HttpRequest, payload: GlossaryTermIn) -> Status[dict[str, Any]]:
    return Status(201, _json(services.create_term(actor=actor_of(request), data=payload.dict())))


@router.get(
    "/glossary/{glossary_term_id}", response={200: GlossaryTermOut, **ERRORS}, summary="A term"
)
def get_term(request: HttpRequest, glossary_term_id: Id) -> dict[str, Any]:
    return _json(selectors.get_term(actor_of(request), glossary_term_id))


@router.patch(
    "/glossary/{glossary_term_id}",
    response={200: GlossaryTermOut, **ERRORS},
    summary="Change a term",
)
def update_term(
    request: HttpRequest, glossary_term_id: Id, payload: GlossaryTermPatch
) -> dict[str, Any]:
    term = services.update_term(
        actor=actor_of(request), term_id=glossary_term_id, data=payload.dict(exclude_unset=True)
    )
    return _json(term)


@router.delete(
    "/glossary/{glossary_term_id}", response={204: None, **ERRORS}, summary="Remove a term"
)
def delete_term(request: HttpRequest, glossary_term_id: Id) -> Status[None]:
    services.delete_term(actor=actor_of(request), term_id=glossary_term_id)
    return Status(204, None)
