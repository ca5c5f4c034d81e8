"""New people, leads and customers against a hand-computed fixture: a person who enters "lead"
twice in the period counts once, a binned person not at all, a second workspace never."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from vinculo.contacts import services as contacts
from vinculo.contacts.models import LifecycleChange, Person
from vinculo.core.kpis import Grain, Scope, measure

UTC = ZoneInfo("UTC")
MAY = {"start": date(2026, 5, 1), "end": date(2026, 5, 31), "grain": Grain.MONTH}


def _person(actor, name, stage, *, moved, created="2026-05-02T12:00", **data):
    person = contacts.create_person(actor=actor, data={"first_name": name, **data})
    Person.objects.filter(pk=person.pk).update(
        created_at=datetime.fromisoformat(created + "+00:00")
    )
    if stage:
        contacts.update_person(actor=actor, person_id=person.pk, data={"lifecycle_stage": stage})
        LifecycleChange.objects.filter(person=person).update(
            changed_at=datetime.fromisoformat(moved + "+00:00")
        )
    return person


def test_new_people_leads_and_customers(ana, carla):
    ana.actor.workspace.timezone = "UTC"  # the workspace the measuring actor carries
    ana.actor.workspace.save(update_fields=["timezone"])
    a = ana.actor
    _person(a, "Lia", "lead", moved="2026-05-03T10:00", source="feira")
    twice = _person(a, "Rui", "lead", moved="2026-05-04T10:00")
    contacts.update_person(actor=a, person_id=twice.pk, data={"lifecycle_stage": "mql"})
    contacts.update_person(actor=a, person_id=twice.pk, data={"lifecycle_stage": "lead"})
    LifecycleChange.objects.filter(person=twice).update(
        changed_at=datetime(2026, 5, 20, tzinfo=UTC)
    )
    _person(a, "Ana", "customer", moved="2026-05-10T10:00")
    _person(a, "Abril", "lead", moved="2026-04-20T10:00", created="2026-04-20T10:00")
    binned = _person(a, "Bin", "lead", moved="2026-05-05T10:00")
    contacts.delete_person(actor=a, person_id=binned.pk)
    _person(carla.actor, "Outra", "lead", moved="2026-05-05T10:00")

    scope = Scope(actor=a)
    # Lia and Rui (twice, counted once); not Abril (April), Bin (binned), Carla's.
    leads = measure("new_leads", scope, **MAY)
    assert (leads.value, leads.previous) == (2, 1)  # previous: 1-30 April, Abril
    assert measure("new_customers", scope, **MAY).value == 1
    # Created in May and not binned: Lia, Rui, Ana.
    assert measure("new_people", scope, **MAY).value == 3
    by_source = measure("new_leads", scope, **MAY, group_by="source").groups
    assert {key: value for key, _label, value in by_source} == {"feira": 1, "": 1}
    # Of May's leads Lia and Rui (Rui entered twice: two entries), none became a customer yet.
    assert measure("lead_to_customer", scope, **MAY).value == 0
    contacts.update_person(actor=a, person_id=twice.pk, data={"lifecycle_stage": "customer"})
    # Rui's two lead entries are followed by a customer entry now: 2 of 3 entries.
    assert measure("lead_to_customer", scope, **MAY).value == pytest.approx(2 / 3)
