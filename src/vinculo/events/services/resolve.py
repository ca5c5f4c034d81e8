"""Finding who each row is about: stored keys answered as duplicates, people resolved by id,
external id, email, phone or visitor link, unknown people created as leads — a few queries for
the whole batch, whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts.models import Person
from vinculo.contacts.selectors import live_ids
from vinculo.contacts.services import bulk_create_people
from vinculo.core.actor import Actor
from vinculo.core.bulk import live_ids_by_value
from vinculo.core.errors import FieldError
from vinculo.core.fastinsert import insert_rows
from vinculo.core.models import column_of, plain_field
from vinculo.events.models import (
    EventSettings,
    PersonIdentity,
    TrackedEvent,
    VisitorLink,
)
from vinculo.events.services.cleaning import _Row
from vinculo.events.services.outcomes import IngestResult, RowOutcome

# --- settings -------------------------------------------------------------------------------


def settings_of(workspace_id: int) -> EventSettings:
    """The workspace's event settings (defaults, unsaved, until someone changes them)."""
    found = EventSettings.objects.filter(workspace_id=workspace_id).first()
    return found or EventSettings(workspace_id=workspace_id)


def _answer_duplicates(actor: Actor, rows: list[_Row], outcomes: list[RowOutcome]) -> list[_Row]:
    """Rows whose key is stored already (or repeated earlier in the batch) become duplicates."""
    keys = list({r.key for r in rows if r.key})
    stored: dict[str, tuple[int, int | None]] = {}
    if keys:
        # Raw IN list: the ORM's per-value preparation of 1,000 keys costs more than the query.
        # ``NOT (key = '')`` repeats the unique index's condition word for word: without it
        # SQLite cannot use that partial index and walks all the workspace's events instead
        # (a full scan per batch, which made ingestion slow down as the table grew).
        meta = TrackedEvent._meta
        quote = connection.ops.quote_name
        table, key_column = quote(meta.db_table), quote(column_of(plain_field(TrackedEvent, "key")))
        with connection.cursor() as cursor:
            for start in range(0, len(keys), 900):
                chunk = keys[start : start + 900]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT {key_column}, id, person_id FROM {table} "  # noqa: S608 (names)
                    f"WHERE workspace_id = %s AND NOT ({key_column} = '') "
                    f"AND {key_column} IN ({marks})",
                    [actor.workspace.pk, *chunk],
                )
                stored.update((key, (pk, pid)) for key, pk, pid in cursor.fetchall())
    fresh: list[_Row] = []
    first_in_batch: dict[str, _Row] = {}
    for row in rows:
        if row.key in stored:
            pk, person_id = stored[row.key]
            outcome = outcomes[row.index]
            outcome.status, outcome.event_id, outcome.person_id = "duplicate", pk, person_id
        elif row.key and row.key in first_in_batch:
            # Answered after the insert, with the first row's id.
            outcomes[row.index].status = "duplicate"
            outcomes[row.index].event_id = -first_in_batch[row.key].index - 1
        else:
            if row.key:
                first_in_batch[row.key] = row
            fresh.append(row)
    return fresh


def _resolve_people(
    actor: Actor, rows: list[_Row], outcomes: list[RowOutcome], result: IngestResult
) -> list[_Row]:
    """Give each row its ``person_id``; create unknown people as leads when the settings say so.

    Order of trust: id, then external id, then email, then phone; a visitor already linked to a
    person resolves to them. A few queries for the whole batch.
    """
    known = _Known.of(actor, rows)
    settings = settings_of(actor.workspace.pk)
    kept, unknown, new_identities = _match_rows(rows, known, settings, outcomes)
    if unknown:
        kept.extend(_create_leads(actor, settings, unknown, outcomes, result, new_identities))
        kept.sort(key=lambda r: r.index)
    if new_identities:
        _store_identities(actor, new_identities)
    for row in kept:
        outcomes[row.index].person_id = row.person_id
    return kept


@dataclass
class _Known:
    """Who the batch's references already point at: live person ids given, and people by email,
    phone, (system, external id) and linked visitor id."""

    live: set[int]
    by_email: dict[str, int]
    by_phone: dict[str, int]
    by_external: dict[tuple[str, str], int]
    by_visitor: dict[str, int]

    @classmethod
    def of(cls, actor: Actor, rows: list[_Row]) -> _Known:
        """Look up every reference of the batch: one query (or chunk of 900) per kind."""
        workspace_id = actor.workspace.pk
        ids = {r.ref["id"] for r in rows if "id" in r.ref}
        emails = sorted({r.ref["email"] for r in rows if "email" in r.ref})
        phones = sorted({r.ref["phone"] for r in rows if "phone" in r.ref})
        externals = {
            (r.ref["system"], r.ref["external_id"]) for r in rows if "external_id" in r.ref
        }
        visitors = sorted({r.visitor_id for r in rows if r.visitor_id and not r.ref})
        live: set[int] = set()
        if ids:
            live = live_ids(actor.workspace, Person, ids)
        by_email = live_ids_by_value(Person, workspace_id, "email", emails) if emails else {}
        by_phone: dict[str, int] = {}
        if phones:
            for column in ("mobile_phone", "phone"):
                for value, pk in live_ids_by_value(Person, workspace_id, column, phones).items():
                    by_phone[value] = min(by_phone.get(value, pk), pk)
        return cls(
            live=live,
            by_email=by_email,
            by_phone=by_phone,
            by_external=_people_by_external_id(workspace_id, externals),
            by_visitor=_people_by_visitor(workspace_id, visitors),
        )


def _people_by_external_id(
    workspace_id: int, externals: set[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    by_external: dict[tuple[str, str], int] = {}
    if externals:
        systems = {s for s, _e in externals}
        values = sorted({e for _s, e in externals})
        for start in range(0, len(values), 900):
            for system, external_id, pid in (
                PersonIdentity.objects.for_workspace(workspace_id)
                .filter(system__in=systems, external_id__in=values[start : start + 900])
                .values_list("system", "external_id", "person_id")
            ):
                by_external[(system, external_id)] = pid
    return by_external


def _people_by_visitor(workspace_id: int, visitors: list[str]) -> dict[str, int]:
    by_visitor: dict[str, int] = {}
    for start in range(0, len(visitors), 900):
        by_visitor.update(
            VisitorLink.objects.for_workspace(workspace_id)
            .filter(visitor_id__in=visitors[start : start + 900])
            .values_list("visitor_id", "person_id")
        )
    return by_visitor


def _match_rows(
    rows: list[_Row], known: _Known, settings: EventSettings, outcomes: list[RowOutcome]
) -> tuple[list[_Row], dict[tuple[str, ...], list[_Row]], dict[tuple[str, str], int]]:
    """Set each row's ``person_id`` from what is ``known``. Returns the rows kept, the rows about
    unknown people (grouped by identity, to create as leads) and the external ids to remember
    for people found by email or phone. Rows that cannot be resolved get an error outcome."""
    live, by_email, by_phone = known.live, known.by_email, known.by_phone
    by_external, by_visitor = known.by_external, known.by_visitor
    create_unknown = settings.create_unknown_people
    unknown: dict[tuple[str, ...], list[_Row]] = {}
    new_identities: dict[tuple[str, str], int] = {}
    kept: list[_Row] = []
    for row in rows:
        ref = row.ref
        if "id" in ref:
            if ref["id"] not in live:
                _refuse(outcomes[row.index], _no_person_with_id(ref["id"]))
                continue
            row.person_id = ref["id"]
        elif ref:
            ext = (ref["system"], ref["external_id"]) if "external_id" in ref else None
            row.person_id = (
                (by_external.get(ext) if ext else None)
                or by_email.get(ref.get("email", ""))
                or by_phone.get(ref.get("phone", ""))
            )
            if row.person_id is None:
                if create_unknown:
                    unknown.setdefault(_identity_key(ref), []).append(row)
                    continue
                if not row.visitor_id:
                    _refuse(outcomes[row.index], _no_person_matches())
                    continue
            elif ext and ext not in by_external:
                # Known by email or phone: remember their external id from now on.
                new_identities.setdefault(ext, row.person_id)
        elif row.visitor_id:
            row.person_id = by_visitor.get(row.visitor_id)
        kept.append(row)
    return kept, unknown, new_identities


def _refuse(outcome: RowOutcome, error: FieldError) -> None:
    outcome.status = "error"
    outcome.errors = [error]


def _no_person_with_id(person_id: Any) -> FieldError:
    return FieldError(
        "person.id",
        _("No person with id %(id)s in this workspace.") % {"id": person_id},
        "not_found",
    )


def _no_person_matches() -> FieldError:
    return FieldError(
        "person",
        _("No person matches; creating unknown people is switched off in the events settings."),
        "not_found",
    )


def _store_identities(actor: Actor, new_identities: dict[tuple[str, str], int]) -> None:
    """Remember the people's new external ids (``(system, external_id) -> person id``)."""
    now = timezone.now()
    user_id = actor.user.pk if actor.user else None
    insert_rows(
        PersonIdentity,
        [
            "workspace_id",
            "created_at",
            "updated_at",
            "created_by_id",
            "person_id",
            "system",
            "external_id",
        ],
        [
            (actor.workspace.pk, now, now, user_id, pid, system, external_id)
            for (system, external_id), pid in new_identities.items()
        ],
    )


def _identity_key(ref: dict[str, Any]) -> tuple[str, ...]:
    if "email" in ref:
        return ("email", ref["email"])
    if "phone" in ref:
        return ("phone", ref["phone"])
    return ("external", ref["system"], ref["external_id"])


def _create_leads(
    actor: Actor,
    settings: EventSettings,
    unknown: dict[tuple[str, ...], list[_Row]],
    outcomes: list[RowOutcome],
    result: IngestResult,
    new_identities: dict[tuple[str, str], int],
) -> list[_Row]:
    """One lead per unknown person of the batch, through the contacts bulk service."""
    groups = list(unknown.values())
    people_rows: list[dict[str, Any]] = []
    for group in groups:
        ref: dict[str, Any] = {}
        names: dict[str, str] = {}
        for row in group:
            ref = {**row.ref, **ref}
            names = {**row.person_fields, **names}
        first = (
            names.get("first_name")
            or (ref["email"].split("@", 1)[0] if "email" in ref else "")
            or ref.get("phone")
            or ref.get("external_id", "")
        )[:100]
        person: dict[str, Any] = {"first_name": first, "source": settings.lead_source}
        if names.get("last_name"):
            person["last_name"] = names["last_name"]
        if "email" in ref:
            person["email"] = ref["email"]
        if "phone" in ref:
            person["phone"] = ref["phone"]
        if settings.lead_stage:
            person["lifecycle_stage"] = settings.lead_stage
        people_rows.append(person)
    created = bulk_create_people(actor=actor, rows=people_rows, max_rows=None)
    refused = {e.index: e.errors for e in created.errors}
    made = iter(created.created)
    kept: list[_Row] = []
    for i, group in enumerate(groups):
        if i in refused:
            errors = [
                FieldError(f"person.{e.field}" if e.field else "person", e.message, e.code)
                for e in refused[i]
            ]
            for row in group:
                outcomes[row.index].status = "error"
                outcomes[row.index].errors = errors
            continue
        new_person = next(made)
        result.people_created += 1
        for row in group:
            row.person_id = new_person.pk
            if "external_id" in row.ref:
                new_identities.setdefault(
                    (row.ref["system"], row.ref["external_id"]), new_person.pk
                )
            kept.append(row)
    return kept
