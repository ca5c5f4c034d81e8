"""Writes people and companies share once they exist: applying a cleaned patch (with its audit
row, timeline entry and event), the bin (delete, restore), the last-activity mark and the
first touch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from vinculo.contacts.models import Company, Person
from vinculo.contacts.services._common import check_document_unique, display_name, get_for_update
from vinculo.contacts.services.affiliations import replace_affiliations
from vinculo.contacts.services.cleaning import Cleaned, Context
from vinculo.contacts.services.consent import record_consent
from vinculo.contacts.services.lifecycle import move_lifecycle
from vinculo.contacts.timeline_text import changed_fields
from vinculo.core import audit, events, timeline
from vinculo.core.actor import Actor
from vinculo.core.permissions import require

SNAPSHOT_SKIP = {"custom_fields", "created_at", "updated_at"}


def _snapshot(obj: Model, names: Iterable[str]) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = (
            value.isoformat()
            if hasattr(value, "isoformat")
            else (
                str(value)
                if value is not None and not isinstance(value, str | int | bool | dict)
                else value
            )
        )
    return out


def apply_update(ctx: Context, record: Person | Company, cleaned: Cleaned, kind: str) -> None:
    """Write a cleaned patch on a person or company (fields, tags, affiliations, stage,
    consents) with one audit row, one timeline entry and one ``<kind>.updated`` event when
    something changed."""
    actor = ctx.actor
    names = [n for n in cleaned.fields if n not in {"created_at"}]
    before = _snapshot(record, names)
    before_custom = dict(record.custom_fields)
    for name, value in cleaned.fields.items():
        if name != "created_at":
            setattr(record, name, value)
    changes = audit.diff(before, _snapshot(record, names))
    changes.pop("custom_fields", None)
    for key in set(before_custom) | set(record.custom_fields):
        if before_custom.get(key) != record.custom_fields.get(key):
            changes[f"custom_fields.{key}"] = [
                before_custom.get(key),
                record.custom_fields.get(key),
            ]
    record.save()
    is_person = isinstance(record, Person)
    link: dict[str, Any] = {"person": record} if is_person else {"company": record}
    if cleaned.tags is not None:
        old = sorted(t.name for t in record.tags.all())
        tags = ctx.resolve_tags(cleaned.tags)
        record.tags.set(tags)
        new = sorted(t.name for t in tags)
        if old != new:
            changes["tags"] = [old, new]
    if cleaned.companies is not None and isinstance(record, Person):
        old_ids, new_ids = replace_affiliations(actor, record, cleaned.companies)
        if old_ids != new_ids:
            changes["companies"] = [old_ids, new_ids]
    if cleaned.stage_given and cleaned.stage != record.lifecycle_stage:
        move_lifecycle(actor, record, cleaned.stage, link, kind)
        changes["lifecycle_stage"] = [None, cleaned.stage.key if cleaned.stage else None]
    for consent in cleaned.consents or []:
        record_consent(actor, record, consent)  # type: ignore[arg-type]
    if changes:
        audit.record(actor, f"{kind}.updated", record, changes=changes)
        summary_fields = changed_fields(type(record), changes)
        timeline.record(
            actor,
            f"{kind}.updated",
            gettext_noop("%(name)s updated: %(fields)s"),
            params={"name": display_name(record), "fields": summary_fields},
            data={"changes": changes},
            **link,
        )
        events.emit(
            f"{kind}.updated", actor=actor, subject=record, payload={"changed": sorted(changes)}
        )


def soft_delete(actor: Actor, model: Any, pk: int, kind: str) -> Any:
    """Move a live record to the bin (audited, on the timeline, with its event)."""
    require(actor, "records.delete")
    with transaction.atomic():
        record = get_for_update(model, actor, pk, _(kind), deleted=False)
        record.deleted_at = timezone.now()
        record.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, f"{kind}.deleted", record)
        link = {kind: record}
        timeline.record(
            actor,
            f"{kind}.deleted",
            gettext_noop("%(name)s moved to the bin"),
            params={"name": display_name(record)},
            **link,
        )
        events.emit(f"{kind}.deleted", actor=actor, subject=record)
    return record


def restore(actor: Actor, model: Any, pk: int, kind: str, document: str) -> Any:
    """Bring a binned record back; refuses when its ``document`` (CPF/CNPJ) now belongs to
    another live record."""
    require(actor, "records.delete")
    with transaction.atomic():
        record = get_for_update(model, actor, pk, _(kind), deleted=True)
        check_document_unique(model, actor, document, getattr(record, document), record.pk)
        record.deleted_at = None
        record.save(update_fields=["deleted_at", "updated_at"])
        audit.record(actor, f"{kind}.restored", record)
        timeline.record(
            actor,
            f"{kind}.restored",
            gettext_noop("%(name)s restored from the bin"),
            params={"name": display_name(record)},
            **{kind: record},
        )
        events.emit(f"{kind}.restored", actor=actor, subject=record)
    return record


def note_activity(
    *,
    actor: Actor,
    people: dict[int, datetime] | None = None,
    companies: dict[int, datetime] | None = None,
) -> None:
    """Move ``last_activity_at`` of people and companies forward to the given moments, never
    backward (a backdated import does not make a record look less recent).

    One prepared UPDATE run for every record (``executemany``), so a 100,000-row import costs
    one statement preparation, not 100,000 query compilations.
    """
    adapt = connection.ops.adapt_datetimefield_value
    for model, moments in ((Person, people or {}), (Company, companies or {})):
        if not moments:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        sql = (
            f"UPDATE {table} SET last_activity_at = %s "  # noqa: S608  (table name from the model)
            "WHERE id = %s AND workspace_id = %s "
            "AND (last_activity_at IS NULL OR last_activity_at < %s)"
        )
        workspace_id = actor.workspace.pk
        params = [(adapt(at), pk, workspace_id, adapt(at)) for pk, at in sorted(moments.items())]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def set_first_touches(*, workspace_id: int, moments: Mapping[int, datetime | None]) -> None:
    """Set ``first_touched_at`` of the workspace's people to the given moments (None: never
    touched). The activities app works them out from the people's activities and calls this on
    every write that can change them; one prepared UPDATE run for every person."""
    if not moments:
        return
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Person._meta.db_table)
    sql = (
        f"UPDATE {table} SET first_touched_at = %s "  # noqa: S608  (table name from the model)
        "WHERE id = %s AND workspace_id = %s"
    )
    params = [(adapt(at), pk, workspace_id) for pk, at in sorted(moments.items())]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
