"""Event types and consumers used by the outbox tests (also loaded by worker subprocesses
through ``VINCULO_EVENT_CONSUMER_MODULES``)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ConfigDict

from vinculo.core.event_types import EventType, Payload, register_event_types
from vinculo.core.events import consumer
from vinculo.core.models import AuditEntry, DomainEvent


class AnyPayload(Payload):
    """The outbox tests' events carry whatever a test puts in them."""

    model_config = ConfigDict(extra="allow")


def _test_type(name: str, description: str) -> EventType:
    return EventType(name, description, AnyPayload, example={})


register_event_types(
    _test_type("test.ping", "A test event with a well-behaved consumer."),
    _test_type("test.fail", "A test event whose consumer always raises."),
    _test_type("test.crash", "A test event whose consumer kills its worker once."),
)


def _record(event: DomainEvent, action: str) -> None:
    AuditEntry.objects.create(
        workspace_id=event.workspace_id,
        action=action,
        object_type="event",
        object_id=str(event.pk),
    )


@consumer("test.recorder", events=["test.ping"])
def recorder(event: DomainEvent) -> None:
    _record(event, "test.consumed")


@consumer("test.failing", events=["test.fail"])
def failing(event: DomainEvent) -> None:
    raise RuntimeError("the mail server said no")


@consumer("test.crashing", events=["test.crash"])
def crashing(event: DomainEvent) -> None:
    """Writes its effect, then the first time kills the process before the transaction ends."""
    _record(event, "test.consumed")
    marker = Path(os.environ.get("VINCULO_TEST_CRASH_MARKER", "/nonexistent/marker"))
    if marker.parent.is_dir() and not marker.exists():
        marker.write_text("crashed once")
        os._exit(1)


register_event_types(_test_type("test.batch", "A test event for a batch consumer."))

# Event ids of every call of the batch consumer, in this process (the tests read it).
BATCH_CALLS: list[list[int]] = []
# Callables run at the start of the next batch call (then forgotten): a test's way in.
BEFORE_NEXT_BATCH: list = []


@consumer("test.batcher", events=["test.batch"], batch=True)
def batcher(events: list[DomainEvent]) -> None:
    """Records each event; a batch holding an event with ``{"poison": true}`` raises."""
    BATCH_CALLS.append([e.pk for e in events])
    while BEFORE_NEXT_BATCH:
        BEFORE_NEXT_BATCH.pop(0)(events)
    for event in events:
        _record(event, "test.batched")
    if any(e.payload.get("poison") for e in events):
        raise RuntimeError("poisoned event")
