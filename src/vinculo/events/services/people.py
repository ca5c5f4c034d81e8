"""Linking anonymous visitors to people, and the workspace's event settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.contacts.models import Person
from vinculo.contacts.services import ensure_lifecycle_stages
from vinculo.core import audit, events, timeline
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, ValidationFailed
from vinculo.core.permissions import require
from vinculo.events.models import EventSettings, Purchase, TrackedEvent, VisitorLink
from vinculo.events.services.cleaning import VISITOR_PATTERN
from vinculo.events.services.rollup import moments_of, refresh_hours
from vinculo.events.services.summaries import kept


def link_visitor(*, actor: Actor, visitor_id: str, person_id: int) -> int:
    """Attach the anonymous events of ``visitor_id`` in the workspace to the person (each one
    lands on their timeline) and remember the link, so later events of that visitor resolve to
    the person. Returns how many events were attached. Refuses a malformed visitor id and a
    person who is not (or no longer) in the workspace."""
    require(actor, "records.write")
    visitor_id = str(visitor_id or "").strip()
    if not VISITOR_PATTERN.fullmatch(visitor_id):
        raise ValidationFailed.field(
            "visitor_id", _("Use 1 to 64 letters, digits, '.', '_', ':' or '-'."), "invalid"
        )
    person = (
        Person.objects.for_workspace(actor.workspace)
        .filter(pk=person_id, deleted_at__isnull=True)
        .only("pk")
        .first()
    )
    if person is None:
        raise NotFound(
            _("No person with id %(id)s.") % {"id": person_id},
            errors=[FieldError("person_id", _("Not found."), "not_found")],
        )
    with transaction.atomic():
        VisitorLink.objects.update_or_create(
            workspace=actor.workspace,
            visitor_id=visitor_id,
            defaults={"person": person, "created_by": actor.user},
        )
        anonymous = list(
            TrackedEvent.objects.for_workspace(actor.workspace)
            .filter(visitor_id=visitor_id, person__isnull=True)
            .exclude(visitor_id="")  # the ev_visitor partial index's condition, for SQLite
            .select_for_update(of=("self",))  # not the purchase, on the outer join's side
            .values_list("pk", "name", "summary", "occurred_at", "properties", *_BOUGHT)
        )
        ids = [pk for pk, *_rest in anonymous]
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            TrackedEvent.objects.filter(pk__in=chunk).update(person=person)
            bought = Purchase.objects.filter(event_id__in=chunk)
            moments = moments_of(bought)
            bought.update(person=person)
            refresh_hours(actor.workspace.pk, moments)
        timeline.record_many(
            actor,
            (
                timeline.PendingEntry(
                    kind=f"event.{name}"[:40],
                    summary=summary,
                    person=person.pk,
                    data={"event_id": pk, "name": name, "visitor_id": visitor_id}
                    | {"text": kept(name, properties, _bought(*bought))},
                    occurred_at=occurred_at,
                )
                for pk, name, summary, occurred_at, properties, *bought in anonymous
            ),
        )
        audit.record(
            actor,
            "visitor.linked",
            person,
            changes={"visitor_id": visitor_id, "linked": len(ids)},
        )
        events.emit(
            "visitor.linked",
            actor=actor,
            subject=person,
            payload={"visitor_id": visitor_id, "person_id": person.pk, "linked": len(ids)},
        )
    return len(ids)


_BOUGHT = ("purchase__amount", "purchase__currency", "purchase__order_id")


def _bought(amount: Any, currency: str | None, order_id: str | None) -> dict[str, Any] | None:
    if currency is None:
        return None
    return {"amount": str(amount), "currency": currency, "order_id": order_id}


def update_event_settings(*, actor: Actor, data: dict[str, Any]) -> EventSettings:
    """Change how unknown people are treated: created as leads or not, with which lifecycle
    stage and source. Refuses an unknown stage, a source over 60 characters, unknown keys."""
    require(actor, "settings.manage")
    errors: list[FieldError] = []
    allowed = {"create_unknown_people", "lead_stage", "lead_source"}
    for unknown in sorted(set(data) - allowed):
        errors.append(FieldError(unknown, _("Unknown field."), "unknown_field"))
    changes: dict[str, Any] = {}
    if "create_unknown_people" in data:
        if not isinstance(data["create_unknown_people"], bool):
            errors.append(
                FieldError("create_unknown_people", _("Enter true or false."), "invalid_boolean")
            )
        else:
            changes["create_unknown_people"] = data["create_unknown_people"]
    if "lead_stage" in data:
        stage = str(data["lead_stage"] or "").strip()
        keys = {s.key for s in ensure_lifecycle_stages(actor=actor)}
        if stage and stage not in keys:
            errors.append(
                FieldError(
                    "lead_stage",
                    _("Unknown lifecycle stage %(value)r; choose one of: %(choices)s.")
                    % {"value": stage, "choices": ", ".join(sorted(keys))},
                    "invalid_choice",
                )
            )
        changes["lead_stage"] = stage
    if "lead_source" in data:
        source = str(data["lead_source"] or "").strip()
        if len(source) > 60:
            errors.append(FieldError("lead_source", _("At most 60 characters."), "too_long"))
        changes["lead_source"] = source
    if errors:
        raise ValidationFailed(_("The settings were not saved."), errors=errors)
    with transaction.atomic():
        found, _created = EventSettings.objects.get_or_create(
            workspace=actor.workspace, defaults={"created_by": actor.user}
        )
        found = EventSettings.objects.select_for_update().get(pk=found.pk)
        before = {k: getattr(found, k) for k in changes}
        for name, value in changes.items():
            setattr(found, name, value)
        found.save()
        audit.record(
            actor,
            "events.settings_changed",
            found,
            changes={k: [before[k], v] for k, v in changes.items() if before[k] != v},
        )
    return found
