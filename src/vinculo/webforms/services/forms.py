"""Defining forms: the person fields a form may ask for, the allowed sites, consent, tags and
what a submission sets; create, change and delete a form."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.contacts import custom_fields as cf
from vinculo.contacts.contract import PERSON
from vinculo.contacts.models import Channel, CustomObject, LegalBasis
from vinculo.contacts.selectors import lifecycle_stages
from vinculo.core import audit, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import (
    FieldError,
    NotFound,
    ValidationFailed,
    choice_error,
    collect,
    raise_if_any,
)
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.webforms.models import FormLanguage, WebForm
from vinculo.workspaces.selectors import active_member_ids

# Standard person fields a form may ask for: key → (label, input type, autocomplete), from the
# people's write contract (vinculo.contacts.contract), with a form's own words for two of them.
STANDARD_FIELDS: dict[str, tuple[Any, str, str]] = {
    **{
        name: (PERSON[name].label, PERSON[name].input_type, PERSON[name].autocomplete)
        for name in (
            "first_name",
            "last_name",
            "email",
            "phone",
            "mobile_phone",
            "job_title",
            "city",
            "state",
            "postal_code",
            "country",
            "birth_date",
            "cpf",
        )
    },
    "country": (gettext_lazy("Country (two letters)"), "text", "country"),
    # Not a person column: found or created as a company and linked (webforms.companies).
    "company": (gettext_lazy("Company"), "text", "organization"),
    "interests": (gettext_lazy("Message"), "textarea", "off"),
}
CUSTOM_PREFIX = "custom_fields."
CONTACT_KEYS = ("email", "phone", "mobile_phone")
MAX_FIELDS = 30


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


def clean_domains(value: Any, errors: list[FieldError]) -> list[str]:
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
    for key in data:
        if key not in FORM_KEYS:
            errors.append(FieldError(str(key), _("Unknown field."), "unknown_field"))
    if creating or "name" in data:
        out["name"] = _collect(
            errors, validators.clean_name, data.get("name"), "name", required=True, max_length=120
        )
    if creating or "fields" in data:
        fields = _clean_fields(actor, data.get("fields", []), errors)
        if not fields and not any(e.field.startswith("fields") for e in errors):
            errors.append(
                FieldError("fields", _("Add at least the first name and the email."), "required")
            )
        out["fields"] = fields
    _clean_settings(data, out, errors)
    if "tags" in data:
        out["tags"] = _clean_tags(data["tags"], errors)
    _clean_lead_defaults(actor, data, out, errors)
    _clean_page_rules(data, out, errors)
    enabled = out.get("consent_enabled", data.get("consent_enabled"))
    if enabled and not str(out.get("consent_text", data.get("consent_text")) or "").strip():
        errors.append(
            FieldError("consent_text", _("Write the text shown next to the checkbox."), "required")
        )
    raise_if_any(errors)
    return out


def _collect(errors: list[FieldError], cleaner: Any, *args: Any, **kwargs: Any) -> Any:
    """``cleaner(*args, **kwargs)``; on ``ValidationFailed`` its errors go to ``errors`` and the
    value is None."""
    try:
        return cleaner(*args, **kwargs)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


def _clean_settings(data: dict[str, Any], out: dict[str, Any], errors: list[FieldError]) -> None:
    """The form's switches, texts and choices (consent, messages, source, language)."""
    for name in ("consent_enabled", "consent_required", "is_active"):
        if name in data:
            out[name] = bool(_collect(errors, validators.clean_bool, data[name], name))
    for name, limit in (("consent_text", 2000), ("success_message", 2000)):
        if name in data:
            out[name] = _collect(
                errors, validators.clean_long_text, data[name], name, max_length=limit
            )
    for name, limit in (("source", 60), ("submit_label", 60)):
        if name in data:
            out[name] = _collect(errors, validators.clean_name, data[name], name, max_length=limit)
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


def _clean_lead_defaults(
    actor: Actor, data: dict[str, Any], out: dict[str, Any], errors: list[FieldError]
) -> None:
    """The lifecycle stage and owner given to the people the form creates."""
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


def _clean_page_rules(data: dict[str, Any], out: dict[str, Any], errors: list[FieldError]) -> None:
    """Where the form may be embedded and go after a post, and its minimum filling time."""
    if "redirect_url" in data:
        out["redirect_url"] = (
            _collect(errors, validators.clean_url, data["redirect_url"], "redirect_url") or ""
        )
    if "allowed_domains" in data:
        out["allowed_domains"] = clean_domains(data["allowed_domains"], errors)
    if "min_seconds" in data:
        raw = data["min_seconds"]
        if isinstance(raw, bool) or not str(raw).strip().isdigit() or int(raw) > 600:
            errors.append(
                FieldError("min_seconds", _("Enter a whole number of seconds from 0 to 600."))
            )
        else:
            out["min_seconds"] = int(raw)


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
