"""Everything the workspace holds about one person (LGPD art. 18 II and V), as plain data.

The same structure feeds the JSON download (portability) and the readable page (access).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.activities.models import Activity, ActivityKind, TimelineEntry
from vinculo.contacts.models import (
    Affiliation,
    ConsentChange,
    CustomFieldDefinition,
    LifecycleChange,
    Person,
)
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.events.models import (
    PersonIdentity,
    Purchase,
    TrackedEvent,
    VisitorLink,
    event_name_label,
)
from vinculo.events.selectors import purchase_of
from vinculo.events.services.summaries import summary_of
from vinculo.sales.models import Deal
from vinculo.webforms.models import Submission

FORMAT_VERSION = 1

PERSON_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile_phone",
    "cpf",
    "job_title",
    "birth_date",
    "gender",
    "preferred_channel",
    "interests",
    "source",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "state",
    "postal_code",
    "country",
    "lifecycle_changed_at",
    "last_activity_at",
    "created_at",
    "updated_at",
    "deleted_at",
)
ACTIVITY_FIELDS = (
    "id",
    "kind",
    "subject",
    "body",
    "occurred_at",
    "duration_seconds",
    "direction",
    "call_outcome",
    "location",
    "email_from",
    "email_to",
    "due_at",
    "completed_at",
)


def _plain(value: Any) -> Any:
    """Dates, decimals and UUIDs as their JSON text."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _rows(qs: QuerySet[Any], fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [_plain(row) for row in qs.values(*fields)]


def _worded_timeline(person: Person) -> list[dict[str, Any]]:
    """The person's timeline, each line worded in the reader's language."""
    entries = TimelineEntry.objects.filter(person=person).order_by("occurred_at", "id")
    return [
        _plain(
            {
                "kind": e.kind,
                "occurred_at": e.occurred_at,
                "summary": e.summary_text,
                "data": e.data,
            }
        )
        for e in entries
    ]


def _worded_events(events: QuerySet[TrackedEvent]) -> list[dict[str, Any]]:
    """The person's tracked events, each line worded in the reader's language."""
    return [
        _plain(
            {
                "id": e.pk,
                "name": e.name,
                "occurred_at": e.occurred_at,
                "properties": e.properties,
                "source": e.source,
                "summary": summary_of(e, purchase_of(e)),
            }
        )
        for e in events.select_related("purchase")
    ]


def _get(actor: Actor, person_id: int) -> Person:
    person = (
        Person.objects.for_workspace(actor.workspace)
        .select_related("lifecycle_stage")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound(_("No person with id %(id)s.") % {"id": person_id})
    return person


def _custom_fields(actor: Actor, person: Person) -> list[dict[str, Any]]:
    labels = dict(
        CustomFieldDefinition.objects.for_workspace(actor.workspace)
        .filter(object_type="person")
        .values_list("key", "label")
    )
    return [
        {"key": key, "label": labels.get(key, key), "value": _plain(value)}
        for key, value in sorted((person.custom_fields or {}).items())
    ]


def person_data(actor: Actor, person_id: int) -> dict[str, Any]:
    """Every record of the workspace about ``person_id`` (live or in the bin), JSON-ready.

    Sections: the person's fields and custom fields, tags, companies, consent (current and
    history), lifecycle history, timeline, activities, emails, tracked events, purchases,
    form submissions, deals, external identities and visitor ids. Raises NotFound for an id
    of another workspace.
    """
    require(actor, "records.view")
    require(actor, "data.export")
    person = _get(actor, person_id)
    ws = actor.workspace
    fields = {name: _plain(getattr(person, name)) for name in PERSON_FIELDS}
    fields["lifecycle_stage"] = person.lifecycle_stage.key if person.lifecycle_stage else None
    activities = Activity.objects.for_workspace(ws).filter(person=person).order_by("occurred_at")
    events = TrackedEvent.objects.filter(workspace=ws, person=person).order_by("occurred_at")
    return {
        "format_version": FORMAT_VERSION,
        "workspace": ws.name,
        "person": fields,
        "custom_fields": _custom_fields(actor, person),
        "tags": sorted(person.tags.values_list("name", flat=True)),
        "companies": [
            {"company_id": a.company_id, "name": a.company.name, "role": a.role}
            for a in Affiliation.objects.filter(person=person).select_related("company")
        ],
        "consents": _rows(
            person.consents.all().order_by("channel"),
            ("channel", "status", "legal_basis", "method", "evidence", "changed_at"),
        ),
        "consent_history": _rows(
            ConsentChange.objects.filter(person=person),
            ("channel", "from_status", "status", "legal_basis", "method", "evidence", "changed_at"),
        ),
        "lifecycle_history": _rows(
            LifecycleChange.objects.filter(person=person),
            ("from_stage__key", "to_stage__key", "changed_at", "source"),
        ),
        "timeline": _worded_timeline(person),
        "activities": _rows(activities.exclude(kind=ActivityKind.EMAIL), ACTIVITY_FIELDS),
        "emails": _rows(activities.filter(kind=ActivityKind.EMAIL), ACTIVITY_FIELDS),
        "events": _worded_events(events),
        "purchases": _rows(
            Purchase.objects.filter(workspace=ws, person=person).order_by("occurred_at"),
            ("order_id", "amount", "currency", "items", "occurred_at"),
        ),
        "form_submissions": _rows(
            Submission.objects.for_workspace(ws).filter(person=person).order_by("created_at"),
            ("form__name", "created_at", "status", "data", "consent_given", "page_url"),
        ),
        "deals": _rows(
            Deal.objects.for_workspace(ws).filter(person=person).order_by("created_at"),
            ("id", "title", "status", "amount", "currency", "stage__name", "created_at"),
        ),
        "identities": _rows(
            PersonIdentity.objects.for_workspace(ws).filter(person=person),
            ("system", "external_id"),
        ),
        "visitor_ids": sorted(
            VisitorLink.objects.filter(person=person).values_list("visitor_id", flat=True)
        ),
    }


def section_titles() -> list[tuple[str, str]]:
    """The export's list sections and their titles in the reader's language."""
    return [
        ("consents", _("Consent")),
        ("consent_history", _("Consent history")),
        ("lifecycle_history", _("Lifecycle history")),
        ("companies", _("Companies")),
        ("deals", _("Deals")),
        ("activities", _("Activities")),
        ("emails", _("Emails")),
        ("events", _("Events")),
        ("purchases", _("Purchases")),
        ("form_submissions", _("Form submissions")),
        ("identities", _("Identities in other systems")),
        ("timeline", _("Timeline")),
    ]


COLUMN_LABELS = {
    "id": "#",
    "channel": gettext_lazy("Channel"),
    "status": gettext_lazy("Status"),
    "from_status": gettext_lazy("Previous status"),
    "legal_basis": gettext_lazy("Legal basis"),
    "method": gettext_lazy("Method"),
    "evidence": gettext_lazy("Evidence"),
    "changed_at": gettext_lazy("Changed at"),
    "from_stage__key": gettext_lazy("From stage"),
    "to_stage__key": gettext_lazy("To stage"),
    "source": gettext_lazy("Source"),
    "company_id": gettext_lazy("Company id"),
    "name": gettext_lazy("Name"),
    "role": gettext_lazy("Role"),
    "title": gettext_lazy("Title"),
    "amount": gettext_lazy("Amount"),
    "currency": gettext_lazy("Currency"),
    "stage__name": gettext_lazy("Stage"),
    "created_at": gettext_lazy("Created at"),
    "updated_at": gettext_lazy("Updated at"),
    "deleted_at": gettext_lazy("Moved to the bin at"),
    "lifecycle_changed_at": gettext_lazy("Lifecycle changed at"),
    "last_activity_at": gettext_lazy("Last activity at"),
    "kind": gettext_lazy("Kind"),
    "subject": gettext_lazy("Subject"),
    "body": gettext_lazy("Body"),
    "occurred_at": gettext_lazy("Occurred at"),
    "duration_seconds": gettext_lazy("Duration (seconds)"),
    "direction": gettext_lazy("Direction"),
    "call_outcome": gettext_lazy("Call outcome"),
    "location": gettext_lazy("Location"),
    "email_from": gettext_lazy("From"),
    "email_to": gettext_lazy("To"),
    "due_at": gettext_lazy("Due at"),
    "completed_at": gettext_lazy("Completed at"),
    "properties": gettext_lazy("Properties"),
    "summary": gettext_lazy("Summary"),
    "order_id": gettext_lazy("Order id"),
    "items": gettext_lazy("Items"),
    "form__name": gettext_lazy("Form"),
    "data": gettext_lazy("Data"),
    "consent_given": gettext_lazy("Consent given"),
    "page_url": gettext_lazy("Page"),
    "system": gettext_lazy("System"),
    "external_id": gettext_lazy("External id"),
}


def _cell(value: Any) -> str:
    """A value as the reader reads it: dates in their locale and time zone, JSON as text."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) >= 19 and value[4:5] == "-" and value[10:11] == "T":
        moment = parse_datetime(value)
        if moment is not None:
            return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


# Columns the JSON export keeps for machines but a person reads elsewhere in the same row (a
# timeline entry's summary says what its kind code and data say).
DOCUMENT_SKIPS = {"timeline": {"kind", "data"}}
# Codes shown by their label in the reader's language.
DOCUMENT_LABELS = {("events", "name"): event_name_label}


def _document_cell(label: Callable[[str], str] | None, value: Any) -> str:
    return label(value) if label is not None and value else _cell(value)


def readable(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The export's list sections as titled tables, headed in the reader's language."""
    tables = []
    for key, title in section_titles():
        rows = data.get(key) or []
        skip = DOCUMENT_SKIPS.get(key, set())
        columns = [c for c in (rows[0].keys() if rows else ()) if c not in skip]
        label = {c: DOCUMENT_LABELS.get((key, c)) for c in columns}
        tables.append(
            {
                "key": key,
                "title": title,
                "columns": [str(COLUMN_LABELS.get(c, c)) for c in columns],
                "rows": [[_document_cell(label[c], row.get(c)) for c in columns] for row in rows],
            }
        )
    return tables


def person_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The person's own fields as (label, value) pairs, the empty ones left out."""
    labels = {
        f.name: capfirst(str(f.verbose_name))
        for f in Person._meta.get_fields()
        if hasattr(f, "verbose_name")
    }
    labels.update({k: str(v) for k, v in COLUMN_LABELS.items()})
    labels["lifecycle_stage"] = _("Lifecycle stage")
    pairs = [
        (labels.get(name, name), _cell(value))
        for name, value in data["person"].items()
        if value not in (None, "")
    ]
    pairs += [(str(cf["label"]), _cell(cf["value"])) for cf in data["custom_fields"]]
    return pairs
