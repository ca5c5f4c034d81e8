"""Event contracts: every event type is declared once with a payload schema and an example; the
outbox refuses undeclared types and, in debug and under tests, payloads that break their schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import transaction
from django.utils.translation import gettext_noop
from jsonschema import Draft202012Validator

from vinculo.core import events
from vinculo.core.event_types import (
    EVENT_TYPES,
    EventType,
    NoPayload,
    Payload,
    PayloadMismatch,
    register_event_types,
)
from vinculo.core.fastinsert import JsonText
from vinculo.core.models import DomainEvent

SRC = Path(__file__).resolve().parents[2] / "src" / "vinculo"
DECLARED = sorted(n for n in EVENT_TYPES if not n.startswith("test."))
# events.emit("name", …) / emit_many(f"{kind}.created", …): the literal first argument.
EMIT_CALL = re.compile(r"\bemit(?:_many)?\(\s*(f?)\"([^\"]+)\"")


def test_the_apps_declare_their_event_types():
    groups = {name.split(".", 1)[0] for name in DECLARED}
    assert {"person", "company", "deal", "form", "import", "export", "webhook"} <= groups
    assert len(DECLARED) >= 70


@pytest.mark.parametrize("name", DECLARED)
def test_every_declared_example_matches_its_schema(name):
    declared = EVENT_TYPES[name]
    assert declared.description.strip()
    assert issubclass(declared.schema, Payload)
    declared.check(declared.example)  # the schema as the outbox checks it
    # … and as published to receivers (JSON schema), whose validators they will use.
    Draft202012Validator(declared.json_schema()).validate(dict(declared.example))


def test_every_event_name_the_code_emits_is_declared():
    """Names written in the code, including ones no test happens to exercise; names built from
    a kind (``f"{kind}.deleted"``) must match at least one declared type."""
    found: list[tuple[str, bool, str]] = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found += [(str(path.relative_to(SRC)), m[1] == "f", m[2]) for m in EMIT_CALL.finditer(text)]
    assert len(found) > 40, "the scan no longer finds the emit calls"
    undeclared = []
    for where, formatted, literal in found:
        if formatted:
            pattern = re.sub(r"\\\{[^}]*\\\}", "[a-z_]+", re.escape(literal))
            if not any(re.fullmatch(pattern, n) for n in DECLARED):
                undeclared.append((where, literal))
        elif literal not in EVENT_TYPES:
            undeclared.append((where, literal))
    assert undeclared == []


def test_an_undeclared_event_type_is_refused(ana):
    with transaction.atomic(), pytest.raises(ValueError, match="unknown domain event"):
        events.emit("person.teleported", actor=ana.actor)
    with transaction.atomic(), pytest.raises(ValueError, match="unknown domain event"):
        events.emit_many("person.teleported", actor=ana.actor, subjects=[("person", 1, {})])
    assert not DomainEvent.objects.filter(name="person.teleported").exists()


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"name": "Joana"}, "email: Field required"),
        ({"name": "Joana", "email": None}, "email: Input should be a valid string"),
        ({"name": 42, "email": ""}, "name: Input should be a valid string"),
        ({"name": "Joana", "email": "", "cpf": "x"}, "cpf: Extra inputs are not permitted"),
        (None, "name: Field required"),
    ],
)
def test_a_payload_that_breaks_its_schema_is_refused_under_tests(ana, payload, problem):
    with transaction.atomic(), pytest.raises(PayloadMismatch) as refused:
        events.emit("person.created", actor=ana.actor, subject_type="person", payload=payload)
    assert "'person.created'" in str(refused.value) and problem in str(refused.value)


def test_emit_many_checks_each_payload_also_when_already_encoded(ana):
    good = {"name": "Joana", "email": ""}
    with transaction.atomic(), pytest.raises(PayloadMismatch, match="email"):
        events.emit_many(
            "person.created",
            actor=ana.actor,
            subjects=[("person", 1, good), ("person", 2, JsonText('{"name": "Bia"}'))],
        )
    with transaction.atomic(), pytest.raises(PayloadMismatch, match="not JSON"):
        events.emit_many(
            "person.created", actor=ana.actor, subjects=[("person", 1, {**good, "x": {1, 2}})]
        )
    assert not DomainEvent.objects.filter(name="person.created", subject_id__in=["1", "2"])


def test_a_matching_payload_is_written_as_given(ana):
    payload = {"from": "lead", "to": None, "phase": None}
    with transaction.atomic():
        event = events.emit(
            "person.lifecycle_changed", actor=ana.actor, subject_type="person", payload=payload
        )
    assert DomainEvent.objects.get(pk=event.pk).payload == payload


def test_production_does_not_check_payloads(ana, settings):
    """Off outside debug and tests: the check costs a JSON round trip per event."""
    settings.EVENTS_CHECK_PAYLOADS = False
    with transaction.atomic():
        event = events.emit("person.created", actor=ana.actor, payload={"name": 42})
        count = events.emit_many(
            "person.created", actor=ana.actor, subjects=[("person", 1, JsonText('{"a": 1}'))]
        )
    assert event.payload == {"name": 42} and count == 1


def test_an_event_type_is_declared_once():
    first = EventType("test.declared_once", gettext_noop("First."), NoPayload, example={})
    register_event_types(first)
    try:
        register_event_types(first)  # the same declaration again (a module imported twice)
        with pytest.raises(ValueError, match="declared twice"):
            register_event_types(
                EventType("test.declared_once", gettext_noop("Other."), NoPayload, example={})
            )
        assert EVENT_TYPES["test.declared_once"] is first
    finally:
        EVENT_TYPES.pop("test.declared_once")
