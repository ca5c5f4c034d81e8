"""Calls and meetings per agent against a hand-computed fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
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


def test_lead_response_time_and_shares(ana):
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    a = ana.actor
    # Added on 2 June at 10:00; first touched 3 min, 40 min, 5 h later; one never; one touched
    # only by a note (not a touch); one with an old imported call before it was added.
    minutes = {"Rápido": 3, "Médio": 40, "Lento": 300, "Nunca": None, "Nota": None, "Antigo": None}
    for name, after in minutes.items():
        person = contacts.create_person(actor=a, data={"first_name": name})
        Person.objects.filter(pk=person.pk).update(created_at=datetime(2026, 6, 2, 10, tzinfo=UTC))
        if after is not None:
            when = datetime(2026, 6, 2, 10, tzinfo=UTC) + timedelta(minutes=after)
            activities.log_activity(
                actor=a,
                data={"kind": "call", "person_id": person.pk, "occurred_at": when.isoformat()},
            )
        if name == "Nota":
            activities.log_activity(
                actor=a, data={"kind": "note", "body": "oi", "person_id": person.pk}
            )
        if name == "Antigo":
            activities.log_activity(
                actor=a,
                data={
                    "kind": "call",
                    "person_id": person.pk,
                    "occurred_at": "2026-01-01T10:00:00+00:00",
                },
            )
    june = {"start": date(2026, 6, 1), "end": date(2026, 6, 30), "grain": Grain.MONTH}
    scope = Scope(actor=a)
    # Touched: 3, 40, 300 minutes: median 40 minutes.
    assert measure("lead_response_time", scope, **june).value == 40 * 60
    # Of six people: within 5 min 1 (1/6), within 1 h 2 (2/6), within a day 3 (3/6).
    assert measure("lead_response_5m", scope, **june).value == pytest.approx(1 / 6)
    assert measure("lead_response_1h", scope, **june).value == pytest.approx(2 / 6)
    assert measure("lead_response_1d", scope, **june).value == pytest.approx(3 / 6)
