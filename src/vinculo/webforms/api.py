"""API of webforms: form definitions (CRUD), their submissions (cursor pages) and the tracking
key. The public submit (``POST /f/<key>/submit``) lives outside ``/api/v1``: see docs/forms.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.errors import NotFound
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut
from vinculo.webforms import selectors, services, tracking
from vinculo.webforms.models import Submission, TrackingSite, WebForm

router = Router(tags=["Web forms"])


class FormFieldSchema(Schema):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(
        description="A person field (first_name, last_name, email, phone, mobile_phone, "
        "job_title, city, state, postal_code, country, birth_date, cpf, interests, company: "
        "found by name or created, and linked as the person's primary company) or "
        "custom_fields.<key>."
    )
    label: str = Field("", description="Shown above the input; empty = the field's name.")
    placeholder: str = ""
    required: bool = False


class FormIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    fields: list[FormFieldSchema] = Field(
        description="In display order; must include first_name and one of email/phone."
    )
    consent_enabled: bool = False
    consent_required: bool = False
    consent_text: str = ""
    consent_channel: str = Field("email", description="email, phone, whatsapp, sms, mail…")
    consent_legal_basis: str = Field("consent", description="LGPD legal basis.")
    tags: list[str] = Field(default_factory=list, description="Added to every person.")
    lifecycle_stage: str = Field("", description="Stage key for new people (lead, mql…).")
    source: str = Field("", description="Source written on new people.")
    owner_id: Id | None = Field(None, description="User id of the owner of new people.")
    submit_label: str = ""
    success_message: str = ""
    redirect_url: str = Field("", description="Where people go after a good post.")
    is_active: bool = True
    allowed_domains: list[str] = Field(
        default_factory=list, description="Sites that may embed the form (subdomains included)."
    )
    language: str = Field("pt-br", description="pt-br or en: the hosted page and messages.")
    min_seconds: Int32 = Field(3, description="Posts faster than this after rendering are spam.")


class FormPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    fields: list[FormFieldSchema] | None = None
    consent_enabled: bool | None = None
    consent_required: bool | None = None
    consent_text: str | None = None
    consent_channel: str | None = None
    consent_legal_basis: str | None = None
    tags: list[str] | None = None
    lifecycle_stage: str | None = None
    source: str | None = None
    owner_id: Id | None = None
    submit_label: str | None = None
    success_message: str | None = None
    redirect_url: str | None = None
    is_active: bool | None = None
    allowed_domains: list[str] | None = None
    language: str | None = None
    min_seconds: Int32 | None = None


class FormOut(Schema):
    id: int
    name: str
    public_key: str
    hosted_url: str = Field(description="The hosted page (path on this server).")
    submit_url: str = Field(description="Where the form posts (path on this server).")
    fields: list[FormFieldSchema]
    consent_enabled: bool
    consent_required: bool
    consent_text: str
    consent_channel: str
    consent_legal_basis: str
    tags: list[str]
    lifecycle_stage: str
    source: str
    owner_id: int | None
    submit_label: str
    success_message: str
    redirect_url: str
    is_active: bool
    allowed_domains: list[str]
    language: str
    min_seconds: int
    submissions: int = Field(description="Accepted submissions.")
    spam: int = Field(description="Submissions refused as spam.")
    created_at: datetime
    updated_at: datetime


class SubmissionOut(Schema):
    id: int
    form_id: int
    status: str = Field(description="accepted or spam")
    reason: str = Field(
        description="Why spam: honeypot, too_fast, stale_token, forged_token, rate_limited."
    )
    person_id: int | None
    person_created: bool
    data: dict[str, Any] = Field(description="The values sent, by field key.")
    consent_given: bool
    ip_hash: str = Field(description="A keyed hash of the IP; the raw IP is not kept.")
    user_agent: str
    visitor_id: str
    page_url: str
    created_at: datetime


class SubmissionsQuery(Schema):
    status: str | None = Field(None, description="accepted or spam")
    cursor: str | None = None
    limit: Int32 | None = None


class TrackingOut(Schema):
    public_key: str = Field(description="The data-key of the tracking snippet.")
    allowed_domains: list[str]
    is_active: bool
    script_url: str
    collect_url: str


class TrackingPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    allowed_domains: list[str] | None = None
    is_active: bool | None = None


def _form_out(form: WebForm, counts: dict[str, int] | None = None) -> dict[str, Any]:
    counts = counts or {}
    return {
        # not the relations (workspace, created_by, owner): a query each, per form
        **{
            f.name: getattr(form, f.name)
            for f in WebForm._meta.concrete_fields
            if not f.is_relation
        },
        "owner_id": form.owner_id,
        "hosted_url": reverse("webforms:hosted", args=[form.public_key]),
        "submit_url": reverse("webforms:submit", args=[form.public_key]),
        "submissions": getattr(form, "accepted_count", counts.get("accepted", 0)),
        "spam": getattr(form, "spam_count", counts.get("spam", 0)),
    }


def _counted(actor: Any, form_id: Id) -> WebForm:
    form = selectors.forms(actor).filter(pk=form_id).first()
    if form is None:
        return selectors.get_form(actor, form_id)  # raises the 404
    return form


def _submission_out(s: Submission) -> dict[str, Any]:
    return {f.attname: getattr(s, f.attname) for f in Submission._meta.concrete_fields}


def _tracking_out(site: TrackingSite) -> dict[str, Any]:
    return {
        "public_key": site.public_key,
        "allowed_domains": site.allowed_domains,
        "is_active": site.is_active,
        "script_url": static("webforms/t.js"),
        "collect_url": reverse("webforms:collect"),
    }


@router.get("/forms", response={200: list[FormOut], **ERRORS}, summary="List the web forms")
def list_forms(request: HttpRequest) -> list[dict[str, Any]]:
    return [_form_out(f) for f in selectors.forms(actor_of(request))]


@router.post("/forms", response={201: FormOut, **ERRORS}, summary="Create a web form")
def create_form(request: HttpRequest, payload: FormIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    form = services.create_form(actor=actor, data=payload.dict())
    return Status(201, _form_out(_counted(actor, form.pk)))


@router.get("/forms/{form_id}", response={200: FormOut, **ERRORS}, summary="One web form")
def get_form(request: HttpRequest, form_id: Id) -> dict[str, Any]:
    return _form_out(_counted(actor_of(request), form_id))


@router.patch("/forms/{form_id}", response={200: FormOut, **ERRORS}, summary="Change a web form")
def update_form(request: HttpRequest, form_id: Id, payload: FormPatch) -> dict[str, Any]:
    actor = actor_of(request)
    selectors.get_form(actor, form_id)
    services.update_form(actor=actor, form_id=form_id, data=payload.dict(exclude_unset=True))
    return _form_out(_counted(actor, form_id))


@router.delete(
    "/forms/{form_id}",
    response={204: None, **ERRORS},
    summary="Delete a web form and its submissions",
)
def delete_form(request: HttpRequest, form_id: Id) -> Status[None]:
    actor = actor_of(request)
    selectors.get_form(actor, form_id)
    services.delete_form(actor=actor, form_id=form_id)
    return Status(204, None)


@router.get(
    "/forms/{form_id}/submissions",
    response={200: PageOut[SubmissionOut], **ERRORS},
    summary="A form's submissions, newest first (cursor pagination)",
)
def list_submissions(
    request: HttpRequest, form_id: Id, query: Query[SubmissionsQuery]
) -> dict[str, Any]:
    page = selectors.submissions(
        actor_of(request), form_id, status=query.status, cursor=query.cursor, limit=query.limit
    )
    return {"items": [_submission_out(s) for s in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/forms/{form_id}/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    summary="One submission",
)
def get_submission(request: HttpRequest, form_id: Id, submission_id: Id) -> dict[str, Any]:
    return _submission_out(selectors.get_submission(actor_of(request), form_id, submission_id))


@router.get(
    "/tracking",
    response={200: TrackingOut, **ERRORS},
    summary="The site-tracking key and its allowed domains",
)
def get_tracking(request: HttpRequest) -> dict[str, Any]:
    site = selectors.tracking_site(actor_of(request))
    if site is None:
        raise NotFound(
            _("This workspace has no tracking key yet: save the tracking settings to make one.")
        )
    return _tracking_out(site)


@router.patch(
    "/tracking",
    response={200: TrackingOut, **ERRORS},
    summary="Change the domains allowed to send page views, or switch tracking off",
)
def update_tracking(request: HttpRequest, payload: TrackingPatch) -> dict[str, Any]:
    site = tracking.update_tracking_site(
        actor=actor_of(request), data=payload.dict(exclude_unset=True)
    )
    return _tracking_out(site)
