"""Imports, preview: the dry run's first rows as they will be stored, with the action taken on
each (create, update which record, skip, reject with reasons), kept in ``ImportJob.preview``
as plain JSON and shown as a table in the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from vinculo.contacts import custom_fields as cf
from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.formats import format_field, format_money, format_number
from vinculo.quality.matching.schema import COMPANY_COLUMNS, PERSON_COLUMNS
from vinculo.quality.models import ImportJob, ImportObject, RecordType
from vinculo.quality.services.import_cells import split_full_name
from vinculo.quality.services.import_files import (
    _CF_OBJECT,
    CF_PREFIX,
    DATE,
    DATETIME,
    DECIMAL,
    FIELDS,
    INTEGER,
    LIST,
    TEXT,
    cf_kind,
    field_label,
)
from vinculo.quality.services.import_messages import reasons_out
from vinculo.quality.services.matching import probable_matches
from vinculo.sales.models import Deal

if TYPE_CHECKING:
    from vinculo.quality.services.import_rows import Batcher, Row

CREATE = "create"
UPDATE = "update"
SKIP = "skip"
REJECT = "reject"
PREVIEW_ROWS = 20
_MODELS: dict[str, Any] = {
    ImportObject.PEOPLE: Person,
    ImportObject.COMPANIES: Company,
    ImportObject.DEALS: Deal,
}


def keep_preview(
    preview: list[dict[str, Any]],
    limit: int,
    batcher: Batcher,
    row: Row,
    action: str,
    record: Any = None,
    record_id: int | None = None,
) -> None:
    """Add ``row`` to the dry run's ``preview`` if it is among the first ``limit`` rows of the
    file: the values as stored (read back from ``record``; the cells for rows not written),
    the action and the record it touches."""
    if len(preview) >= limit and row.line > preview[-1]["line"]:
        return
    values: dict[str, Any] = {}
    for index, target, _kind, _unused in batcher.columns:
        if record is not None:
            value = _stored(batcher.object_type, record, target)
        else:
            value = row.cells[index].strip() if index < len(row.cells) else ""
        if target == "full_name" and record is not None:
            values["first_name"], values["last_name"] = record.first_name, record.last_name
        elif target == "full_name":
            values["first_name"], values["last_name"] = split_full_name(value)
        else:
            values[target] = value
    preview.append(
        json.loads(
            json.dumps(
                {
                    "line": row.line,
                    "action": action,
                    "record_id": record.pk if record is not None else record_id,
                    "values": values,
                    "reasons": list(row.errors),
                    "probable": _probable(batcher, action, record),
                },
                cls=DjangoJSONEncoder,
            )
        )
    )
    preview.sort(key=lambda entry: entry["line"])
    del preview[limit:]


_MATCHED_TYPES: dict[str, str] = {
    ImportObject.PEOPLE: RecordType.PERSON,
    ImportObject.COMPANIES: RecordType.COMPANY,
}
PROBABLE_SHOWN = 3


def _probable(batcher: Batcher, action: str, record: Any) -> list[dict[str, Any]]:
    """For a row that creates a record: the existing records the workspace's matcher thinks it
    is (the scan's model, comparisons and threshold), most probable first."""
    object_type = _MATCHED_TYPES.get(batcher.object_type)
    if action != CREATE or record is None or object_type is None:
        return []
    columns = PERSON_COLUMNS if object_type == RecordType.PERSON else COMPANY_COLUMNS
    values = {name: getattr(record, name) for name in columns if name != "id"}
    found = probable_matches(batcher.actor, object_type, values, exclude_id=record.pk)
    return [
        {"id": m.record_id, "probability": round(m.probability, 4)} for m in found[:PROBABLE_SHOWN]
    ]


def without_rolled_back(job: ImportJob, preview: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dry run's preview once rolled back: a record created by an earlier row of the file
    (then updated or matched by a later one) no longer exists, so no link to it is kept."""
    ids = {e["record_id"] for e in preview if e.get("record_id")}
    ids |= {p["id"] for e in preview for p in e.get("probable") or []}
    live = set(
        _MODELS[job.object_type]
        .objects.for_workspace(job.workspace)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    return [
        {
            **e,
            "record_id": e.get("record_id") if e.get("record_id") in live else None,
            "probable": [p for p in e.get("probable") or [] if p["id"] in live],
        }
        for e in preview
    ]


def _stored(object_type: str, record: Any, target: str) -> Any:
    """What ``record`` holds for a mapped field (names for linked records)."""
    if target.startswith(CF_PREFIX):
        return (record.custom_fields or {}).get(target.removeprefix(CF_PREFIX))
    if target == "owner":
        return record.owner.email if record.owner_id else ""
    if target == "tags":
        return sorted(t.name for t in record.tags.all())
    if target == "company" and object_type == ImportObject.PEOPLE:
        links = record.affiliations.select_related("company").order_by("-is_primary", "pk")
        first = links.first()
        return first.company.name if first is not None else ""
    if target == "person":
        return record.person.full_name if record.person_id else ""
    if target in {"company", "stage", "pipeline", "lifecycle_stage"}:
        linked = getattr(record, target, None)
        return getattr(linked, "name", "") if linked is not None else ""
    return getattr(record, target, None)


# --- the table --------------------------------------------------------------------------------


@dataclass
class PreviewTable:
    columns: list[str]
    rows: list[dict[str, Any]]


def preview_table(actor: Actor, job: ImportJob) -> PreviewTable:
    """The dry run's first rows for the screen: field labels as column heads, values formatted
    in the active language, the action in words with a link to the record it updates or skips,
    and the reasons of a rejected row."""
    entries = [e for e in (job.preview or {}).get("first_rows") or [] if "values" in e]
    kinds = _kinds(actor, job.object_type)
    labels = dict(_cf_labels(actor, job.object_type))
    keys: list[str] = []
    for entry in entries:
        keys.extend(k for k in entry["values"] if k not in keys)
    probable = _probable_labels(actor, job, entries)
    rows = []
    for entry in entries:
        values = entry["values"]
        rows.append(
            {
                "line": entry["line"],
                "action": entry["action"],
                "action_label": _action_label(entry["action"]),
                "url": _record_url(job.object_type, entry.get("record_id"), entry["action"]),
                "values": [_formatted(values.get(k), kinds.get(k, TEXT), k, values) for k in keys],
                "reasons": reasons_out(entry.get("reasons") or []),
                "probable": [
                    {**probable[p["id"]], "percent": round(p["probability"] * 100)}
                    for p in entry.get("probable") or []
                    if p["id"] in probable
                ],
            }
        )
    columns = [labels.get(k) or field_label(job.object_type, k) for k in keys]
    return PreviewTable(columns, rows)


def _probable_labels(
    actor: Actor, job: ImportJob, entries: list[dict[str, Any]]
) -> dict[int, dict[str, str]]:
    """Name and link of the existing records the rows probably are (one query)."""
    ids = {p["id"] for e in entries for p in e.get("probable") or []}
    if not ids:
        return {}
    model = _MODELS[job.object_type]
    route = "contacts:person" if model is Person else "contacts:company"
    return {
        record.pk: {"label": str(record), "url": reverse(route, args=[record.pk])}
        for record in model.objects.for_workspace(actor.workspace).filter(pk__in=ids)
    }


def _kinds(actor: Actor, object_type: str) -> dict[str, str]:
    kinds = {name: spec[0] for name, spec in FIELDS[object_type].items()}
    for key, definition in cf.definitions(actor, _CF_OBJECT[object_type]).items():
        kinds[f"{CF_PREFIX}{key}"] = cf_kind(definition.field_type)
    return kinds


def _cf_labels(actor: Actor, object_type: str) -> list[tuple[str, str]]:
    return [
        (f"{CF_PREFIX}{key}", str(d.label))
        for key, d in cf.definitions(actor, _CF_OBJECT[object_type]).items()
    ]


def _action_label(action: str) -> str:
    return {
        CREATE: _("Create"),
        UPDATE: _("Update"),
        SKIP: _("Skip (already exists)"),
        REJECT: _("Reject"),
    }.get(action, action)


def _record_url(object_type: str, pk: int | None, action: str) -> str:
    """The record a row updates or skips (a dry run's new records are rolled back)."""
    if not pk or action not in {UPDATE, SKIP}:
        return ""
    names: dict[str, str] = {
        ImportObject.PEOPLE: "contacts:person",
        ImportObject.COMPANIES: "contacts:company",
        ImportObject.DEALS: "sales:deal",
    }
    return reverse(names[object_type], args=[pk])


def _formatted(value: Any, kind: str, key: str, values: dict[str, Any]) -> str:
    """A stored value as the reader expects it (the product's formatters): localised dates and
    numbers, money with its currency, phones, CPF and CNPJ punctuated, lists joined."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list) or kind == LIST:
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    text = str(value)
    if kind == DATE and (day := _date(text)) is not None:
        return formats.date_format(day, "SHORT_DATE_FORMAT")
    if kind == DATETIME and (moment := parse_datetime(text)) is not None:
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
    if kind in (DECIMAL, INTEGER):
        try:
            number = Decimal(text)
        except InvalidOperation:
            return text
        if key in {"amount", "annual_revenue"}:
            return format_money(number, values.get("currency") or "BRL")
        return format_number(number)
    return format_field(text, key)


def _date(text: str) -> date | None:
    try:
        return parse_date(text[:10])
    except ValueError:
        return None
