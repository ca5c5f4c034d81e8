"""Creating people and companies, one or many: the bulk path validates every row, refuses
documents repeated in the batch or already taken, and inserts the rest with their relations
(tags, affiliations, consents, first lifecycle entries), timeline entries and events."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.contacts.models import (
    Affiliation,
    Company,
    Consent,
    ConsentChange,
    ConsentStatus,
    LifecycleChange,
    Person,
)
from vinculo.contacts.services._common import display_name
from vinculo.contacts.services.cleaning import Cleaned, Context
from vinculo.contacts.tags import fold
from vinculo.core import audit, events, timeline
from vinculo.core.actor import Actor
from vinculo.core.bulk import BulkResult, RowError, live_ids_by_value
from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.fastinsert import insert_objects, insert_rows, new_instances


def bulk_create(
    ctx: Context,
    rows: list[Any],
    clean: Any,
    model: type[Person] | type[Company],
    document: str,
) -> BulkResult[Any]:
    """Validate every row, refuse documents (CPF/CNPJ) repeated in the batch or already taken,
    insert the rest in bulk with one audit entry."""
    result: BulkResult[Any] = BulkResult()
    good: list[tuple[int, Cleaned]] = []
    first_row: dict[str, int] = {}
    label = document.upper()
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            result.errors.append(
                RowError(index, [FieldError("", _("Send an object."), "invalid_type")])
            )
            continue
        try:
            cleaned = clean(ctx, row)
        except ValidationFailed as exc:
            result.errors.append(RowError(index, exc.errors))
            continue
        value = cleaned.fields.get(document)
        if value:
            if value in first_row:
                message = _("Same %(doc)s as row %(row)s.") % {
                    "doc": label,
                    "row": first_row[value],
                }
                result.errors.append(RowError(index, [FieldError(document, message, "unique")]))
                continue
            first_row[value] = index
        good.append((index, cleaned))
    good = ctx.rules.keep_unique(good, result.errors, lambda cleaned: cleaned.fields)
    taken = _existing_values(model, ctx.actor, document, list(first_row))
    keep = []
    for index, cleaned in good:
        if cleaned.fields.get(document) in taken:
            message = _("Another record has this %(doc)s.") % {"doc": label}
            result.errors.append(RowError(index, [FieldError(document, message, "unique")]))
        else:
            keep.append(cleaned)
    with transaction.atomic():
        result.created = insert_records(ctx, model, keep, single=False)
        if result.created or result.errors:
            audit.record(
                ctx.actor,
                f"{_kind(model)}.bulk_created",
                object_type=model._meta.label_lower,
                changes={"created": len(result.created), "refused": len(result.errors)},
            )
    result.errors.sort(key=lambda e: e.index)
    return result


def check_bulk_size(rows: Any, max_rows: int | None) -> None:
    """Refuse a bulk call that is not a list or has more than ``max_rows`` rows."""
    if not isinstance(rows, list):
        raise ValidationFailed.field("rows", _("Send a list of rows."), "invalid_type")
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed.field(
            "rows", _("At most %(n)s rows per call.") % {"n": max_rows}, "too_many"
        )


def _existing_values(model: type[Model], actor: Actor, field: str, values: list[str]) -> set[str]:
    return set(live_ids_by_value(model, actor.workspace.pk, field, values))


def insert_records(
    ctx: Context, model: type[Person] | type[Company], rows: list[Cleaned], *, single: bool
) -> list[Any]:
    """Insert freshly validated people or companies with their relations, one "created" timeline
    entry each and their domain events (``single``: one save with a full audit entry)."""
    actor = ctx.actor
    kind = _kind(model)
    now = timezone.now()
    user_id = actor.user.pk if actor.user else None
    if single:
        records = [model(workspace=actor.workspace, created_by=actor.user, **rows[0].fields)]
    else:
        records = new_instances(
            model,
            (c.fields for c in rows),
            workspace_id=actor.workspace.pk,
            created_by_id=user_id,
            created_at=now,
        )
    for record, cleaned in zip(records, rows, strict=True):
        if record.owner_id is None and "owner_id" not in cleaned.fields and user_id:
            record.owner_id = user_id
        if cleaned.stage is not None:
            record.lifecycle_stage = cleaned.stage
            record.lifecycle_changed_at = cleaned.fields.get("created_at", now)
    if single:
        records[0].save()
    else:
        records = insert_objects(records)
    _write_relations(ctx, model, records, rows)
    timeline.record_many(
        actor,
        [
            timeline.PendingEntry(
                kind=f"{kind}.created",
                summary=gettext_noop("%(name)s was added"),
                params={"name": display_name(r)},
                data={"source": r.source} if r.source else {},
                occurred_at=r.created_at,
                person=r.pk if kind == "person" else None,
                company=r.pk if kind == "company" else None,
            )
            for r in records
        ],
    )
    if single:
        audit.record(actor, f"{kind}.created", records[0])
        events.emit(
            f"{kind}.created", actor=actor, subject=records[0], payload=_created_payload(records[0])
        )
    else:
        events.emit_many(
            f"{kind}.created",
            actor=actor,
            subjects=[(kind, r.pk, _created_payload(r)) for r in records],
        )
    return records


def _kind(model: type[Person] | type[Company]) -> str:
    return "person" if model is Person else "company"


def _created_payload(record: Person | Company) -> dict[str, Any]:
    if isinstance(record, Person):
        return {"name": record.full_name, "email": record.email}
    return {"name": record.name, "cnpj": record.cnpj}


def _write_relations(
    ctx: Context, model: type[Person] | type[Company], records: list[Any], rows: list[Cleaned]
) -> None:
    """Tags, affiliations, consents and first lifecycle entries of freshly inserted records.

    The records are new, so no link can exist yet: rows go straight in as tuples (a 100,000-row
    import would otherwise build several hundred thousand model instances).
    """
    actor = ctx.actor
    is_person = model is Person
    all_tags = list(dict.fromkeys(name for c in rows for name in (c.tags or [])))  # file order
    tag_by_name = {t.name_key: t.pk for t in ctx.resolve_tags(all_tags)} if all_tags else {}
    owner_key = "person_id" if is_person else "company_id"
    now = timezone.now()
    base = (actor.workspace.pk, now, now, actor.user.pk if actor.user else None)
    base_columns = ["workspace_id", "created_at", "updated_at", "created_by_id"]
    tag_rows: list[tuple[Any, ...]] = []
    lifecycle_rows: list[tuple[Any, ...]] = []
    affiliation_rows: list[tuple[Any, ...]] = []
    consent_rows: list[tuple[Any, ...]] = []
    consent_changes: list[tuple[Any, ...]] = []
    consent_keys = ("channel", "status", "legal_basis", "method", "evidence", "changed_at")
    for record, cleaned in zip(records, rows, strict=True):
        for name in cleaned.tags or []:
            tag_rows.append((record.pk, tag_by_name[fold(name)]))
        if cleaned.stage is not None:
            lifecycle_rows.append(
                (
                    *base,
                    record.pk,
                    None,
                    cleaned.stage.pk,
                    record.lifecycle_changed_at,
                    actor.source,
                )
            )
        for a in cleaned.companies or []:
            affiliation_rows.append((*base, record.pk, a["company_id"], a["role"], a["is_primary"]))
        for consent in cleaned.consents or []:
            values = tuple(consent[k] for k in consent_keys)
            consent_rows.append((*base, record.pk, *values))
            consent_changes.append((*base, record.pk, *values, ConsentStatus.UNKNOWN, actor.source))
    insert_rows(model.tags.through, [owner_key, "tag_id"], tag_rows)
    insert_rows(
        LifecycleChange,
        [*base_columns, owner_key, "from_stage_id", "to_stage_id", "changed_at", "source"],
        lifecycle_rows,
    )
    insert_rows(
        Affiliation,
        [*base_columns, "person_id", "company_id", "role", "is_primary"],
        affiliation_rows,
    )
    insert_rows(Consent, [*base_columns, "person_id", *consent_keys], consent_rows)
    insert_rows(
        ConsentChange,
        [*base_columns, "person_id", *consent_keys, "from_status", "source"],
        consent_changes,
    )
