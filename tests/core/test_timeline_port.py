"""The timeline port: core declares it, the activities app installs the store behind it."""

from __future__ import annotations

import pytest

from vinculo.activities import timeline as activities_timeline
from vinculo.core import timeline


def test_the_activities_app_installs_its_store_and_kinds():
    assert timeline.installed() is activities_timeline
    assert timeline.KINDS[0][0] == "activity.*"
    assert [kind for kind, _label in timeline.KINDS] == [k for k, _ in activities_timeline.KINDS]


@pytest.mark.parametrize(
    "call",
    [
        lambda: timeline.record(None, "person.created", "Created"),
        lambda: timeline.record_many(None, [timeline.PendingEntry("person.created", "Created")]),
        lambda: timeline.record_for_people(None, []),
        lambda: timeline.reassign_entries(actor=None, kind="person", from_id=1, to_id=2),
        lambda: timeline.page(None, person_id=1),
    ],
)
def test_without_a_store_the_port_refuses_instead_of_dropping_entries(monkeypatch, call):
    monkeypatch.setattr(timeline, "_store", None)
    with pytest.raises(RuntimeError, match=r"vinculo\.activities"):
        call()


def test_kinds_are_offered_once_in_the_order_registered(monkeypatch):
    monkeypatch.setattr(timeline, "KINDS", [("activity.*", "Activities")])
    timeline.register_kinds(("ticket.opened", "Tickets opened"), ("activity.*", "Other label"))
    timeline.register_kinds(("ticket.opened", "Again"), ("email.sent", "Emails sent"))
    assert timeline.KINDS == [
        ("activity.*", "Activities"),
        ("ticket.opened", "Tickets opened"),
        ("email.sent", "Emails sent"),
    ]


def test_a_pending_entry_with_params_keeps_the_message_and_words_it():
    entry = timeline.PendingEntry("deal.won", "Won %(deal)s", params={"deal": "Padaria"})
    assert entry.stored() == {
        "summary": "Won Padaria",
        "data": {"text": {"message": "Won %(deal)s", "params": {"deal": "Padaria"}}},
    }
