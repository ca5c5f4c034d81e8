"""The registry of domain event types: one declaration per type, each with its payload contract.

Every app declares its event types once, in its own ``events.py`` (imported at ``ready()``)::

    class PersonCreated(Payload):
        name: str
        email: str

    register_event_types(
        EventType(
            "person.created",
            gettext_noop("A person was added."),
            PersonCreated,
            example={"name": "Joana Silva", "email": "joana@padaria.com.br"},
        ),
    )

The payload schema is a pydantic model of the JSON object the event carries (``data.payload``
of a webhook body): its keys, their types, which may be null and which may be left out. Keys the
schema does not name are refused. :func:`vinculo.core.events.emit` refuses names nobody declared
and, when ``settings.EVENTS_CHECK_PAYLOADS`` is on (debug and the test suite), payloads that do
not match their schema. The webhook catalogue, the API listing and docs/event-types.md read the
description, the schema and the example from here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "EVENT_TYPES",
    "Changed",
    "Changes",
    "DecimalText",
    "EventType",
    "NoPayload",
    "Payload",
    "PayloadMismatch",
    "Timestamp",
    "check_payload",
    "register_event_types",
]


class Payload(BaseModel):
    """Base of every payload schema. Payloads are checked as the JSON text a receiver gets, in
    strict mode (a number is not a text, a text is not a number) and without unknown keys."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class NoPayload(Payload):
    """The event carries an empty object: the subject says everything."""


# Shapes that recur in payloads.
Changes = Annotated[
    dict[str, Annotated[list[Any], Field(min_length=2, max_length=2)]],
    Field(description="The fields that changed, as {field: [old value, new value]}."),
]
Changed = Annotated[list[str], Field(description="The names of the fields that changed.")]
DecimalText = Annotated[
    str,
    Field(pattern=r"^-?\d+(\.\d+)?$", description="A decimal number as text, e.g. '1500.00'."),
]
Timestamp = Annotated[datetime, Field(description="ISO 8601 date and time with its offset.")]


class PayloadMismatch(ValueError):
    """A payload that does not match its event type's schema (a programming error)."""


@dataclass(frozen=True)
class EventType:
    """A domain event type: its name (``<object>.<what happened>``), a sentence saying when it
    is emitted (a message id, translated when shown), the schema of its payload and an example
    payload (shown in the webhook catalogue; a test checks it against the schema)."""

    name: str
    description: str
    schema: type[Payload]
    example: Mapping[str, Any]

    def json_schema(self) -> dict[str, Any]:
        """The payload's JSON schema (draft 2020-12), as documented to webhook receivers."""
        return self.schema.model_json_schema()

    def check(self, payload: Mapping[str, Any] | str | None) -> None:
        """Raise :class:`PayloadMismatch` unless ``payload`` (a dict, or its JSON text) matches
        the schema."""
        try:
            text = payload if isinstance(payload, str) else json.dumps(payload or {})
        except (TypeError, ValueError) as exc:
            raise PayloadMismatch(f"payload of {self.name!r} is not JSON: {exc}") from None
        try:
            self.schema.model_validate_json(text)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or '(payload)'}: {error['msg']}"
                for error in exc.errors()
            )
            raise PayloadMismatch(
                f"payload of {self.name!r} does not match {self.schema.__name__}: {problems}"
            ) from None


EVENT_TYPES: dict[str, EventType] = {}


def register_event_types(*types: EventType) -> None:
    """Declare event types. A name is declared once: a second, different declaration of the
    same name is refused (importing a module twice re-registers the same objects harmlessly)."""
    for event_type in types:
        existing = EVENT_TYPES.get(event_type.name)
        if existing is not None and existing != event_type:
            raise ValueError(f"event type {event_type.name!r} is declared twice")
        EVENT_TYPES[event_type.name] = event_type


def check_payload(name: str, payload: Mapping[str, Any] | str | None) -> None:
    """Raise :class:`PayloadMismatch` unless ``payload`` matches the schema of the declared
    event type ``name`` (``KeyError`` for an undeclared name)."""
    EVENT_TYPES[name].check(payload)
