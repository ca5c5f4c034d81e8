"""Turning another tool's JSON into event rows: JSON paths and the mapping of an inbound endpoint.

A mapping is a JSON object::

    {
      "each": "line_items[*]",            # optional: one event per element ("[*]" for a list body)
      "fields": {                         # event field → where its value comes from
        "name": {"value": "purchase"},    # a constant
        "person.email": "customer.email", # a path into the payload (or into the element with
        "amount": "$.total_price",        #   "each"; "$." goes back to the payload's root)
        "items": "line_items",
        "properties.channel": "source_name"
      },
      "item_fields": {"sku": "sku", "name": "title", "quantity": "quantity", "unit_price": "price"}
    }

Paths are dot paths with list indexes: ``customer.email``, ``line_items[0].sku``, ``items[*].sku``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from vinculo.core.errors import FieldError

TARGETS = (
    "name",
    "key",
    "occurred_at",
    "visitor_id",
    "person.email",
    "person.phone",
    "person.external_id",
    "person.system",
    "person.first_name",
    "person.last_name",
    "amount",
    "currency",
    "order_id",
    "items",
)
ITEM_TARGETS = ("sku", "name", "quantity", "unit_price")
PERSON_TARGETS = ("person.email", "person.phone", "person.external_id", "visitor_id")
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]")
_PATH = re.compile(r"(\$\.?)?([^.\[\]]+|\[(\d+|\*)\])(\.?([^.\[\]]+)|\[(\d+|\*)\])*")
_PROPERTY = re.compile(r"properties\.[A-Za-z0-9_]{1,60}")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def valid_path(path: str) -> bool:
    return isinstance(path, str) and (path in ("$", "[*]") or bool(_PATH.fullmatch(path)))


def resolve(data: Any, path: str, root: Any = None) -> Any:
    """The value at ``path`` in ``data`` (a list when the path has ``[*]``), or ``MISSING``."""
    if path.startswith("$"):
        data, path = (root if root is not None else data), path[1:].lstrip(".")
    values = [data]
    spread = False
    for name, index in _SEGMENT.findall(path):
        following: list[Any] = []
        for value in values:
            if name:
                if isinstance(value, dict) and name in value:
                    following.append(value[name])
            elif index == "*":
                spread = True
                if isinstance(value, list):
                    following.extend(value)
            elif isinstance(value, list) and int(index) < len(value):
                following.append(value[int(index)])
        values = following
    if spread:
        return values
    return values[0] if values else MISSING


@dataclass
class MappedRows:
    rows: list[dict[str, Any]]
    errors: list[FieldError]


def check_mapping(mapping: Any) -> list[FieldError]:
    """What is wrong with a mapping (empty when it may be saved)."""
    errors: list[FieldError] = []
    if not isinstance(mapping, dict):
        return [FieldError("mapping", _("Send a JSON object."), "invalid_type")]
    for unknown in sorted(set(mapping) - {"each", "fields", "item_fields"}):
        errors.append(FieldError(f"mapping.{unknown}", _("Unknown key."), "unknown_field"))
    each = mapping.get("each")
    if each is not None and not valid_path(each):
        errors.append(FieldError("mapping.each", _("Not a JSON path."), "invalid"))
    fields = mapping.get("fields")
    if not isinstance(fields, dict) or not fields:
        errors.append(FieldError("mapping.fields", _("Map at least the event name."), "required"))
        return errors
    for target, source in fields.items():
        path = f"mapping.fields.{target}"
        if target not in TARGETS and not _PROPERTY.fullmatch(target):
            errors.append(
                FieldError(
                    path,
                    _("Unknown event field; use one of %(fields)s or properties.<name>.")
                    % {"fields": ", ".join(TARGETS)},
                    "unknown_field",
                )
            )
        elif isinstance(source, dict):
            if set(source) != {"value"} or isinstance(source["value"], dict | list):
                errors.append(FieldError(path, _('A constant is written {"value": …}.'), "invalid"))
        elif not valid_path(source):
            errors.append(FieldError(path, _("Not a JSON path."), "invalid"))
    if "name" not in fields:
        errors.append(FieldError("mapping.fields.name", _("Map the event name."), "required"))
    item_fields = mapping.get("item_fields")
    if item_fields is not None:
        if not isinstance(item_fields, dict):
            errors.append(FieldError("mapping.item_fields", _("Send a JSON object."), "invalid"))
        else:
            for target, source in item_fields.items():
                if target not in ITEM_TARGETS:
                    errors.append(
                        FieldError(f"mapping.item_fields.{target}", _("Unknown item field."))
                    )
                elif not valid_path(source):
                    errors.append(
                        FieldError(f"mapping.item_fields.{target}", _("Not a JSON path."))
                    )
    return errors


def _value(source: Any, context: Any, root: Any) -> Any:
    if isinstance(source, dict):
        return source.get("value", MISSING)
    return resolve(context, source, root)


def apply_mapping(mapping: dict[str, Any], payload: Any) -> MappedRows:
    """Event rows from ``payload``; errors name the JSON path that did not resolve (the event
    name, or every way of knowing who did it)."""
    each = mapping.get("each")
    if each:
        contexts = resolve(payload, each)
        if contexts is MISSING or (isinstance(contexts, list) and not contexts):
            return MappedRows(
                [], [FieldError(each, _("Nothing at this path in the payload."), "missing")]
            )
        if not isinstance(contexts, list) or "[*]" not in each:
            contexts = [contexts]
    else:
        contexts = [payload]
    fields: dict[str, Any] = mapping.get("fields", {})
    item_fields: dict[str, str] = mapping.get("item_fields") or {}
    rows: list[dict[str, Any]] = []
    errors: list[FieldError] = []
    for position, context in enumerate(contexts):
        prefix = f"{each.replace('[*]', f'[{position}]')}." if each else ""
        row: dict[str, Any] = {}
        for target, source in fields.items():
            value = _value(source, context, payload)
            if value is MISSING or value is None:
                continue
            if target == "items" and item_fields and isinstance(value, list):
                value = [
                    {
                        k: v
                        for k, path in item_fields.items()
                        if (v := resolve(item, path)) is not MISSING
                    }
                    for item in value
                ]
            head, _dot, rest = target.partition(".")
            if head in ("person", "properties"):
                row.setdefault(head, {})[rest] = value
            else:
                row[target] = str(value) if target in ("key", "order_id") else value
        if "name" not in row:
            source = fields.get("name")
            where = _where(prefix, source) if isinstance(source, str) else "mapping.fields.name"
            errors.append(FieldError(where, _("The event name is not in the payload."), "missing"))
            continue
        who = [t for t in PERSON_TARGETS if isinstance(fields.get(t), str)]
        if who and not row.get("person") and "visitor_id" not in row:
            errors.append(
                FieldError(
                    ", ".join(_where(prefix, fields[t]) for t in who),
                    _("Nothing says who did it: none of these paths is in the payload."),
                    "missing",
                )
            )
            continue
        rows.append(row)
    return MappedRows(rows, errors)


def _where(prefix: str, path: str) -> str:
    return path[1:].lstrip(".") if path.startswith("$") else f"{prefix}{path}"
