"""Calls and meetings per agent against a hand-computed fixture."""

from __future__ import annotations

from datetime import date

from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.core.kpis import Grain, Scope, measure


def test_calls_and_meetings_per_agent(ana, bruno):
    ana.actor.workspace.timezone = "UTC"  # the workspace the measuring actor carries
    ana.actor.workspace.save(update_fields=["timezone"])
    who = contacts.create_person(actor=ana.actor, data={"first_name": "Cliente"})
    for actor, kind, when in [
        (ana.actor, "call", "2026-06-02T10:00:00+00:00"),
        (ana.actor, "call", "2026-06-30T23:59:00+00:00"),
        (bruno.actor, "call", "2026-06-03T10:00:00+00:00"),
        (bruno.actor, "meeting", "2026-06-04T10:00:00+00:00"),
        (ana.actor, "call", "2026-07-01T00:00:00+00:00"),
    ]:
        activities.log_activity(
            actor=actor,
            data={"kind": kind, "subject": "x", "person_id": who.pk, "occurred_at": when},
        )
    june = {"start": date(2026, 6, 1), "end": date(2026, 6, 30), "grain": Grain.MONTH}
    calls = measure("calls", Scope(actor=ana.actor), **june, group_by="owner")
    # Ana's two calls in June (the last at 23:59 on the 30th) and Bruno's one; not 1 July 00:00.
    assert calls.value == 3
    assert sorted(v for _k, _l, v in calls.groups) == [1, 2]
    assert measure("meetings", Scope(actor=ana.actor, owner_id=bruno.user.pk), **june).value == 1
