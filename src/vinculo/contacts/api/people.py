"""People endpoints: list, add (one or in bulk), read, change, bin and restore, lifecycle history
and consent (LGPD)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.contacts import selectors, services
from vinculo.contacts.api._common import (
    ADDRESS,
    AddressMixin,
    In,
    ListQuery,
    bulk_answer,
    filter_tree,
)
from vinculo.contacts.contract import PERSON
from vinculo.contacts.models import Consent, ConsentChange, Person
from vinculo.core import record_views
from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, BulkOut, Id, PageOut

router = Router()


class AffiliationIn(In):
    company_id: Id
    role: str = ""
    is_primary: bool = False


class AffiliationOut(Schema):
    company_id: int
    name: str
    role: str
    is_primary: bool


class ConsentIn(In):
    channel: str = Field(description="email, phone, whatsapp, sms, mail or in_person")
    status: str = Field(description="opted_in, opted_out or unknown")
    legal_basis: str = Field(
        description="consent, contract, legitimate_interest, legal_obligation, credit_protection"
    )
    method: str = Field(description="web_form, email_link, verbal, written, import or api")
    evidence: str = ""
    changed_at: datetime | None = None


class ConsentOut(Schema):
    channel: str
    status: str
    legal_basis: str
    method: str
    evidence: str
    changed_at: datetime


class ConsentChangeOut(ConsentOut):
    from_status: str
    source: str


class ConsentsOut(Schema):
    current: list[ConsentOut]
    history: list[ConsentChangeOut]


# The input schemas are the people's write contract (vinculo.contacts.contract), typed by kind.
_LINKS = {"companies": list[AffiliationIn], "consents": list[ConsentIn]}


class PersonIn(PERSON.input_schema("PersonFields", base=In, types=_LINKS)):  # type: ignore[misc]
    pass


class PersonCreate(
    PERSON.input_schema("PersonCreateFields", base=In, create=True, types=_LINKS)  # type: ignore[misc]
):
    pass


class PersonOut(AddressMixin):
    id: int
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str
    mobile_phone: str
    cpf: str
    job_title: str
    birth_date: date | None
    gender: str
    preferred_channel: str
    interests: str
    owner_id: int | None
    source: str
    lifecycle_stage: str | None
    lifecycle_changed_at: datetime | None
    tags: list[str]
    companies: list[AffiliationOut]
    custom_fields: dict[str, Any]
    last_activity_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class PersonDetail(PersonOut):
    consents: list[ConsentOut]


class PeopleQuery(ListQuery):
    company_id: Id | None = None


class LifecycleChangeOut(Schema):
    from_stage: str | None
    to_stage: str | None
    changed_at: datetime
    source: str
    actor_id: int | None


def person_json(p: Person, *, detail: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        f: getattr(p, f)
        for f in (
            "id",
            "first_name",
            "last_name",
            "full_name",
            "email",
            "phone",
            "mobile_phone",
            "cpf",
            "job_title",
            "birth_date",
            "gender",
            "preferred_channel",
            "interests",
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
    body["lifecycle_stage"] = p.lifecycle_stage.key if p.lifecycle_stage else None
    body["tags"] = sorted(t.name for t in p.tags.all())
    body["companies"] = [
        {
            "company_id": a.company_id,
            "name": a.company.name,
            "role": a.role,
            "is_primary": a.is_primary,
        }
        for a in sorted(p.affiliations.all(), key=lambda a: (not a.is_primary, a.pk))
    ]
    if detail:
        body["consents"] = [_consent(c) for c in p.consents.all()]
    return body


def _consent(c: Consent | ConsentChange) -> dict[str, Any]:
    body = {
        f: getattr(c, f)
        for f in ("channel", "status", "legal_basis", "method", "evidence", "changed_at")
    }
    if isinstance(c, ConsentChange):
        body.update(from_status=c.from_status, source=c.source)
    return body


@router.get("/people", response={200: PageOut[PersonOut], **ERRORS}, summary="List people")
def list_people(request: HttpRequest, query: Query[PeopleQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    sort = selectors.check_sort(query.sort, selectors.PERSON_SORTS)
    qs = selectors.people(
        actor,
        q=query.q,
        filter=filter_tree(query.filter),
        owner_id=query.owner_id,
        lifecycle_stage=query.lifecycle_stage,
        tag=query.tag,
        company_id=query.company_id,
        deleted=query.deleted,
    )
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order=sort)
    return {"items": [person_json(p) for p in page.items], "next_cursor": page.next_cursor}


@router.post("/people", response={201: PersonDetail, **ERRORS}, summary="Add a person")
def create_person(request: HttpRequest, payload: PersonCreate) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    person = services.create_person(actor=actor, data=payload.dict(exclude_unset=True))
    return Status(201, person_json(selectors.get_person(actor, person.pk), detail=True))


@router.post(
    "/people/bulk",
    response={200: BulkOut[PersonOut], **ERRORS},
    summary="Add up to 1,000 people; good rows are kept, bad rows reported by index",
)
def bulk_create_people(request: HttpRequest, payload: list[Any]) -> dict[str, Any]:
    actor = actor_of(request)
    result = services.bulk_create_people(actor=actor, rows=payload)
    return bulk_answer(result, selectors.people(actor), person_json)


@router.get("/people/{person_id}", response={200: PersonDetail, **ERRORS})
def get_person(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    body = person_json(selectors.get_person(actor, person_id), detail=True)
    record_views.viewed(actor, "person", person_id, via="api")  # a read that may write
    return body


@router.patch(
    "/people/{person_id}",
    response={200: PersonDetail, **ERRORS},
    summary="Change some fields (tags/companies replace the lists)",
)
def update_person(request: HttpRequest, person_id: Id, payload: PersonIn) -> dict[str, Any]:
    actor = actor_of(request)
    services.update_person(actor=actor, person_id=person_id, data=payload.dict(exclude_unset=True))
    return person_json(selectors.get_person(actor, person_id), detail=True)


@router.delete(
    "/people/{person_id}", response={204: None, **ERRORS}, summary="Move to the bin (restorable)"
)
def delete_person(request: HttpRequest, person_id: Id) -> Status[None]:
    services.delete_person(actor=actor_of(request), person_id=person_id)
    return Status(204, None)


@router.post("/people/{person_id}/restore", response={200: PersonDetail, **ERRORS})
def restore_person(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    services.restore_person(actor=actor, person_id=person_id)
    return person_json(selectors.get_person(actor, person_id), detail=True)


@router.get(
    "/people/{person_id}/lifecycle",
    response={200: list[LifecycleChangeOut], **ERRORS},
    summary="Every dated lifecycle move of a person",
)
def person_lifecycle(request: HttpRequest, person_id: Id) -> list[dict[str, Any]]:
    return [
        {
            "from_stage": c.from_stage.key if c.from_stage else None,
            "to_stage": c.to_stage.key if c.to_stage else None,
            "changed_at": c.changed_at,
            "source": c.source,
            "actor_id": c.created_by_id,
        }
        for c in selectors.lifecycle_history(actor_of(request), person_id)
    ]


@router.get(
    "/people/{person_id}/consents",
    response={200: ConsentsOut, **ERRORS},
    summary="Current consent per channel and its history (LGPD)",
)
def person_consents(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    current, history = selectors.consents(actor_of(request), person_id)
    return {"current": [_consent(c) for c in current], "history": [_consent(c) for c in history]}


@router.post(
    "/people/{person_id}/consents",
    response={201: ConsentOut, **ERRORS},
    summary="Record consent (or its withdrawal) for one channel",
)
def set_consent(request: HttpRequest, person_id: Id, payload: ConsentIn) -> Status[dict]:
    consent = services.set_consent(
        actor=actor_of(request), person_id=person_id, data=payload.dict(exclude_unset=True)
    )
    return Status(201, _consent(consent))
