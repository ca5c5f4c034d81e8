"""One bad event never fails its batch (issue 15.5): a row that raises something unexpected in
a deeper layer is answered as an error with a reason, the others are stored."""

from __future__ import annotations

import pytest

from tests.api import send
from vinculo.contacts import services as contacts
from vinculo.events.models import TrackedEvent
from vinculo.events.services import ingest as ingest_module


@pytest.fixture
def exploding_write(monkeypatch):
    """A fault in the layer that writes events, whenever a row named "explode" is written."""
    real = ingest_module._write

    def write(actor, good, *args, **kwargs):
        if any(row.name == "explode" for row in good):
            raise RuntimeError("disk on fire")
        return real(actor, good, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "_write", write)


def test_an_unexpected_error_on_one_event_rejects_only_that_event(ana, exploding_write):
    maria = contacts.create_person(actor=ana.actor, data={"first_name": "Maria"})
    rows = [
        {"name": "page_viewed", "person": {"id": maria.pk}, "key": "a"},
        {"name": "explode", "person": {"id": maria.pk}, "key": "b"},
        {"name": "page_viewed", "person": {"id": maria.pk}, "key": "c"},
        {"name": "page_viewed", "person": {"id": maria.pk}, "key": "a"},
    ]
    response = send(ana.client("pt-br"), "post", "/api/v1/events", {"events": rows})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error", "created", "duplicate"]
    assert results[1]["errors"][0]["field"] == "events[1]"
    assert "erro inesperado" in results[1]["errors"][0]["message"]
    assert TrackedEvent.objects.filter(workspace=ana.workspace).count() == 2
