"""What a webhook carries: the event types one may subscribe to, the JSON body and its signature.

Body of every delivery (UTF-8 JSON, the same bytes on every attempt)::

    {"id": "evt_81", "type": "person.created", "created_at": "2026-11-23T16:30:00.123456+00:00",
     "workspace": {"id": 1, "slug": "padaria-aurora"},
     "data": {"subject_type": "person", "subject_id": "42", "payload": {...}}}

``data.payload`` is the event's own payload; each event type declares its schema and an example
in its app's ``events.py`` (``vinculo.core.event_types``), read from there by :func:`describe`.
The signature header is ``Vinculo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` of
``"<t>.<raw body>"`` with the subscription's secret (Stripe's scheme); right after a rotation a
second ``v1=`` signed with the previous secret is added for 24 hours.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.event_types import EVENT_TYPES

PING = "webhook.ping"
# The test suite's own events never leave the process.
HIDDEN_PREFIXES = ("test.",)

# The body of a test event (not a domain event: nothing emits it, nobody subscribes to it).
PING_PAYLOAD: dict[str, Any] = {"message": "A test event sent from Vínculo."}


def subscribable_types() -> list[str]:
    """Every declared event type a subscription may name, sorted."""
    names = [n for n in EVENT_TYPES if not n.startswith(HIDDEN_PREFIXES)]
    return sorted(names)


def group_titles() -> dict[str, str]:
    """ "Every <object> event" per group of event types, each a whole sentence to translate
    (the object's name cannot be pasted into one sentence: gender and articles differ)."""
    return {
        "activity": _("Every activity event"),
        "company": _("Every company event"),
        "custom_field": _("Every custom field event"),
        "deal": _("Every deal event"),
        "event": _("Every tracked event event"),
        "import": _("Every import event"),
        "lifecycle_stage": _("Every lifecycle stage event"),
        "member": _("Every member event"),
        "person": _("Every person event"),
        "pipeline": _("Every pipeline event"),
        "product": _("Every product event"),
        "purchase": _("Every purchase event"),
        "stage": _("Every pipeline stage event"),
        "task": _("Every task event"),
        "team": _("Every team event"),
        "token": _("Every API token event"),
        "visitor": _("Every site visitor event"),
        "webhook": _("Every webhook event"),
        "workspace": _("Every workspace event"),
    }


def grouped_types() -> list[tuple[str, str, list[dict[str, str]]]]:
    """Event types grouped by object (``person``, ``deal``…) for the checkboxes: the group, its
    title in the active language and its types."""
    groups: dict[str, list[dict[str, str]]] = {}
    for name in subscribable_types():
        groups.setdefault(name.split(".", 1)[0], []).append(
            {"name": name, "description": _(EVENT_TYPES[name].description)}
        )
    titles = group_titles()
    return [
        (group, titles.get(group) or _("Every %(group)s event") % {"group": group}, types)
        for group, types in sorted(groups.items())
    ]


def matches(patterns: Iterable[str], event_type: str) -> bool:
    return any(fnmatch.fnmatchcase(event_type, p) for p in patterns)


def clean_event_types(raw: Any, field: str = "event_types") -> list[str]:
    """Names or glob patterns (``person.*``, ``*``) that each match a declared event type."""
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationFailed.field(field, _("Choose at least one event type."), "required")
    known = subscribable_types()
    cleaned: list[str] = []
    errors = []
    for index, item in enumerate(raw):
        value = str(item).strip() if isinstance(item, str) else ""
        if not value:
            errors.append(FieldError(f"{field}.{index}", _("An event type is a text."), "invalid"))
            continue
        if not any(fnmatch.fnmatchcase(name, value) for name in known):
            errors.append(
                FieldError(
                    f"{field}.{index}",
                    _("Unknown event type '%(name)s'. GET /api/v1/webhooks/event-types lists them.")
                    % {"name": value},
                    "unknown_event_type",
                )
            )
            continue
        if value not in cleaned:
            cleaned.append(value)
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return cleaned


def describe(event_type: str) -> dict[str, Any]:
    """One declared event type as the catalogue lists it: name, group, description (the message
    id), the JSON schema of its payload and an example body."""
    declared = EVENT_TYPES[event_type]
    return {
        "name": event_type,
        "group": event_type.split(".", 1)[0],
        "description": declared.description,
        "payload_schema": declared.json_schema(),
        "example": example_body(event_type),
    }


def example_body(event_type: str) -> dict[str, Any]:
    """A whole delivery body of ``event_type`` around its declared example payload."""
    subject = event_type.split(".", 1)[0]
    return {
        "id": "evt_81",
        "type": event_type,
        "created_at": "2026-11-23T16:30:00.123456+00:00",
        "workspace": {"id": 1, "slug": "padaria-aurora"},
        "data": {
            "subject_type": "" if subject == "webhook" else subject,
            "subject_id": "" if subject == "webhook" else "42",
            "payload": dict(EVENT_TYPES[event_type].example),
        },
    }


def event_body(
    *,
    event_id: int | str,
    event_type: str,
    created_at: Any,
    workspace_id: int,
    workspace_slug: str,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
) -> str:
    """The exact JSON text a delivery sends (compact, keys in a fixed order)."""
    return json.dumps(
        {
            "id": f"evt_{event_id}",
            "type": event_type,
            "created_at": created_at.isoformat(),
            "workspace": {"id": workspace_id, "slug": workspace_slug},
            "data": {"subject_type": subject_type, "subject_id": subject_id, "payload": payload},
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Iterable[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"] + [f"v1={sign(s, timestamp, body)}" for s in secrets if s]
    return ",".join(parts)
