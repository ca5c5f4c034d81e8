"""Ingesting tracked events: one batch, one transaction, a handful of queries whatever its size.

:func:`ingest_events` validates each row, answers rows whose idempotency key is already stored
as duplicates, resolves the others to people (id, external id, email, phone, visitor link),
creates unknown people as leads when the workspace says so, then writes the events, their
purchases, one timeline entry per event with a person and one ``event.received`` domain event
per event — all with the bulk insert path. Bad rows are reported by index and field; good rows
are kept.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.conf import settings as django_settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop, to_locale
from django.utils.translation import gettext as _

from vinculo.activities import timeline
from vinculo.contacts.models import Person
from vinculo.core import audit, events, validators
from vinculo.core.actor import Actor, Source
from vinculo.core.bulk import BulkResult, RowError, live_ids_by_value
from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.fastinsert import insert_objects, insert_rows, new_instances
from vinculo.events.models import (
    EventSettings,
    EventSource,
    PersonIdentity,
    Purchase,
    TrackedEvent,
    VisitorLink,
)
from vinculo.workspaces.permissions import require

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
        from babel.numbers import list_currencies

        _CURRENCIES = frozenset(list_currencies())
    return _CURRENCIES


@dataclass
class RowOutcome:
    """What became of one row: ``created``, ``duplicate`` (its key was already stored: ``event_id``
    is the stored event) or ``error`` (``errors`` says why)."""

    index: int
    status: str
    event_id: int | None = None
    person_id: int | None = None
    errors: list[FieldError] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "status": self.status,
            "id": self.event_id,
            "person_id": self.person_id,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class IngestResult(BulkResult[TrackedEvent]):
    """``created``: the stored events in row order; ``errors``: the refused rows by index;
    ``rows``: one outcome per row, in order; ``people_created``: leads created on the way."""

    rows: list[RowOutcome] = field(default_factory=list)
    people_created: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counts = {"created": 0, "duplicate": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts


@dataclass
class _Row:
    index: int
    name: str
    key: str
    occurred_at: datetime
    visitor_id: str
    properties: dict[str, Any]
    ref: dict[str, str]
    person_fields: dict[str, str]
    purchase: dict[str, Any] | None = None
    person_id: int | None = None


# --- validation -----------------------------------------------------------------------------


def _text(value: Any, path: str, limit: int, errors: list[FieldError]) -> str:
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


def _collect(errors: list[FieldError], cleaner: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return cleaner(*args, **kwargs)
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return None


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
    for unknown in sorted(set(value) - PERSON_REF_KEYS):
        errors.append(FieldError(f"person.{unknown}", _("Unknown field."), "unknown_field"))
    ref: dict[str, Any] = {}
    if value.get("id") not in (None, ""):
        pid = value["id"]
        if isinstance(pid, bool) or not str(pid).isdigit():
            errors.append(FieldError("person.id", _("Give a person id (a number)."), "invalid"))
        else:
            ref["id"] = int(pid)
    email = _collect(errors, validators.clean_email, value.get("email"), "person.email")
    if email:
        ref["email"] = email
    phone = _collect(
        errors, validators.clean_phone, value.get("phone"), "person.phone", region=region
    )
    if phone:
        ref["phone"] = phone
    external = _text(value.get("external_id"), "person.external_id", 200, errors)
    if external:
        ref["external_id"] = external
        ref["system"] = (
            _text(value.get("system"), "person.system", 60, errors).lower() or "external"
        )
    names = {
        k: _text(value.get(k), f"person.{k}", 100, errors)
        for k in ("first_name", "last_name")
        if value.get(k) not in (None, "")
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


def _clean_items(value: Any, errors: list[FieldError]) -> list[dict[str, str]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        errors.append(FieldError("items", _("Send a list of items."), "invalid_type"))
        return []
    if len(value) > MAX_ITEMS:
        errors.append(FieldError("items", _("At most %(n)s items.") % {"n": MAX_ITEMS}, "too_many"))
        return []
    items: list[dict[str, str]] = []
    for i, item in enumerate(value):
        path = f"items[{i}]"
        if not isinstance(item, dict):
            errors.append(FieldError(path, _("Send an object."), "invalid_type"))
            continue
        for unknown in sorted(set(item) - ITEM_KEYS):
            errors.append(FieldError(f"{path}.{unknown}", _("Unknown field."), "unknown_field"))
        quantity = _collect(
            errors,
            validators.clean_decimal,
            item.get("quantity", 1),
            f"{path}.quantity",
            places=3,
            max_digits=12,
            minimum=Decimal(0),
        )
        price = _collect(
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
    amount = _collect(
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
                (Decimal(i["quantity"]) * Decimal(i["unit_price"]) for i in items), Decimal(0)
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
        path = f"properties.{prop}"
        raw = properties.get(prop)
        if raw in (None, ""):
            if required:
                errors.append(
                    FieldError(path, _("Required for %(name)s.") % {"name": name}, "required")
                )
            continue
        if kind == "datetime":
            moment = _collect(errors, validators.clean_datetime, raw, path)
            if moment is not None:
                properties[prop] = moment.isoformat()
        else:
            properties[prop] = _text(raw, path, 500, errors)
    if name == "page_viewed" and not properties.get("path") and properties.get("url"):
        from urllib.parse import urlsplit

        properties["path"] = urlsplit(str(properties["url"])).path or "/"
    return properties


def _clean_row(
    index: int, row: Any, *, now: datetime, region: str, currency: str
) -> _Row | list[FieldError]:
    if not isinstance(row, dict):
        return [FieldError("", _("Send an event object."), "invalid_type")]
    errors: list[FieldError] = []
    for unknown in sorted(set(row) - ROW_KEYS):
        errors.append(FieldError(unknown, _("Unknown field."), "unknown_field"))
    name = row.get("name")
    if not isinstance(name, str) or not name.strip():
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
        moment = _collect(errors, validators.clean_datetime, row["occurred_at"], "occurred_at")
        if moment is not None:
            if moment > now + FUTURE_TOLERANCE:
                errors.append(
                    FieldError("occurred_at", _("Cannot be more than a day ahead."), "future")
                )
            elif moment.year < 1970:
                errors.append(FieldError("occurred_at", _("Too far in the past."), "invalid"))
            else:
                occurred_at = moment
    visitor_id = _text(row.get("visitor_id"), "visitor_id", 64, errors)
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
        for extra in ("amount", "currency", "order_id", "items"):
            if row.get(extra) not in (None, ""):
                errors.append(
                    FieldError(extra, _("Only purchases carry %(f)s.") % {"f": extra}, "invalid")
                )
    if errors:
        return errors
    return _Row(index, name, key, occurred_at, visitor_id, properties, ref, names, purchase)


# --- summaries ------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _babel_locale(language: str) -> Any:
    from babel import Locale

    try:
        return Locale.parse(to_locale(language))
    except (ValueError, LookupError):
        return Locale.parse("en")


@lru_cache(maxsize=256)
def _money_shape(currency: str, language: str) -> tuple[str, str, str, str, int] | None:
    """How ``language`` writes an amount of ``currency`` (prefix, group and decimal separators,
    suffix, decimals), read once from babel's formatting of a sample amount."""
    from babel.numbers import format_currency

    try:
        sample = str(format_currency(Decimal(7777), currency, locale=_babel_locale(language)))
    except (ValueError, LookupError):
        return None
    first, last = sample.find("7"), sample.rfind("7")
    if first < 0 or sample[first + 1 : first + 2].isdigit():
        return None  # no grouping of thousands: leave it to babel
    group = sample[first + 1]
    end = last + 1
    decimal_sep, places = "", 0
    while end < len(sample) and not sample[end].isdigit() and sample[end + 1 : end + 2] == "0":
        decimal_sep = sample[end]
        end += 1
        while end < len(sample) and sample[end] == "0":
            places += 1
            end += 1
        break
    return sample[:first], group, decimal_sep, sample[end:], places


def _money(amount: Decimal, currency: str) -> str:
    """Like the deal screens' ``format_money`` (babel's CLDR data), with the pattern worked out
    once per currency and language: this runs for every purchase of a batch."""
    language = get_language() or django_settings.LANGUAGE_CODE
    shape = _money_shape(currency, language)
    if shape is None:
        from babel.numbers import format_currency

        try:
            return str(format_currency(amount, currency, locale=_babel_locale(language)))
        except (ValueError, LookupError):
            return f"{currency} {amount}"
    prefix, group, decimal_sep, suffix, places = shape
    text = f"{amount:,.{places}f}".translate({44: "\x00", 46: "\x01"})
    return prefix + text.replace("\x00", group).replace("\x01", decimal_sep) + suffix


@lru_cache(maxsize=256)
def _cached_gettext(language: str | None, message: str) -> str:
    return _(message)


def _t(message: str) -> str:
    """``gettext`` memoised per language: a 1,000-event batch asks for the same few lines."""
    return _cached_gettext(get_language(), message)


def summarize(name: str, properties: dict[str, Any], purchase: dict[str, Any] | None) -> str:
    """The readable line the timeline shows for an event, in the active language."""
    p = properties
    if name == "purchase" and purchase is not None:
        money = _money(purchase["amount"], purchase["currency"])
        if purchase.get("order_id"):
            return _t(gettext_noop("Bought %(amount)s (order %(order)s)")) % {
                "amount": money,
                "order": purchase["order_id"],
            }
        return _t(gettext_noop("Bought %(amount)s")) % {"amount": money}
    if name == "page_viewed":
        if p.get("path"):
            return _t(gettext_noop("Viewed %(path)s")) % {"path": p["path"]}
        return _t(gettext_noop("Viewed a page"))
    if name == "appointment_booked":
        if p.get("starts_at"):
            when = timezone.localtime(datetime.fromisoformat(p["starts_at"]))
            return _t(gettext_noop("Booked an appointment for %(when)s")) % {
                "when": when.strftime("%Y-%m-%d %H:%M")
            }
        return _t(gettext_noop("Booked an appointment"))
    if name == "form_submitted":
        if p.get("form"):
            return _t(gettext_noop("Submitted the form %(form)s")) % {"form": p["form"]}
        return _t(gettext_noop("Submitted a form"))
    if name == "content_downloaded":
        if p.get("title"):
            return _t(gettext_noop("Downloaded %(title)s")) % {"title": p["title"]}
        return _t(gettext_noop("Downloaded content"))
    if name == "promo_code_used":
        return _t(gettext_noop("Used the promo code %(code)s")) % {"code": p.get("code", "")}
    if name == "event_signed_up":
        if p.get("event_name"):
            return _t(gettext_noop("Signed up for %(event)s")) % {"event": p["event_name"]}
        return _t(gettext_noop("Signed up for an event"))
    if name == "email_opened":
        return _t(gettext_noop("Opened an email"))
    if name == "email_clicked":
        if p.get("url"):
            return _t(gettext_noop("Clicked %(url)s in an email")) % {"url": p["url"]}
        return _t(gettext_noop("Clicked a link in an email"))
    return _t(gettext_noop("Event %(name)s")) % {"name": name}


# --- settings -------------------------------------------------------------------------------


def settings_of(workspace_id: int) -> EventSettings:
    """The workspace's event settings (defaults, unsaved, until someone changes them)."""
    found = EventSettings.objects.filter(workspace_id=workspace_id).first()
    return found or EventSettings(workspace_id=workspace_id)


# --- the service ----------------------------------------------------------------------------


def _source_of(actor: Actor, source: str | None) -> str:
    if source:
        if source not in EventSource.values:
            raise ValueError(f"unknown event source {source!r}")
        return source
    mapping = {Source.API: EventSource.API, Source.UI: EventSource.UI, Source.IMPORT: "import"}
    return str(mapping.get(actor.source, EventSource.SYSTEM))


def ingest_events(
    *,
    actor: Actor,
    rows: list[Any],
    max_rows: int | None = MAX_EVENTS_PER_CALL,
    source: str | None = None,
) -> IngestResult:
    """Store a batch of tracked events (see the module docstring and docs/events.md).

    Refuses (per row, the others are kept): unknown fields, a bad name, a date more than a day
    ahead, bad emails/phones/amounts/currencies, an unknown person when creating leads is off
    (unless the row carries a ``visitor_id``: it is then kept anonymous), a person id that is
    not in the workspace. Refuses the whole call when ``rows`` is not a list or is too long.
    ``source`` says where the events came from (``api``, ``webhook``, ``form``, ``tracking``…);
    by default the actor's source.
    """
    require(actor, "records.write")
    if not isinstance(rows, list):
        raise ValidationFailed.field("rows", _("Send a list of events."), "invalid_type")
    if max_rows is not None and len(rows) > max_rows:
        raise ValidationFailed.field(
            "rows", _("At most %(n)s events per call.") % {"n": max_rows}, "too_many"
        )
    event_source = _source_of(actor, source)
    # A concurrent batch may store one of our keys between our look-up and our insert: the
    # unique constraint refuses ours, and a second pass answers that row as a duplicate.
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _ingest(actor, rows, event_source)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _ingest(actor: Actor, rows: list[Any], event_source: str) -> IngestResult:
    workspace = actor.workspace
    now = timezone.now()
    region = (workspace.country or "BR").upper()
    currency = workspace.default_currency or "BRL"
    outcomes: list[RowOutcome] = []
    good: list[_Row] = []
    for index, raw in enumerate(rows):
        cleaned = _clean_row(index, raw, now=now, region=region, currency=currency)
        if isinstance(cleaned, list):
            outcomes.append(RowOutcome(index, "error", errors=cleaned))
        else:
            outcomes.append(RowOutcome(index, "created"))
            good.append(cleaned)
    good = _answer_duplicates(actor, good, outcomes)
    result = IngestResult(rows=outcomes)
    good = _resolve_people(actor, good, outcomes, result)
    if good:
        _write(actor, good, outcomes, result, event_source, now)
    for outcome in outcomes:
        if outcome.status == "duplicate" and outcome.event_id is not None and outcome.event_id < 0:
            # A key repeated inside the batch: the answer of the row that carried it first.
            first = outcomes[-outcome.event_id - 1]
            outcome.event_id, outcome.person_id = first.event_id, first.person_id
            if first.status == "error":
                outcome.status, outcome.errors = "error", list(first.errors)
    result.errors = [RowError(o.index, o.errors) for o in outcomes if o.status == "error"]
    return result


def _answer_duplicates(actor: Actor, rows: list[_Row], outcomes: list[RowOutcome]) -> list[_Row]:
    """Rows whose key is stored already (or repeated earlier in the batch) become duplicates."""
    keys = list({r.key for r in rows if r.key})
    stored: dict[str, tuple[int, int | None]] = {}
    if keys:
        # Raw IN list: the ORM's per-value preparation of 1,000 keys costs more than the query.
        meta = TrackedEvent._meta
        quote = connection.ops.quote_name
        table, key_column = quote(meta.db_table), quote(meta.get_field("key").column)
        with connection.cursor() as cursor:
            for start in range(0, len(keys), 900):
                chunk = keys[start : start + 900]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT {key_column}, id, person_id FROM {table} "  # noqa: S608 (names)
                    f"WHERE workspace_id = %s AND {key_column} IN ({marks})",
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
    workspace_id = actor.workspace.pk
    ids = {r.ref["id"] for r in rows if "id" in r.ref}
    emails = sorted({r.ref["email"] for r in rows if "email" in r.ref})
    phones = sorted({r.ref["phone"] for r in rows if "phone" in r.ref})
    externals = {(r.ref["system"], r.ref["external_id"]) for r in rows if "external_id" in r.ref}
    visitors = sorted({r.visitor_id for r in rows if r.visitor_id and not r.ref})

    live: set[int] = set()
    if ids:
        from vinculo.contacts.selectors import live_ids

        live = live_ids(actor.workspace, Person, ids)
    by_email = live_ids_by_value(Person, workspace_id, "email", emails) if emails else {}
    by_phone: dict[str, int] = {}
    if phones:
        for column in ("mobile_phone", "phone"):
            for value, pk in live_ids_by_value(Person, workspace_id, column, phones).items():
                by_phone[value] = min(by_phone.get(value, pk), pk)
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
    by_visitor: dict[str, int] = {}
    if visitors:
        for start in range(0, len(visitors), 900):
            by_visitor.update(
                VisitorLink.objects.for_workspace(workspace_id)
                .filter(visitor_id__in=visitors[start : start + 900])
                .values_list("visitor_id", "person_id")
            )

    settings = settings_of(workspace_id)
    unknown: dict[tuple[str, ...], list[_Row]] = {}
    new_identities: dict[tuple[str, str], int] = {}
    kept: list[_Row] = []
    for row in rows:
        ref = row.ref
        if "id" in ref:
            if ref["id"] not in live:
                outcomes[row.index].status = "error"
                outcomes[row.index].errors = [
                    FieldError(
                        "person.id",
                        _("No person with id %(id)s in this workspace.") % {"id": ref["id"]},
                        "not_found",
                    )
                ]
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
                if settings.create_unknown_people:
                    unknown.setdefault(_identity_key(ref), []).append(row)
                    continue
                if not row.visitor_id:
                    outcomes[row.index].status = "error"
                    outcomes[row.index].errors = [
                        FieldError(
                            "person",
                            _(
                                "No person matches; creating unknown people is switched off "
                                "in the events settings."
                            ),
                            "not_found",
                        )
                    ]
                    continue
            elif ext and ext not in by_external:
                # Known by email or phone: remember their external id from now on.
                new_identities.setdefault(ext, row.person_id)
        elif row.visitor_id:
            row.person_id = by_visitor.get(row.visitor_id)
        kept.append(row)

    if unknown:
        kept.extend(_create_leads(actor, settings, unknown, outcomes, result, new_identities))
        kept.sort(key=lambda r: r.index)
    if new_identities:
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
                (workspace_id, now, now, user_id, pid, system, external_id)
                for (system, external_id), pid in new_identities.items()
            ],
        )
    for row in kept:
        outcomes[row.index].person_id = row.person_id
    return kept


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
    from vinculo.contacts.services import bulk_create_people

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
        person = next(made)
        result.people_created += 1
        for row in group:
            row.person_id = person.pk
            if "external_id" in row.ref:
                new_identities.setdefault((row.ref["system"], row.ref["external_id"]), person.pk)
            kept.append(row)
    return kept


def _write(
    actor: Actor,
    rows: list[_Row],
    outcomes: list[RowOutcome],
    result: IngestResult,
    event_source: str,
    now: datetime,
) -> None:
    workspace_id = actor.workspace.pk
    summaries = [summarize(r.name, r.properties, r.purchase) for r in rows]
    stored = insert_objects(
        new_instances(
            TrackedEvent,
            (
                {
                    "name": r.name,
                    "person_id": r.person_id,
                    "visitor_id": r.visitor_id,
                    "occurred_at": r.occurred_at,
                    "properties": r.properties,
                    "key": r.key,
                    "summary": summary,
                }
                for r, summary in zip(rows, summaries, strict=True)
            ),
            workspace_id=workspace_id,
            received_at=now,
            source=event_source,
        )
    )
    result.created = stored
    for row, event in zip(rows, stored, strict=True):
        outcomes[row.index].event_id = event.pk

    purchases = [(r, e) for r, e in zip(rows, stored, strict=True) if r.purchase is not None]
    if purchases:
        insert_rows(
            Purchase,
            [
                "workspace_id",
                "event_id",
                "person_id",
                "order_id",
                "amount",
                "currency",
                "items",
                "occurred_at",
            ],
            [
                (
                    workspace_id,
                    e.pk,
                    e.person_id,
                    r.purchase["order_id"],
                    r.purchase["amount"],
                    r.purchase["currency"],
                    r.purchase["items"],
                    e.occurred_at,
                )
                for r, e in purchases
                if r.purchase is not None
            ],
        )
    timeline.record_many(
        actor,
        (
            timeline.PendingEntry(
                kind=f"event.{e.name}"[:40],
                summary=e.summary,
                person=e.person_id,
                data={"event_id": e.pk, "name": e.name},
                occurred_at=e.occurred_at,
            )
            for e in stored
            if e.person_id is not None
        ),
    )
    occurred = {e.pk: e.occurred_at.isoformat() for e in stored}
    events.emit_many(
        "event.received",
        actor=actor,
        subjects=[
            ("tracked_event", e.pk, _payload(e, r, occurred[e.pk]))
            for r, e in zip(rows, stored, strict=True)
        ],
    )
    if purchases:
        events.emit_many(
            "purchase.recorded",
            actor=actor,
            subjects=[
                (
                    "tracked_event",
                    e.pk,
                    {
                        "event_id": e.pk,
                        "person_id": e.person_id,
                        "order_id": r.purchase["order_id"],
                        "amount": str(r.purchase["amount"]),
                        "currency": r.purchase["currency"],
                        "item_count": len(r.purchase["items"]),
                        "occurred_at": occurred[e.pk],
                    },
                )
                for r, e in purchases
                if r.purchase is not None
            ],
        )
    audit.record(
        actor,
        "event.batch_ingested",
        object_type="events.trackedevent",
        changes={
            "created": len(stored),
            "people_created": result.people_created,
            "source": event_source,
        },
    )


def _payload(event: TrackedEvent, row: _Row, occurred_at: str) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": event.pk,
        "name": event.name,
        "person_id": event.person_id,
        "visitor_id": event.visitor_id,
        "occurred_at": occurred_at,
        "source": event.source,
        "key": event.key,
        "properties": event.properties,
    }
    if row.purchase is not None:
        payload.update(
            amount=str(row.purchase["amount"]),
            currency=row.purchase["currency"],
            order_id=row.purchase["order_id"],
        )
    return payload
