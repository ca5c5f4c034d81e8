"""Writes of web forms: defining forms, and taking a public submission.

A submission goes through the spam gates first (rate limit per IP and per form, honeypot, a signed
render token that must be neither forged, stale nor too fresh); a refused post is kept as a
``spam`` submission and answered with a clear message. A good post then creates or updates the
person through the contacts services (the product's own validation and entry rules), records
consent, tags, a timeline entry, the ``form.submitted`` domain event and a ``form_submitted``
tracked event, and links the visitor's earlier page views, all in one transaction.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from vinculo.activities import timeline
from vinculo.contacts import custom_fields as cf
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Channel, CustomObject, LegalBasis, Person
from vinculo.contacts.selectors import lifecycle_stages
from vinculo.core import audit, events, validators
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import (
    FieldError,
    NotFound,
    ServiceError,
    ValidationFailed,
    choice_error,
    collect,
    raise_if_any,
)
from vinculo.core.text import fold
from vinculo.webforms import companies, ratelimit
from vinculo.webforms.models import (
    FormDailyStat,
    FormLanguage,
    Submission,
    SubmissionStatus,
    WebForm,
)
from vinculo.workspaces.permissions import require
from vinculo.workspaces.selectors import active_member_ids

logger = logging.getLogger(__name__)

# Standard person fields a form may ask for: key → (label, input type, autocomplete).
STANDARD_FIELDS: dict[str, tuple[Any, str, str]] = {
    "first_name": (gettext_lazy("First name"), "text", "given-name"),
    "last_name": (gettext_lazy("Last name"), "text", "family-name"),
    "email": (gettext_lazy("Email"), "email", "email"),
    "phone": (gettext_lazy("Phone"), "tel", "tel"),
    "mobile_phone": (gettext_lazy("Mobile phone"), "tel", "tel"),
    "job_title": (gettext_lazy("Job title"), "text", "organization-title"),
    "city": (gettext_lazy("City"), "text", "address-level2"),
    "state": (gettext_lazy("State"), "text", "address-level1"),
    "postal_code": (gettext_lazy("Postal code"), "text", "postal-code"),
    "country": (gettext_lazy("Country (two letters)"), "text", "country"),
    "birth_date": (gettext_lazy("Birth date"), "date", "bday"),
    "cpf": ("CPF", "text", "off"),
    # Not a person column: found or created as a company and linked (webforms.companies).
    "company": (gettext_lazy("Company"), "text", "organization"),
    "interests": (gettext_lazy("Message"), "textarea", "off"),
}
CUSTOM_PREFIX = "custom_fields."
CONTACT_KEYS = ("email", "phone", "mobile_phone")
MAX_FIELDS = 30
MAX_VALUE_LENGTH = 5000
# The honeypot: a field people never see; bots fill it.
HONEYPOT = "_website"
TOKEN_SALT = "vinculo.webforms.render"  # noqa: S105 (a signing salt, not a secret)
# A rendered form stays valid this long (seconds); an older token is refused as stale.
TOKEN_MAX_AGE = 24 * 3600
VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")

events.register_event_type(
    "form.submitted",
    gettext_noop(
        "A web form was submitted and accepted (payload: form {id, name}, submission_id, "
        "person_id, person_created, consent, fields, visitor_id)."
    ),
)


# --- errors ---------------------------------------------------------------------------------


def _clean_tags(value: Any, errors: list[FieldError]) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        errors.append(FieldError("tags", _("Send a list of tag names."), "invalid_type"))
        return []
    names: dict[str, str] = {}
    for i, raw in enumerate(value):
        name = collect(errors, validators.clean_name, raw, f"tags.{i}", max_length=50)
        if name:
            names.setdefault(fold(name), name)
    return list(names.values())


class SpamRefused(ServiceError):
    """A post the spam gates refused (kept as a ``spam`` submission)."""

    status = 422
    title = "Submission refused"
    type_slug = "submission-refused"

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail, errors=[FieldError("", detail, reason)])
        self.reason = reason


class RateLimited(ServiceError):
    status = 429
    title = "Too many requests"
    type_slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(int(retry_after), 1)


class OriginRefused(ServiceError):
    """A browser post or page view from a site that is not allowed (403)."""

    status = 403
    title = "Forbidden"
    type_slug = "origin-refused"


class FormClosed(NotFound):
    """The form does not exist or no longer accepts answers (404)."""


# --- defining forms -------------------------------------------------------------------------


def _clean_domains(value: Any, errors: list[FieldError]) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = re.split(r"[\s,]+", value)
    if not isinstance(value, list):
        errors.append(FieldError("allowed_domains", _("Send a list of domains."), "invalid_type"))
        return []
    domains: list[str] = []
    for i, raw in enumerate(value):
        text = str(raw or "").strip().lower()
        if not text:
            continue
        try:
            host = urlparse(text if "//" in text else f"//{text}").hostname or ""
        except ValueError:  # "http://[::1"
            host = ""
        if not host or "." not in host.strip("*.") or not re.fullmatch(r"[a-z0-9.*-]+", host):
            errors.append(
                FieldError(
                    f"allowed_domains.{i}",
                    _("%(value)r is not a domain like www.example.com.") % {"value": text},
                    "invalid",
                )
            )
            continue
        if host not in domains:
            domains.append(host)
    return domains[:50]


def domain_allowed(host: str, domains: list[str]) -> bool:
    """``host`` is one of ``domains`` or a subdomain of one (``example.com`` allows
    ``www.example.com``)."""
    host = (host or "").lower().rstrip(".")
    for domain in domains:
        domain = domain.removeprefix("*.")
        if host == domain or host.endswith("." + domain):
            return True
    return False


def _clean_fields(actor: Actor, value: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        errors.append(FieldError("fields", _("Send a list of fields."), "invalid_type"))
        return []
    defs = cf.definitions(actor, CustomObject.PERSON)
    known_errors = len(errors)
    result: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(value[: MAX_FIELDS + 1]):
        prefix = f"fields.{i}."
        if not isinstance(item, dict):
            errors.append(FieldError(f"fields.{i}", _("Send an object."), "invalid_type"))
            continue
        key = str(item.get("key") or "")
        if key.startswith(CUSTOM_PREFIX):
            if key.removeprefix(CUSTOM_PREFIX) not in defs:
                errors.append(
                    FieldError(prefix + "key", _("No custom field %(key)r.") % {"key": key})
                )
                continue
        elif key not in STANDARD_FIELDS:
            errors.append(
                FieldError(
                    prefix + "key",
                    _("%(key)r is not a person field a form can ask for.") % {"key": key},
                    "invalid_choice",
                )
            )
            continue
        if key in seen:
            errors.append(FieldError(prefix + "key", _("This field is already on the form.")))
            continue
        seen.add(key)
        label = validators.clean_name(item.get("label"), prefix + "label", max_length=100)
        placeholder = validators.clean_name(
            item.get("placeholder"), prefix + "placeholder", max_length=100
        )
        result.append(
            {
                "key": key,
                "label": label,
                "placeholder": placeholder,
                "required": bool(item.get("required")) or key == "first_name",
            }
        )
    if len(value) > MAX_FIELDS:
        errors.append(
            FieldError("fields", _("A form has at most %(n)s fields.") % {"n": MAX_FIELDS})
        )
    if value and len(errors) == known_errors:
        if "first_name" not in seen:
            errors.append(
                FieldError("fields", _("Add the first name field: every person needs a name."))
            )
        if not seen & set(CONTACT_KEYS):
            errors.append(
                FieldError(
                    "fields",
                    _("Add an email or phone field: it is how a returning person is recognised."),
                )
            )
    return result


FORM_KEYS = frozenset(
    {
        "name",
        "fields",
        "consent_enabled",
        "consent_required",
        "consent_text",
        "consent_channel",
        "consent_legal_basis",
        "tags",
        "lifecycle_stage",
        "source",
        "owner_id",
        "submit_label",
        "success_message",
        "redirect_url",
        "is_active",
        "allowed_domains",
        "language",
        "min_seconds",
    }
)


def clean_form(actor: Actor, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate a form definition (whole on create, a patch otherwise); raises one
    :class:`ValidationFailed` naming every bad field."""
    errors: list[FieldError] = []
    out: dict[str, Any] = {}

    def collect(name: str, cleaner: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return cleaner(*args, **kwargs)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            return None

    for key in data:
        if key not in FORM_KEYS:
            errors.append(FieldError(str(key), _("Unknown field."), "unknown_field"))
    if creating or "name" in data:
        out["name"] = collect(
            "name", validators.clean_name, data.get("name"), "name", required=True, max_length=120
        )
    if creating or "fields" in data:
        fields = _clean_fields(actor, data.get("fields", []), errors)
        if not fields and not any(e.field.startswith("fields") for e in errors):
            errors.append(
                FieldError("fields", _("Add at least the first name and the email."), "required")
            )
        out["fields"] = fields
    for name in ("consent_enabled", "consent_required", "is_active"):
        if name in data:
            out[name] = bool(collect(name, validators.clean_bool, data[name], name))
    for name, limit in (("consent_text", 2000), ("success_message", 2000)):
        if name in data:
            out[name] = collect(
                name, validators.clean_long_text, data[name], name, max_length=limit
            )
    for name, limit in (("source", 60), ("submit_label", 60)):
        if name in data:
            out[name] = collect(name, validators.clean_name, data[name], name, max_length=limit)
    for name, allowed in (
        ("consent_channel", Channel.values),
        ("consent_legal_basis", LegalBasis.values),
        ("language", FormLanguage.values),
    ):
        if name in data:
            if data[name] not in allowed:
                errors.append(choice_error(name, data[name], allowed))
            else:
                out[name] = data[name]
    if "tags" in data:
        out["tags"] = _clean_tags(data["tags"], errors)
    if "lifecycle_stage" in data:
        stage = str(data["lifecycle_stage"] or "")
        keys = [s.key for s in lifecycle_stages(actor)]
        if stage and stage not in keys:
            errors.append(choice_error("lifecycle_stage", stage, keys))
        out["lifecycle_stage"] = stage
    if "owner_id" in data:
        owner = data["owner_id"]
        if owner in (None, ""):
            out["owner_id"] = None
        elif str(owner).isdigit() and int(owner) in active_member_ids(actor.workspace):
            out["owner_id"] = int(owner)
        else:
            errors.append(
                FieldError("owner_id", _("The owner must be an active member of this workspace."))
            )
    if "redirect_url" in data:
        out["redirect_url"] = (
            collect("redirect_url", validators.clean_url, data["redirect_url"], "redirect_url")
            or ""
        )
    if "allowed_domains" in data:
        out["allowed_domains"] = _clean_domains(data["allowed_domains"], errors)
    if "min_seconds" in data:
        raw = data["min_seconds"]
        if isinstance(raw, bool) or not str(raw).strip().isdigit() or int(raw) > 600:
            errors.append(
                FieldError("min_seconds", _("Enter a whole number of seconds from 0 to 600."))
            )
        else:
            out["min_seconds"] = int(raw)
    enabled = out.get("consent_enabled", data.get("consent_enabled"))
    if enabled and not str(out.get("consent_text", data.get("consent_text")) or "").strip():
        errors.append(
            FieldError("consent_text", _("Write the text shown next to the checkbox."), "required")
        )
    raise_if_any(errors)
    return out


def create_form(*, actor: Actor, data: dict[str, Any]) -> WebForm:
    """Define a new form; refuses unknown fields, a form without name/email, bad domains."""
    require(actor, "marketing.write")
    cleaned = clean_form(actor, data, creating=True)
    with transaction.atomic():
        form = WebForm(workspace=actor.workspace, created_by=actor.user, **cleaned)
        if "language" not in cleaned:
            form.language = (
                FormLanguage.EN if actor.workspace.locale == "en" else FormLanguage.PT_BR
            )
        form.save()
        audit.record(actor, "webform.created", form, changes={"name": [None, form.name]})
    return form


def update_form(*, actor: Actor, form_id: int, data: dict[str, Any]) -> WebForm:
    """Change a form (a patch); the public key never changes, so embedded copies keep working."""
    require(actor, "marketing.write")
    cleaned = clean_form(actor, data, creating=False)
    with transaction.atomic():
        form = _get_for_update(actor, form_id)
        before = {k: getattr(form, k) for k in cleaned}
        for name, value in cleaned.items():
            setattr(form, name, value)
        form.save()
        audit.record(actor, "webform.updated", form, changes=audit.diff(before, cleaned))
    return form


def delete_form(*, actor: Actor, form_id: int) -> None:
    """Delete a form and its submissions (the people it created stay)."""
    require(actor, "marketing.write")
    with transaction.atomic():
        form = _get_for_update(actor, form_id)
        audit.record(actor, "webform.deleted", form)
        form.delete()


def _get_for_update(actor: Actor, form_id: int) -> WebForm:
    form = (
        WebForm.objects.for_workspace(actor.workspace)
        .select_for_update()
        .filter(pk=form_id)
        .first()
    )
    if form is None:
        raise NotFound(_("No form with id %(id)s in this workspace.") % {"id": form_id})
    return form


# --- the public side ------------------------------------------------------------------------


def public_form(key: str) -> WebForm:
    """The active form with public key ``key``, else :class:`FormClosed`."""
    form = (
        WebForm.objects.select_related("workspace").filter(public_key=key, is_active=True).first()
    )
    if form is None:
        raise FormClosed(_("This form does not exist or no longer accepts answers."))
    return form


def render_token(form: WebForm, *, now: float | None = None) -> str:
    """The signed token rendered into the form: which form, and when it was shown."""
    issued = time.time() if now is None else now
    return signing.dumps({"f": form.public_key, "t": round(issued, 3)}, salt=TOKEN_SALT)


def ip_hash(workspace_id: int, ip: str | None) -> str:
    """A keyed hash of the IP (per workspace, never reversible without the secret key)."""
    if not ip:
        return ""
    return salted_hmac("vinculo.webforms.ip", f"{workspace_id}:{ip}").hexdigest()[:32]


def count_view(form: WebForm) -> None:
    """One view of the hosted page (the conversion chart's denominator)."""
    _bump(form, views=1)


def _bump(form: WebForm, **counts: int) -> None:
    day = timezone.localdate()
    rows = FormDailyStat.objects.filter(form=form, day=day)
    if not rows.update(**{k: F(k) + v for k, v in counts.items()}):
        try:
            with transaction.atomic():
                FormDailyStat.objects.create(
                    workspace_id=form.workspace_id, form=form, day=day, **counts
                )
        except IntegrityError:
            rows.update(**{k: F(k) + v for k, v in counts.items()})


@dataclass
class SubmitMeta:
    """Where a post came from: the edges fill it from the request."""

    ip: str | None = None
    user_agent: str = ""
    page_url: str = ""


@dataclass
class Posted:
    """A post in the service's shape (form-encoded and JSON edges both build this)."""

    values: dict[str, Any] = field(default_factory=dict)
    consent: bool = False
    token: str = ""
    honeypot: str = ""
    visitor_id: str = ""


def _record_spam(form: WebForm, posted: Posted, meta: SubmitMeta, reason: str) -> Submission:
    logger.warning("web form %s: refused a submission as spam (%s)", form.pk, reason)
    return Submission.objects.create(
        workspace_id=form.workspace_id,
        form=form,
        status=SubmissionStatus.SPAM,
        reason=reason,
        data={k: str(v)[:500] for k, v in list(posted.values.items())[:MAX_FIELDS]},
        ip_hash=ip_hash(form.workspace_id, meta.ip),
        user_agent=meta.user_agent[:300],
        visitor_id=posted.visitor_id if VISITOR_ID.match(posted.visitor_id or "") else "",
        page_url=meta.page_url[:500],
    )


def check_rate(form: WebForm, meta: SubmitMeta, posted: Posted) -> None:
    """Count this post against the per-IP and per-form limits; refuse (429) when over.

    Only the first refused post of a window is stored as spam, so a flood cannot fill the table.
    """
    hashed = ip_hash(form.workspace_id, meta.ip) or "unknown"
    checks = [
        (f"form:{form.pk}:ip:{hashed}", ratelimit.limit("WEBFORMS_RATE_PER_IP")),
        (f"form:{form.pk}", ratelimit.limit("WEBFORMS_RATE_PER_FORM")),
    ]
    outcomes: list[tuple[ratelimit.Outcome, ratelimit.Limit]] = []
    with transaction.atomic():  # one commit for both counters
        for bucket, rule in checks:
            outcomes.append((ratelimit.hit(form.workspace_id, bucket, rule), rule))
            # A refused IP does not use up the form's allowance (one IP cannot block the form).
            if not outcomes[-1][0].allowed:
                break
    for outcome, rule in outcomes:
        if not outcome.allowed:
            if outcome.hits == rule.hits + 1:
                _record_spam(form, posted, meta, "rate_limited")
            raise RateLimited(
                _("Too many submissions: wait %(n)s seconds and send again.")
                % {"n": outcome.retry_after},
                retry_after=outcome.retry_after,
            )


def check_spam(
    form: WebForm, posted: Posted, meta: SubmitMeta, *, now: float | None = None
) -> None:
    """The honeypot and the render token. A missing token is a :class:`ValidationFailed` on
    ``token`` (a page without our script: the hosted page asks to confirm); a filled honeypot, a
    forged, stale or too fresh token is :class:`SpamRefused` and stored as spam."""
    if posted.honeypot.strip():
        _record_spam(form, posted, meta, "honeypot")
        raise SpamRefused(
            _("Your submission looks automated and was not accepted."), reason="honeypot"
        )
    if not posted.token:
        raise ValidationFailed.field(
            "token",
            _("Please check your details and send the form again."),
            "token_missing",
        )
    now = time.time() if now is None else now
    try:
        payload = signing.loads(posted.token, salt=TOKEN_SALT)
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("f") != form.public_key:
        _record_spam(form, posted, meta, "forged_token")
        raise SpamRefused(
            _("This form could not be verified: reload the page and send it again."),
            reason="forged_token",
        )
    if now - float(payload.get("t") or 0) > TOKEN_MAX_AGE:
        _record_spam(form, posted, meta, "stale_token")
        raise SpamRefused(
            _("This form has expired: reload the page and send it again."), reason="stale_token"
        )
    elapsed = now - float(payload.get("t") or 0)
    if elapsed < form.min_seconds:
        _record_spam(form, posted, meta, "too_fast")
        raise SpamRefused(
            _("That was too fast: take a moment to check your details, then send again."),
            reason="too_fast",
        )


def _clean_values(form: WebForm, posted: Posted, region: str) -> dict[str, Any]:
    """Required fields and the email/phone formats (for matching); the rest is validated by
    the contacts services. Keys are the form's field keys."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for spec in form.fields:
        key = spec["key"]
        raw = posted.values.get(key)
        if isinstance(raw, list):
            raw = [str(v)[:MAX_VALUE_LENGTH] for v in raw if str(v).strip()]
            empty = not raw
        else:
            raw = "" if raw is None else str(raw).strip()[:MAX_VALUE_LENGTH]
            empty = raw == ""
        if empty:
            if spec.get("required"):
                errors.append(FieldError(key, _("This field is required."), "required"))
            continue
        if key == "email":
            raw = collect(errors, validators.clean_email, raw, key)
        elif key in ("phone", "mobile_phone"):
            raw = collect(errors, validators.clean_phone, raw, key, region=region)
        elif key == companies.KEY and len(raw) > companies.MAX_LENGTH:
            message = _("At most %(n)s characters.") % {"n": companies.MAX_LENGTH}
            errors.append(FieldError(key, message, "too_long"))
            continue
        if raw:
            values[key] = raw
    if form.consent_enabled and form.consent_required and not posted.consent:
        errors.append(FieldError("consent", _("Check this box to continue."), "required"))
    raise_if_any(errors)
    return values


def _match_person(actor: Actor, values: dict[str, Any]) -> Person | None:
    """The live person with this email, else with this phone (either phone field)."""
    live = Person.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True)
    if values.get("email"):
        found = live.filter(email=values["email"]).order_by("pk").first()
        if found is not None:
            return found
    phones = [values[k] for k in ("phone", "mobile_phone") if values.get(k)]
    if phones:
        return live.filter(Q(phone__in=phones) | Q(mobile_phone__in=phones)).order_by("pk").first()
    return None


def _person_data(values: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key, value in values.items():
        if key.startswith(CUSTOM_PREFIX):
            custom[key.removeprefix(CUSTOM_PREFIX)] = value
        elif key == companies.KEY:
            continue
        else:
            data[key] = value
    if custom:
        data["custom_fields"] = custom
    return data


def _create_person(actor: Actor, form: WebForm, values: dict[str, Any]) -> Person:
    data = _person_data(values)
    companies.link_new_person(actor, data, values.get(companies.KEY, ""))
    if form.tags:
        data["tags"] = list(form.tags)
    if form.source:
        data["source"] = form.source
    if form.lifecycle_stage and form.lifecycle_stage in {s.key for s in lifecycle_stages(actor)}:
        data["lifecycle_stage"] = form.lifecycle_stage
    # An owner who left the workspace must not make every post fail.
    if form.owner_id and form.owner_id in active_member_ids(actor.workspace):
        data["owner_id"] = form.owner_id
    return contacts.create_person(actor=actor, data=data)


def _update_person(actor: Actor, form: WebForm, person: Person, values: dict[str, Any]) -> None:
    """Fill the person's empty fields and add the form's tags; a public form never overwrites
    what the CRM already knows (anyone may type anyone's email)."""
    data = _person_data(values)
    patch = {k: v for k, v in data.items() if k != "custom_fields" and not getattr(person, k)}
    custom = {
        k: v
        for k, v in data.get("custom_fields", {}).items()
        if person.custom_fields.get(k) in (None, "", [])
    }
    if custom:
        patch["custom_fields"] = custom
    companies.link_existing_person(actor, patch, person, values.get(companies.KEY, ""))
    current = list(person.tags.values_list("name", flat=True))
    folded = {fold(t) for t in current}
    new_tags = [t for t in form.tags if fold(t) not in folded]
    if new_tags:
        patch["tags"] = current + new_tags
    if patch:
        contacts.update_person(actor=actor, person_id=person.pk, data=patch)


def submit_form(*, form: WebForm, posted: Posted, meta: SubmitMeta) -> Submission:
    """Take a public post of ``form``: spam gates, validation, then the person written.

    Refuses (nothing written but the spam log): too many posts (429), a filled honeypot, a
    forged/stale/too fresh token (422); refuses with field errors, writing nothing: a missing
    required field, a bad email or phone, anything the contacts services or entry rules refuse.
    """
    if not form.is_active:
        raise FormClosed(_("This form does not exist or no longer accepts answers."))
    check_rate(form, meta, posted)
    check_spam(form, posted, meta)
    actor = Actor(
        workspace=form.workspace,
        user=None,
        role=None,
        source=Source.SYSTEM,
        extra={"webform_id": form.pk},
    )
    region = (form.workspace.country or "BR").upper()
    values = _clean_values(form, posted, region)
    visitor_id = posted.visitor_id if VISITOR_ID.match(posted.visitor_id or "") else ""
    with transaction.atomic():
        # One post of a form at a time: two posts with the same email never make two people.
        WebForm.objects.select_for_update().filter(pk=form.pk).values_list("pk").get()
        submission = Submission.objects.create(
            workspace_id=form.workspace_id,
            form=form,
            status=SubmissionStatus.ACCEPTED,
            data=values,
            consent_given=bool(form.consent_enabled and posted.consent),
            ip_hash=ip_hash(form.workspace_id, meta.ip),
            user_agent=meta.user_agent[:300],
            visitor_id=visitor_id,
            page_url=meta.page_url[:500],
        )
        person = _match_person(actor, values)
        created = person is None
        if person is None:
            person = _create_person(actor, form, values)
        else:
            _update_person(actor, form, person, values)
        if submission.consent_given:
            evidence = _(
                "Web form “%(form)s” (id %(form_id)s), submission %(submission)s, IP %(ip)s, "
                "text shown: %(text)s"
            ) % {
                "form": form.name,
                "form_id": form.pk,
                "submission": submission.pk,
                "ip": meta.ip or "?",
                "text": form.consent_text,
            }
            contacts.set_consent(
                actor=actor,
                person_id=person.pk,
                data={
                    "channel": form.consent_channel,
                    "status": "opted_in",
                    "legal_basis": form.consent_legal_basis,
                    "method": "web_form",
                    "evidence": evidence,
                },
            )
        submission.person = person
        submission.person_created = created
        submission.save(update_fields=["person", "person_created", "updated_at"])
        audit.record(
            actor,
            "webform.submitted",
            submission,
            changes={"person": [None, person.pk]},
        )
        events.emit(
            "form.submitted",
            actor=actor,
            subject=person,
            payload={
                "form": {"id": form.pk, "name": form.name},
                "submission_id": submission.pk,
                "person_id": person.pk,
                "person_created": created,
                "consent": submission.consent_given,
                "fields": values,
                "visitor_id": visitor_id,
            },
        )
        from vinculo.webforms import tracking

        # The tracked event carries the timeline entry ("Submitted the form …"); should the
        # events app refuse it, the entry is written here so the timeline never misses a post.
        if not tracking.record_form_event(actor, form, submission, person, visitor_id):
            timeline.record(
                actor,
                "form.submitted",
                _("Submitted the form %(form)s") % {"form": form.name},
                person=person,
                data={"form_id": form.pk, "submission_id": submission.pk},
            )
        _bump(form, submissions=1)
    return submission
