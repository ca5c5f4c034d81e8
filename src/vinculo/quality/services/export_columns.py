"""Exports, the columns: every column an export of people, companies or deals may have (the
table's standard columns, a few more, one per live custom field), each with its heading and how a
row of plain values gives its typed cell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from vinculo.contacts.selectors import custom_fields
from vinculo.core.actor import Actor
from vinculo.core.table_columns import STANDARD, custom_columns
from vinculo.sales.models import DealStatus

# Columns an export has besides the table's standard ones.
EXTRA: dict[str, tuple[tuple[str, Any], ...]] = {
    "person": (
        ("first_name", gettext_lazy("First name")),
        ("last_name", gettext_lazy("Last name")),
    ),
    "company": (("legal_name", gettext_lazy("Legal name")),),
    "deal": (("pipeline", gettext_lazy("Pipeline")), ("currency", gettext_lazy("Currency"))),
}


@dataclass(frozen=True)
class ExportColumn:
    """One column of the file: its key, its heading and how a row gives its value."""

    key: str
    label: str
    value: Callable[[Any], Any] = field(compare=False)


def _tz(actor: Actor) -> ZoneInfo:
    try:
        return ZoneInfo(actor.workspace.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    # Spreadsheets have no time zones: show the workspace's wall-clock time.
    return timezone.localtime(moment, tz).replace(tzinfo=None) if moment else None


def _full_name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


def _standard_getters(object_type: str, tz: ZoneInfo) -> dict[str, Callable[[Any], Any]]:
    def attr(name: str) -> Callable[[Any], Any]:
        return lambda r: r[name]

    def moment(name: str) -> Callable[[Any], Any]:
        return lambda r: _local(r[name], tz)

    common: dict[str, Callable[[Any], Any]] = {
        "id": attr("pk"),
        "owner": lambda r: r["owner__email"] or "",
        "tags": lambda r: r["_tags"],
        "source": attr("source"),
        "created_at": moment("created_at"),
        "updated_at": moment("updated_at"),
    }
    if object_type == "person":
        return {
            **common,
            "name": lambda r: _full_name(r["first_name"], r["last_name"]),
            **{k: attr(k) for k in ("first_name", "last_name", "email", "phone", "mobile_phone")},
            **{k: attr(k) for k in ("job_title", "cpf", "city", "state")},
            "company": lambda r: r["_company"],
            "lifecycle_stage": lambda r: r["lifecycle_stage__name"] or "",
            "last_activity_at": moment("last_activity_at"),
        }
    if object_type == "company":
        return {
            **common,
            **{k: attr(k) for k in ("name", "legal_name", "cnpj", "industry", "city", "domain")},
            **{k: attr(k) for k in ("website", "email", "phone", "employees")},
            "lifecycle_stage": lambda r: r["lifecycle_stage__name"] or "",
            "last_activity_at": moment("last_activity_at"),
        }
    statuses = {value: str(label) for value, label in DealStatus.choices}
    return {
        **common,
        "title": attr("title"),
        "pipeline": attr("pipeline__name"),
        "stage": attr("stage__name"),
        "status": lambda r: statuses.get(r["status"], r["status"]),
        "amount": attr("amount"),
        "currency": attr("currency"),
        "party": lambda r: " / ".join(
            n
            for n in (
                _full_name(r["person__first_name"], r["person__last_name"]),
                r["company__name"],
            )
            if n
        ),
        "expected_close_date": attr("expected_close_date"),
        "closed_at": moment("closed_at"),
    }


def _custom_getter(key: str, field_type: str, choices: Any, tz: ZoneInfo) -> Callable[[Any], Any]:
    labels = {
        str(c["value"]): str(c.get("label") or c["value"])
        for c in choices or ()
        if isinstance(c, dict) and "value" in c
    }

    def typed(raw: Any) -> Any:
        if raw is None or raw == "" or raw == []:
            return None
        try:
            if field_type in {"number", "money"}:
                return Decimal(str(raw))
            if field_type == "date":
                return date.fromisoformat(str(raw))
            if field_type == "datetime":
                moment = datetime.fromisoformat(str(raw))
                return _local(moment, tz) if timezone.is_aware(moment) else moment
        except (InvalidOperation, ValueError):
            return str(raw)  # a value stored before the field's type changed: keep it as text
        if field_type == "boolean":
            return bool(raw) if isinstance(raw, bool) else str(raw)
        if field_type == "choice":
            return labels.get(str(raw), str(raw))
        if field_type == "multi_choice" and isinstance(raw, list):
            return ", ".join(labels.get(str(v), str(v)) for v in raw)
        return str(raw)

    return lambda record: typed((record["custom_fields"] or {}).get(key))


def _standard_keys(object_type: str) -> list[tuple[str, Any]]:
    keys: list[tuple[str, Any]] = [("id", "ID")]
    extra = dict(EXTRA.get(object_type, ()))
    for column in STANDARD[object_type]:
        keys.append((column.key, column.label))
        if column.key in {"name", "title"}:
            # First and last name, legal name… right after the record's name.
            keys.extend(extra.items())
            extra = {}
    keys.extend(extra.items())
    return keys


def available_columns(actor: Actor, object_type: str) -> list[ExportColumn]:
    """Every column an export of ``object_type`` may have, headings in the active language: the
    id, the standard columns (owner as email, tags joined, stage label…) and one column per
    live custom field, headed by the field's label."""
    tz = _tz(actor)
    getters = _standard_getters(object_type, tz)
    columns = [
        ExportColumn(key, str(label), getters[key]) for key, label in _standard_keys(object_type)
    ]
    defs = {d.key: d for d in custom_fields(actor, object_type=object_type)}
    for column in custom_columns(actor, object_type):
        definition = defs.get(column.json_key)
        choices = definition.choices if definition is not None else ()
        columns.append(
            ExportColumn(
                column.key,
                str(column.label),
                _custom_getter(column.json_key, column.field_type, choices, tz),
            )
        )
    return columns
