"""Consent per channel (LGPD): one statement cleaned, recorded with its history, its timeline
entry, audit row and event."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.contacts.models import (
    Channel,
    Consent,
    ConsentChange,
    ConsentMethod,
    ConsentStatus,
    LegalBasis,
    Person,
)
from vinculo.contacts.services._common import get_for_update
from vinculo.contacts.timeline_text import consent_labels
from vinculo.core import audit, events, timeline, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, ValidationFailed, choice_error, collect, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.validators import clean_long_text as long_text

# Computed once: ``TextChoices.values`` builds a new list on every access (hot in bulk paths).
CHANNELS = tuple(Channel.values)
CONSENT_STATUSES = tuple(ConsentStatus.values)
LEGAL_BASES = tuple(LegalBasis.values)
CONSENT_METHODS = tuple(ConsentMethod.values)


def clean_consent(data: dict[str, Any], *, prefix: str = "") -> dict[str, Any]:
    """Validate one consent statement (channel, status, legal basis, method, evidence)."""
    errors: list[FieldError] = []
    for name, allowed in (
        ("channel", CHANNELS),
        ("status", CONSENT_STATUSES),
        ("legal_basis", LEGAL_BASES),
        ("method", CONSENT_METHODS),
    ):
        if data.get(name) not in allowed:
            errors.append(choice_error(prefix + name, data.get(name), allowed))
    if (
        data.get("status") == ConsentStatus.OPTED_IN
        and data.get("legal_basis") == "consent"
        and not str(data.get("evidence") or "").strip()
        and data.get("method") in {ConsentMethod.VERBAL, ConsentMethod.WRITTEN}
    ):
        errors.append(
            FieldError(
                prefix + "evidence", _("Record how the person consented (LGPD art. 8)."), "required"
            )
        )
    evidence = collect(errors, long_text, data.get("evidence"), prefix + "evidence") or ""
    changed_at = None
    if data.get("changed_at"):
        changed_at = collect(
            errors, validators.clean_datetime, data["changed_at"], prefix + "changed_at"
        )
    raise_if_any(errors)
    return {
        "channel": data["channel"],
        "status": data["status"],
        "legal_basis": data["legal_basis"],
        "method": data["method"],
        "evidence": evidence,
        "changed_at": changed_at or timezone.now(),
    }


def clean_consents(value: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    """Clean a list of consent statements; errors (named ``consents.<i>.<field>``) are added
    to ``errors``."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError("consents", _("Send a list of consents."), "invalid_type"))
        return []
    result = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            errors.append(FieldError(f"consents.{i}", _("Send an object."), "invalid_type"))
            continue
        try:
            result.append(clean_consent(item, prefix=f"consents.{i}."))
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    return result


def set_consent(*, actor: Actor, person_id: int, data: dict[str, Any]) -> Consent:
    """Record a person's consent for one channel (LGPD): status, legal basis, how and when.

    Keeps the full history; refuses unknown channels/statuses/bases/methods and, for verbal or
    written consent, a statement without evidence.
    """
    require(actor, "records.write")
    consent = clean_consent(data)
    with transaction.atomic():
        person = get_for_update(Person, actor, person_id, _("person"), deleted=False)
        return record_consent(actor, person, consent)


def record_consent(actor: Actor, person: Person, consent: dict[str, Any]) -> Consent:
    """Write a cleaned consent statement for ``person``: the current consent, its history
    row, a timeline entry, an audit row and the ``person.consent_changed`` event. The caller
    holds the transaction."""
    current = Consent.objects.filter(person=person, channel=consent["channel"]).first()
    previous = current.status if current else ConsentStatus.UNKNOWN
    if current is None:
        current = Consent(workspace=actor.workspace, created_by=actor.user, person=person)
    for name, value in consent.items():
        setattr(current, name, value)
    current.save()
    ConsentChange.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        person=person,
        from_status=previous,
        source=actor.source,
        **consent,
    )
    timeline.record(
        actor,
        "consent.changed",
        gettext_noop("Consent for %(channel)s: %(status)s"),
        params=consent_labels(consent),
        person=person,
        occurred_at=consent["changed_at"],
        data={
            "channel": consent["channel"],
            "from": previous,
            "to": consent["status"],
            "legal_basis": consent["legal_basis"],
            "method": consent["method"],
        },
    )
    audit.record(
        actor,
        "person.consent_changed",
        person,
        changes={f"consent.{consent['channel']}": [previous, consent["status"]]},
    )
    events.emit(
        "person.consent_changed",
        actor=actor,
        subject=person,
        payload={
            "channel": consent["channel"],
            "from": previous,
            "to": consent["status"],
            "legal_basis": consent["legal_basis"],
        },
    )
    return current
