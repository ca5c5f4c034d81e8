"""REST endpoints of people, companies, lifecycle stages, consent, tags and custom fields."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.contacts import selectors, services
from vinculo.contacts.models import Company, Consent, ConsentChange, Person
from vinculo.core.pagination import paginate
from vinculo.integrations.auth import actor_of
from vinculo.integrations.schemas import ERRORS, BulkOut, Id, Int32, PageOut, Position
from vinculo.privacy.services import log_access

router = Router(tags=["contacts"])


class In(Schema):
    model_config = ConfigDict(extra="forbid")


# --- schemas --------------------------------------------------------------------------------


class AddressMixin(Schema):
    street: str = ""
    number: str = ""
    complement: str = ""
    district: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


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


class PersonIn(In):
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = Field(None, description="Any format; stored as E.164 (+5511987654321).")
    mobile_phone: str | None = None
    cpf: str | None = Field(None, description="With or without punctuation; check digits checked.")
    job_title: str | None = None
    birth_date: date | None = None
    gender: str | None = None
    preferred_channel: str | None = None
    interests: str | None = None
    owner_id: Id | None = None
    source: str | None = None
    lifecycle_stage: str | None = Field(None, description="A lifecycle stage key, e.g. mql.")
    tags: list[str] | None = Field(None, description="Tag names; missing tags are created.")
    companies: list[AffiliationIn] | None = None
    consents: list[ConsentIn] | None = None
    custom_fields: dict[str, Any] | None = None
    street: str | None = None
    number: str | None = None
    complement: str | None = None
    district: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class PersonCreate(PersonIn):
    first_name: str  # type: ignore[assignment]


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


class CompanyIn(In):
    name: str | None = None
    legal_name: str | None = None
    cnpj: str | None = None
    domain: str | None = None
    website: str | None = None
    industry: str | None = None
    employees: Int32 | None = None
    annual_revenue: Decimal | None = None
    email: str | None = None
    phone: str | None = None
    description: str | None = None
    owner_id: Id | None = None
    source: str | None = None
    lifecycle_stage: str | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, Any] | None = None
    street: str | None = None
    number: str | None = None
    complement: str | None = None
    district: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None


class CompanyCreate(CompanyIn):
    name: str  # type: ignore[assignment]


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


class PeopleQuery(ListQuery):
    company_id: Id | None = None


class LifecycleStageOut(Schema):
    id: int
    key: str
    name: str
    description: str
    phase: str
    position: int
    is_active: bool


class LifecycleStageIn(In):
    key: str | None = None
    name: str | None = None
    description: str | None = None
    phase: str | None = None
    position: Position | None = None
    is_active: bool | None = None


class LifecycleChangeOut(Schema):
    from_stage: str | None
    to_stage: str | None
    changed_at: datetime
    source: str
    actor_id: int | None


class ConsentsOut(Schema):
    current: list[ConsentOut]
    history: list[ConsentChangeOut]


class ChoiceIn(In):
    value: str
    label: str | None = None


class CustomFieldIn(In):
    object_type: str | None = Field(None, description="person, company or deal")
    key: str | None = Field(None, description="Defaults to a slug of the label; never changes.")
    label: str | None = None
    field_type: str | None = Field(
        None,
        description="text, long_text, number, money, date, datetime, boolean, choice, "
        "multi_choice, email, phone, url",
    )
    required: bool | None = None
    unique: bool | None = None
    identifier: bool | None = Field(
        None,
        description="Used to find duplicates (an ID card, a student or patient number): the "
        "matcher compares records on it. People and companies only; text, number, date, email, "
        "phone or choice.",
    )
    choices: list[ChoiceIn | str] | None = None
    help_text: str | None = None
    position: Position | None = None
    archived: bool | None = None


class CustomFieldOut(Schema):
    id: int
    object_type: str
    key: str
    label: str
    field_type: str
    required: bool
    unique: bool
    identifier: bool = Field(description="Used to find duplicates.")
    choices: list[dict[str, str]]
    help_text: str
    position: int
    archived_at: datetime | None


class CustomFieldChanged(CustomFieldOut):
    nonconforming: int = Field(
        description="Stored values that do not fit the definition now; they are kept as they are."
    )


class TagOut(Schema):
    id: int
    name: str
    color: str


class TagIn(In):
    name: str | None = None
    color: str | None = None


# --- serialisers ----------------------------------------------------------------------------

_ADDRESS = (*services.ADDRESS_FIELDS, "country")


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
            *_ADDRESS,
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
            *_ADDRESS,
        )
    }
    body["lifecycle_stage"] = c.lifecycle_stage.key if c.lifecycle_stage else None
    body["tags"] = sorted(t.name for t in c.tags.all())
    return body


def _consent(c: Consent | ConsentChange) -> dict[str, Any]:
    body = {
        f: getattr(c, f)
        for f in ("channel", "status", "legal_basis", "method", "evidence", "changed_at")
    }
    if isinstance(c, ConsentChange):
        body.update(from_status=c.from_status, source=c.source)
    return body


def _filter_tree(raw: str | None) -> Any:
    if not raw:
        return None
    from vinculo.core.filters import parse_filter_param

    return parse_filter_param(raw)


def _bulk(result: Any, listing: Any, serialise: Any) -> dict[str, Any]:
    """The bulk answer: created rows re-read through ``listing`` (with their prefetches, in
    request order) and the refused rows by index."""
    fresh = {r.pk: r for r in listing.filter(pk__in=[r.pk for r in result.created])}
    return {
        "created": [serialise(fresh[r.pk]) for r in result.created],
        "errors": [e.as_dict() for e in result.errors],
    }


# --- people ---------------------------------------------------------------------------------


@router.get("/people", response={200: PageOut[PersonOut], **ERRORS}, summary="List people")
def list_people(request: HttpRequest, query: Query[PeopleQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    sort = selectors.check_sort(query.sort, selectors.PERSON_SORTS)
    qs = selectors.people(
        actor,
        q=query.q,
        filter=_filter_tree(query.filter),
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
    return _bulk(result, selectors.people(actor), person_json)


@router.get("/people/{person_id}", response={200: PersonDetail, **ERRORS})
def get_person(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    actor = actor_of(request)
    body = person_json(selectors.get_person(actor, person_id), detail=True)
    log_access(actor, person_id, "api_view")  # a read that writes: the opt-in access log
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


# --- companies ------------------------------------------------------------------------------


@router.get("/companies", response={200: PageOut[CompanyOut], **ERRORS}, summary="List companies")
def list_companies(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    actor = actor_of(request)
    sort = selectors.check_sort(query.sort, selectors.COMPANY_SORTS)
    qs = selectors.companies(
        actor,
        q=query.q,
        filter=_filter_tree(query.filter),
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
    return _bulk(result, selectors.companies(actor), company_json)


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


# --- settings: lifecycle, custom fields, tags -----------------------------------------------


def _stage(s: Any) -> dict[str, Any]:
    return {
        f: getattr(s, f)
        for f in ("id", "key", "name", "description", "phase", "position", "is_active")
    }


@router.get(
    "/lifecycle-stages",
    response={200: list[LifecycleStageOut], **ERRORS},
    summary="The lifecycle stages and what each means in this workspace",
)
def list_lifecycle_stages(request: HttpRequest) -> list[dict[str, Any]]:
    return [_stage(s) for s in selectors.lifecycle_stages(actor_of(request))]


@router.post("/lifecycle-stages", response={201: LifecycleStageOut, **ERRORS})
def create_lifecycle_stage(request: HttpRequest, payload: LifecycleStageIn) -> Status[dict]:
    stage = services.create_lifecycle_stage(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return Status(201, _stage(stage))


@router.patch("/lifecycle-stages/{stage_id}", response={200: LifecycleStageOut, **ERRORS})
def update_lifecycle_stage(
    request: HttpRequest, stage_id: Id, payload: LifecycleStageIn
) -> dict[str, Any]:
    stage = services.update_lifecycle_stage(
        actor=actor_of(request), stage_id=stage_id, data=payload.dict(exclude_unset=True)
    )
    return _stage(stage)


def _field(d: Any) -> dict[str, Any]:
    return {
        f: getattr(d, f)
        for f in (
            "id",
            "object_type",
            "key",
            "label",
            "field_type",
            "required",
            "unique",
            "identifier",
            "choices",
            "help_text",
            "position",
            "archived_at",
        )
    }


class CustomFieldQuery(Schema):
    object_type: str | None = None
    include_archived: bool = False


@router.get("/custom-fields", response={200: list[CustomFieldOut], **ERRORS})
def list_custom_fields(
    request: HttpRequest, query: Query[CustomFieldQuery]
) -> list[dict[str, Any]]:
    return [
        _field(d)
        for d in selectors.custom_fields(
            actor_of(request),
            object_type=query.object_type,
            include_archived=query.include_archived,
        )
    ]


def _choices(payload: CustomFieldIn) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    if payload.choices is not None:
        data["choices"] = [c if isinstance(c, str) else c.dict() for c in payload.choices]
    return data


@router.post(
    "/custom-fields",
    response={201: CustomFieldOut, **ERRORS},
    summary="Define a custom field for people, companies or deals",
)
def create_custom_field(request: HttpRequest, payload: CustomFieldIn) -> Status[dict]:
    definition = services.create_custom_field(actor=actor_of(request), data=_choices(payload))
    return Status(201, _field(definition))


@router.patch(
    "/custom-fields/{field_id}",
    response={200: CustomFieldChanged, **ERRORS},
    summary="Change a custom field; stored values are never lost",
)
def update_custom_field(
    request: HttpRequest, field_id: Id, payload: CustomFieldIn
) -> dict[str, Any]:
    data = _choices(payload)
    data.pop("object_type", None)
    data.pop("key", None)
    change = services.update_custom_field(actor=actor_of(request), field_id=field_id, data=data)
    return {**_field(change.definition), "nonconforming": change.nonconforming}


@router.get("/tags", response={200: list[TagOut], **ERRORS})
def list_tags(request: HttpRequest, q: str | None = None) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "color": t.color}
        for t in selectors.tags(actor_of(request), q=q)
    ]


@router.patch("/tags/{tag_id}", response={200: TagOut, **ERRORS})
def update_tag(request: HttpRequest, tag_id: Id, payload: TagIn) -> dict[str, Any]:
    tag = services.update_tag(
        actor=actor_of(request), tag_id=tag_id, data=payload.dict(exclude_unset=True)
    )
    return {"id": tag.id, "name": tag.name, "color": tag.color}


@router.delete("/tags/{tag_id}", response={204: None, **ERRORS})
def delete_tag(request: HttpRequest, tag_id: Id) -> Status[None]:
    services.delete_tag(actor=actor_of(request), tag_id=tag_id)
    return Status(204, None)
