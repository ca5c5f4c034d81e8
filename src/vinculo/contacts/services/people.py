"""People: cleaned (a full row or a patch), added one at a time or in bulk, changed, binned and
restored."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.contacts.contract import PERSON
from vinculo.contacts.models import CustomObject, Person
from vinculo.contacts.services._common import check_document_unique, get_for_update
from vinculo.contacts.services.affiliations import clean_affiliations
from vinculo.contacts.services.cleaning import (
    Cleaned,
    Context,
    clean_head,
    clean_tail,
)
from vinculo.contacts.services.consent import clean_consents
from vinculo.contacts.services.creation import bulk_create, check_bulk_size, insert_records
from vinculo.contacts.services.records import apply_update, restore, soft_delete
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult
from vinculo.core.contracts import Kind
from vinculo.core.errors import FieldError, raise_if_any
from vinculo.core.permissions import require

PERSON_KEYS = PERSON.names
PERSON_TEXT_FIELDS = {f.name: f.max_length for f in PERSON.of_kind(Kind.TEXT)}


def clean_person(ctx: Context, data: dict[str, Any], *, instance: Person | None = None) -> Cleaned:
    """Validate person input (a full row, or a patch when ``instance`` is given)."""
    errors: list[FieldError] = []
    creating = instance is None
    fields = clean_head(PERSON, ctx, data, creating=creating, errors=errors)
    cleaned = clean_tail(ctx, data, fields, Person, instance, errors)
    if "companies" in data:
        cleaned.companies = clean_affiliations(ctx, data["companies"], errors)
    if "consents" in data:
        cleaned.consents = clean_consents(data["consents"], errors)
    raise_if_any(errors)
    return cleaned


def create_person(*, actor: Actor, data: dict[str, Any]) -> Person:
    """Add a person; refuses bad emails, phones, CPFs, custom values, owners or companies."""
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.PERSON)
    cleaned = clean_person(ctx, data)
    with transaction.atomic():
        check_document_unique(Person, actor, "cpf", cleaned.fields.get("cpf", ""))
        ctx.rules.check_unique(cleaned.fields)
        result = insert_records(ctx, Person, [cleaned], single=True)
    return result[0]


def bulk_create_people(
    *, actor: Actor, rows: list[dict[str, Any]], max_rows: int | None = MAX_BULK_ROWS
) -> BulkResult[Person]:
    """Create many people at once (API bulk, imports, seeding): good rows are kept, each bad
    row is reported with its index and field errors. ``max_rows=None`` lifts the cap."""
    require(actor, "records.write")
    check_bulk_size(rows, max_rows)
    ctx = Context(actor, CustomObject.PERSON)
    # One query per 900 referenced companies for the whole call, not one per row.
    ctx.load_companies(
        link.get("company_id")
        for row in rows
        if isinstance(row, dict) and isinstance(row.get("companies"), list)
        for link in row["companies"]
        if isinstance(link, dict)
    )
    return bulk_create(ctx, rows, clean_person, Person, "cpf")


def update_person(*, actor: Actor, person_id: int, data: dict[str, Any]) -> Person:
    """Change some fields of a person (a patch); ``tags``/``companies`` replace the lists.

    A lifecycle move is dated, kept in the history and put on the timeline.
    """
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.PERSON)
    with transaction.atomic():
        person = get_for_update(Person, actor, person_id, _("person"), deleted=False)
        cleaned = clean_person(ctx, data, instance=person)
        if "cpf" in cleaned.fields:
            check_document_unique(Person, actor, "cpf", cleaned.fields["cpf"], person.pk)
        ctx.rules.check_unique(cleaned.fields, data=data, exclude_pk=person.pk)
        apply_update(ctx, person, cleaned, "person")
    return person


def delete_person(*, actor: Actor, person_id: int) -> Person:
    """Move a person to the bin (restorable); their history stays."""
    return soft_delete(actor, Person, person_id, "person")


def restore_person(*, actor: Actor, person_id: int) -> Person:
    """Bring a person back from the bin; refuses when their CPF now belongs to someone else."""
    return restore(actor, Person, person_id, "person", "cpf")
