"""Company endpoints: list, add (one or in bulk), read, change, bin and restore, and the people
of a company."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from vinculo.contacts import selectors, services
from vinculo.contacts.api._common import (
    ADDRESS,
    AddressMixin,
    In,
    ListQuery,
    bulk_answer,
    filter_tree,
)
from vinculo.contacts.contract import COMPANY
from vinculo.contacts.models import Company
from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, BulkOut, Id, PageOut

router = Router()


# The input schemas are the companies' write contract (vinculo.contacts.contract).
class CompanyIn(COMPANY.input_schema("CompanyFields", base=In)):  # type: ignore[misc]
    pass


class CompanyCreate(
    COMPANY.input_schema("CompanyCreateFields", base=In, create=True)  # type: ignore[misc]
):
    pass


class CompanyOut(AddressMixin):
    id: int
    name: str
    legal_name: str
    cnpj: str
    domain: str
    website: str
    industry: str
    employees: int | None
    annual_revenue: Decimal | None
    email: str
    phone: str
    description: str
    owner_id: int | None
    source: str
    lifecycle_stage: str | None
    lifecycle_changed_at: datetime | None
    tags: list[str]
    custom_fields: dict[str, Any]
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class CompanyPersonOut(Schema):
    person_id: int
    full_name: str
    email: str
    role: str
    is_primary: bool


def company_json(c: Company) -> dict[str, Any]:
    body: dict[str, Any] = {
        f: getattr(c, f)
        for f in (
            "id",
            "name",
            "legal_name",
            "cnpj",
            "domain",
            "website",
            "industry",
            "employees",
            "annual_revenue",
            "email",
            "phone",
            "description",
            "owner_id",
            "source",
            "lifecycle_changed_at",
            "custom_fields",
            "last_activity_at",
            "created_at",
            "updated_at",
            "deleted_at",
            *ADDRESS,
        )
    }
    body["lifecycle_stage"] = c.lifecycle_stage.key if c.lifecycle_stage else None
    body["tags"] = sorted(t.name for t in c.tags.all())
    return body


@router.get("/companies", response={200: PageOut[CompanyOut], **ERRORS}, summary="List companies")
def list_companies(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    sort = selectors.check_sort(query.sort, selectors.COMPANY_SORTS)
    qs = selectors.companies(
        actor,
        q=query.q,
        filter=filter_tree(query.filter),
        owner_id=query.owner_id,
        lifecycle_stage=query.lifecycle_stage,
        tag=query.tag,
        deleted=query.deleted,
    )
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order=sort)
    return {"items": [company_json(c) for c in page.items], "next_cursor": page.next_cursor}


@router.post("/companies", response={201: CompanyOut, **ERRORS}, summary="Add a company")
def create_company(request: HttpRequest, payload: CompanyCreate) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    company = services.create_company(actor=actor, data=payload.dict(exclude_unset=True))
    return Status(201, company_json(selectors.get_company(actor, company.pk)))


@router.post(
    "/companies/bulk",
    response={200: BulkOut[CompanyOut], **ERRORS},
    summary="Add up to 1,000 companies; good rows are kept, bad rows reported by index",
)
def bulk_create_companies(request: HttpRequest, payload: list[Any]) -> dict[str, Any]:
    actor = actor_of(request)
    result = services.bulk_create_companies(actor=actor, rows=payload)
    return bulk_answer(result, selectors.companies(actor), company_json)


@router.get("/companies/{company_id}", response={200: CompanyOut, **ERRORS})
def get_company(request: HttpRequest, company_id: Id) -> dict[str, Any]:
    return company_json(selectors.get_company(actor_of(request), company_id))


@router.patch("/companies/{company_id}", response={200: CompanyOut, **ERRORS})
def update_company(request: HttpRequest, company_id: Id, payload: CompanyIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.update_company(
        actor=actor, company_id=company_id, data=payload.dict(exclude_unset=True)
    )
    return company_json(selectors.get_company(actor, company_id))


@router.delete("/companies/{company_id}", response={204: None, **ERRORS})
def delete_company(request: HttpRequest, company_id: Id) -> Status[None]:
    services.delete_company(actor=actor_of(request), company_id=company_id)
    return Status(204, None)


@router.post("/companies/{company_id}/restore", response={200: CompanyOut, **ERRORS})
def restore_company(request: HttpRequest, company_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    services.restore_company(actor=actor, company_id=company_id)
    return company_json(selectors.get_company(actor, company_id))


@router.get("/companies/{company_id}/people", response={200: list[CompanyPersonOut], **ERRORS})
def company_people(request: HttpRequest, company_id: Id) -> list[dict[str, Any]]:
    return [
        {
            "person_id": a.person_id,
            "full_name": a.person.full_name,
            "email": a.person.email,
            "role": a.role,
            "is_primary": a.is_primary,
        }
        for a in selectors.company_people(actor_of(request), company_id)
    ]
