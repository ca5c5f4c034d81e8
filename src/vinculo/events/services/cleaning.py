"""Cleaning one tracked-event row: field by field, each error naming its field (path) and why.

Pure Python, no queries: :func:`_clean_row` turns a row of ``POST /api/v1/events`` (or of a mapped
inbound webhook payload) into a :class:`_Row` or the list of its errors.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from babel.numbers import list_currencies
from django.utils.translation import gettext as _

from vinculo.core import validators
from vinculo.core.errors import FieldError, collect

MAX_EVENTS_PER_CALL = 1000
MAX_PROPERTIES_BYTES = 16_384
MAX_ITEMS = 200
FUTURE_TOLERANCE = timedelta(days=1)

STANDARD_NAMES = (
    "purchase",
    "appointment_booked",
    "form_submitted",
    "page_viewed",
    "content_downloaded",
    "promo_code_used",
    "event_signed_up",
    "email_opened",
    "email_clicked",
)
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_.]{0,59}")
VISITOR_PATTERN = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
ROW_KEYS = frozenset(
    {
        "name",
        "key",
        "occurred_at",
        "person",
        "visitor_id",
        "properties",
        "amount",
        "currency",
        "order_id",
        "items",
    }
)
PERSON_REF_KEYS = frozenset(
    {"id", "email", "phone", "external_id", "system", "first_name", "last_name"}
)
_PURCHASE_ONLY = ("amount", "currency", "order_id", "items")
ITEM_KEYS = frozenset({"sku", "name", "quantity", "unit_price"})

# Typed properties of the standard events: name → [(property, kind, required)]. Kinds:
# "datetime" (ISO 8601, stored normalised), "text" (≤ 500 characters).
TYPED_PROPERTIES: dict[str, list[tuple[str, str, bool]]] = {
    "appointment_booked": [("starts_at", "datetime", False), ("ends_at", "datetime", False)],
    "event_signed_up": [("event_name", "text", False), ("starts_at", "datetime", False)],
    "promo_code_used": [("code", "text", True)],
    "page_viewed": [("path", "text", False), ("url", "text", False)],
    "content_downloaded": [("title", "text", False)],
    "form_submitted": [("form", "text", False)],
    "email_clicked": [("url", "text", False)],
}

_CURRENCIES: frozenset[str] | None = None


def _currencies() -> frozenset[str]:
    global _CURRENCIES
    if _CURRENCIES is None:
        _CURRENCIES = frozenset(list_currencies())
    return _CURRENCIES


@dataclass
class _Row:
    index: int
    name: str
    key: str
    occurred_at: datetime
    visitor_id: str
    properties: dict[str, Any]
    ref: dict[str, Any]  # id (int), external_id and system, email or phone (str)
    person_fields: dict[str, str]
    purchase: dict[str, Any] | None = None
    person_id: int | None = None


# --- validation -----------------------------------------------------------------------------


def _text(value: Any, path: str, limit: int, errors: list[FieldError]) -> str:
    if type(value) is str:
        text = value.strip()
        if len(text) <= limit:
            return text
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        errors.append(FieldError(path, _("Send text."), "invalid_type"))
        return ""
    text = str(value).strip()
    if len(text) > limit:
        errors.append(FieldError(path, _("At most %(n)s characters.") % {"n": limit}, "too_long"))
        return ""
    return text


def _clean_ref(value: Any, region: str, errors: list[FieldError]) -> tuple[dict, dict]:
    """The person reference: what identifies them (id, email, phone, external id) and the
    names used if they must be created."""
    if value is None:
        errors.append(
            FieldError(
                "person",
                _("Say who did it (person) or send the anonymous visitor_id."),
                "required",
            )
        )
        return {}, {}
    if not isinstance(value, dict):
        errors.append(
            FieldError("person", _('Send an object such as {"email": …}.'), "invalid_type")
        )
        return {}, {}
    if not PERSON_REF_KEYS.issuperset(value):
        for unknown in sorted(set(value) - PERSON_REF_KEYS):
            errors.append(FieldError(f"person.{unknown}", _("Unknown field."), "unknown_field"))
    ref: dict[str, Any] = {}
    get = value.get
    # Most references carry one or two of these: the cleaners run only for what is there.
    if get("id") not in (None, ""):
        pid = value["id"]
        if isinstance(pid, bool) or not str(pid).isdigit():
            errors.append(FieldError("person.id", _("Give a person id (a number)."), "invalid"))
        else:
            ref["id"] = int(pid)
    if get("email") not in (None, ""):
        email = collect(errors, validators.clean_email, value["email"], "person.email")
        if email:
            ref["email"] = email
    if get("phone") not in (None, ""):
        phone = collect(
            errors, validators.clean_phone, value["phone"], "person.phone", region=region
        )
        if phone:
            ref["phone"] = phone
    if get("external_id") not in (None, ""):
        external = _text(value["external_id"], "person.external_id", 200, errors)
        if external:
            ref["external_id"] = external
            ref["system"] = _text(get("system"), "person.system", 60, errors).lower() or "external"
    names = {
        k: _text(get(k), f"person.{k}", 100, errors)
        for k in ("first_name", "last_name")
        if get(k) not in (None, "")
    }
    if not ref and not errors:
        errors.append(
            FieldError(
                "person",
                _("Identify the person by id, email, phone or external_id."),
                "required",
            )
        )
    return ref, names


def _clean_items(value: Any, errors: list[FieldError]) -> list[dict[str, str | None]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors.append(FieldError("items", _("Send a list of items."), "invalid_type"))
        return []
    if len(value) > MAX_ITEMS:
        errors.append(FieldError("items", _("At most %(n)s items.") % {"n": MAX_ITEMS}, "too_many"))
        return []
    items: list[dict[str, str | None]] = []
    for i, item in enumerate(value):
        path = f"items[{i}]"
        if not isinstance(item, dict):
            errors.append(FieldError(path, _("Send an object."), "invalid_type"))
            continue
        for unknown in sorted(set(item) - ITEM_KEYS):
            errors.append(FieldError(f"{path}.{unknown}", _("Unknown field."), "unknown_field"))
        quantity = collect(
            errors,
            validators.clean_decimal,
            item.get("quantity", 1),
            f"{path}.quantity",
            places=3,
            max_digits=12,
            minimum=Decimal(0),
        )
        price = collect(
            errors,
            validators.clean_decimal,
            item.get("unit_price"),
            f"{path}.unit_price",
            places=2,
            max_digits=14,
            minimum=Decimal(0),
        )
        entry = {
            "sku": _text(item.get("sku"), f"{path}.sku", 100, errors),
            "name": _text(item.get("name"), f"{path}.name", 200, errors),
            "quantity": format(quantity.normalize(), "f") if quantity is not None else "1",
            "unit_price": None if price is None else str(price),
        }
        if not entry["sku"] and not entry["name"]:
            errors.append(FieldError(f"{path}.sku", _("Give a sku or a name."), "required"))
        items.append(entry)
    return items


def _clean_purchase(
    row: dict[str, Any], default_currency: str, errors: list[FieldError]
) -> dict[str, Any]:
    items = _clean_items(row.get("items"), errors)
    amount = collect(
        errors,
        validators.clean_decimal,
        row.get("amount"),
        "amount",
        places=2,
        max_digits=14,
        minimum=Decimal(0),
    )
    if amount is None and "amount" not in {e.field for e in errors}:
        priced = [i for i in items if i["unit_price"] is not None]
        if items and len(priced) == len(items):
            amount = sum(
                (Decimal(i["quantity"] or "1") * Decimal(i["unit_price"] or "0") for i in priced),
                Decimal(0),
            ).quantize(Decimal("0.01"))
        else:
            errors.append(
                FieldError("amount", _("A purchase needs an amount (or priced items)."), "required")
            )
    currency = str(row.get("currency") or default_currency).strip().upper()
    if currency not in _currencies():
        errors.append(
            FieldError(
                "currency",
                _("Unknown currency %(code)r; use an ISO 4217 code such as BRL.")
                % {"code": currency},
                "invalid_currency",
            )
        )
    return {
        "amount": amount,
        "currency": currency,
        "order_id": _text(row.get("order_id"), "order_id", 100, errors),
        "items": items,
    }


def _surely_small(properties: dict[str, Any]) -> bool:
    """True for the common few short scalar properties, which cannot reach the cap (saves
    serialising every event's properties once more)."""
    if len(properties) > 20:
        return False
    for key, value in properties.items():
        if len(key) > 100:
            return False
        if isinstance(value, str):
            if len(value) > 500:
                return False
        elif value is not None and not isinstance(value, int | float):
            return False
    return True


def _clean_properties(name: str, value: Any, errors: list[FieldError]) -> dict[str, Any]:
    if value is None:
        properties: dict[str, Any] = {}
    elif not isinstance(value, dict):
        errors.append(FieldError("properties", _("Send a JSON object."), "invalid_type"))
        return {}
    else:
        properties = dict(value)
    if properties and not _surely_small(properties):
        size = len(json.dumps(properties, default=str))
        if size > MAX_PROPERTIES_BYTES:
            errors.append(
                FieldError(
                    "properties",
                    _("At most %(n)s bytes of properties.") % {"n": MAX_PROPERTIES_BYTES},
                    "too_large",
                )
            )
            return {}
    for prop, kind, required in TYPED_PROPERTIES.get(name, ()):
        raw = properties.get(prop)
        path = f"properties.{prop}"
        if raw in (None, ""):
            if required:
                errors.append(
                    FieldError(path, _("Required for %(name)s.") % {"name": name}, "required")
                )
            continue
        if kind == "text" and type(raw) is str and len(raw) <= 500 and raw == raw.strip():
            continue  # already clean text
        if kind == "datetime":
            moment = collect(errors, validators.clean_datetime, raw, path)
            if moment is not None:
                properties[prop] = moment.isoformat()
        else:
            properties[prop] = _text(raw, path, 500, errors)
    if name == "page_viewed" and not properties.get("path") and properties.get("url"):
        properties["path"] = urlsplit(str(properties["url"])).path or "/"
    return properties


def _clean_row(
    index: int, row: Any, *, now: datetime, region: str, currency: str
) -> _Row | list[FieldError]:
    if not isinstance(row, dict):
        return [FieldError("", _("Send an event object."), "invalid_type")]
    errors: list[FieldError] = []
    if not ROW_KEYS.issuperset(row):
        for unknown in sorted(set(row) - ROW_KEYS):
            errors.append(FieldError(unknown, _("Unknown field."), "unknown_field"))
    name = row.get("name")
    if type(name) is str and NAME_PATTERN.fullmatch(name):
        pass  # the usual case: a well-formed name, nothing to strip
    elif not isinstance(name, str) or not name.strip():
        errors.append(FieldError("name", _("Name the event (purchase, page_viewed…)."), "required"))
        name = ""
    else:
        name = name.strip()
        if not NAME_PATTERN.fullmatch(name):
            errors.append(
                FieldError(
                    "name",
                    _("Use lowercase letters, digits, _ and . (at most 60, a letter first)."),
                    "invalid",
                )
            )
    key = _text(row.get("key"), "key", 120, errors)
    occurred_at = now
    if row.get("occurred_at") not in (None, ""):
        moment = collect(errors, validators.clean_datetime, row["occurred_at"], "occurred_at")
        if moment is not None:
            if moment > now + FUTURE_TOLERANCE:
                errors.append(
                    FieldError("occurred_at", _("Cannot be more than a day ahead."), "future")
                )
            elif moment.year < 1970:
                errors.append(FieldError("occurred_at", _("Too far in the past."), "invalid"))
            else:
                occurred_at = moment
    visitor_id = ""
    if row.get("visitor_id") is not None:
        visitor_id = _text(row["visitor_id"], "visitor_id", 64, errors)
    if visitor_id and not VISITOR_PATTERN.fullmatch(visitor_id):
        errors.append(
            FieldError("visitor_id", _("Use letters, digits, '.', '_', ':' or '-'."), "invalid")
        )
    ref: dict[str, Any] = {}
    names: dict[str, str] = {}
    if row.get("person") is not None or not visitor_id:
        ref, names = _clean_ref(row.get("person"), region, errors)
    properties = _clean_properties(name, row.get("properties"), errors)
    purchase = None
    if name == "purchase":
        purchase = _clean_purchase(row, currency, errors)
    else:
        for extra in _PURCHASE_ONLY:
            if extra in row and row[extra] not in (None, ""):
                errors.append(
                    FieldError(extra, _("Only purchases carry %(f)s.") % {"f": extra}, "invalid")
                )
    if errors:
        return errors
    return _Row(index, name, key, occurred_at, visitor_id, properties, ref, names, purchase)
