"""Taking a public post: after the gates, the values are checked, the person is found (by email,
then phone) or created through the contacts services, consent and tags are recorded, and the
``form.submitted`` event, a tracked event and the visitor's earlier page views follow, all in one
transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.contacts.selectors import lifecycle_stages
from vinculo.core import audit, events, timeline, validators
from vinculo.core.actor import Actor, Source
from vinculo.core.errors import FieldError, collect, raise_if_any
from vinculo.core.text import fold
from vinculo.webforms import companies, tracking
from vinculo.webforms.models import Submission, SubmissionStatus, WebForm
from vinculo.webforms.services.errors import FormClosed
from vinculo.webforms.services.forms import CUSTOM_PREFIX
from vinculo.webforms.services.gates import (
    VISITOR_ID,
    Posted,
    SubmitMeta,
    check_rate,
    check_spam,
    ip_hash,
)
from vinculo.webforms.services.stats import bump_stats
from vinculo.workspaces.selectors import active_member_ids

MAX_VALUE_LENGTH = 5000


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
            _record_consent(actor, form, submission, person, meta)
        submission.person = person
        submission.person_created = created
        submission.save(update_fields=["person", "person_created", "updated_at"])
        _record_submitted(
            actor, form, submission, person, created=created, values=values, visitor_id=visitor_id
        )
        bump_stats(form, submissions=1)
    return submission


def _record_consent(
    actor: Actor, form: WebForm, submission: Submission, person: Person, meta: SubmitMeta
) -> None:
    """The person's opt-in on the form's channel, with the evidence (form, submission, IP and
    the text shown)."""
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


def _record_submitted(
    actor: Actor,
    form: WebForm,
    submission: Submission,
    person: Person,
    *,
    created: bool,
    values: dict[str, Any],
    visitor_id: str,
) -> None:
    """The audit entry, the ``form.submitted`` event and the tracked event (or, failing it, the
    timeline entry) of an accepted submission."""
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
    # The tracked event carries the timeline entry ("Submitted the form …"); should the
    # events app refuse it, the entry is written here so the timeline never misses a post.
    if not tracking.record_form_event(actor, form, submission, person, visitor_id):
        timeline.record(
            actor,
            "form.submitted",
            gettext_noop("Submitted the form %(form)s"),
            params={"form": form.name},
            person=person,
            data={"form_id": form.pk, "submission_id": submission.pk},
        )
