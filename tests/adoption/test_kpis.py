"""The adoption KPIs (activities logged, records created and updated, tasks done on time, record
completeness) against hand-computed fixtures: June 2026 in a UTC workspace, Ana and Bruno in
workspace A, Carla in workspace B doing the same things (never counted in A)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from vinculo.activities import services as activities
from vinculo.activities.models import Activity
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.core.models import AuditEntry
from vinculo.core.tenancy import Team, TeamMember
from vinculo.sales import services as sales
from vinculo.sales.models import Deal

JUNE = {"start": date(2026, 6, 1), "end": date(2026, 6, 30), "grain": Grain.MONTH}
EMPTY = {"start": date(2025, 1, 1), "end": date(2025, 1, 31), "grain": Grain.MONTH}


def at(day: int, hour: int = 10, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def utc(ana, carla):
    for persona in (ana, carla):
        persona.actor.workspace.timezone = "UTC"
        persona.actor.workspace.save(update_fields=["timezone"])


def by_owner(m) -> dict:
    return {key: value for key, _label, value in m.groups}


def _someone(persona) -> Person:
    found = Person.objects.for_workspace(persona.workspace).filter(first_name="Cliente").first()
    return found or contacts.create_person(actor=persona.actor, data={"first_name": "Cliente"})


def _log(persona, kind: str, when: datetime, **more) -> Activity:
    content = {"body": "b"} if kind == "note" else {"subject": "x"}
    data = {"kind": kind, "person_id": _someone(persona).pk, **content, **more}
    activity = activities.log_activity(actor=persona.actor, data=data)
    Activity.objects.filter(pk=activity.pk).update(created_at=when)
    return activity


def test_activities_logged_per_user_and_team(utc, ana, bruno, carla):
    # Ana logs a call and a note in June, a meeting on 1 July 00:00 (July's); a task is not an
    # activity logged; one call of hers is binned. Bruno logs an email on 30 June 23:59 and a
    # call in May (the previous period: 1-31 May). Carla logs 2 calls in workspace B.
    _log(ana, "call", at(2))
    _log(ana, "note", at(15))
    _log(ana, "meeting", datetime(2026, 7, 1, tzinfo=UTC), occurred_at="2026-07-01T00:00:00Z")
    binned = _log(ana, "call", at(3))
    activities.delete_activity(actor=ana.actor, activity_id=binned.pk)
    task = activities.create_task(
        actor=ana.actor, data={"subject": "Ligar", "person_id": _someone(ana).pk}
    )
    Activity.objects.filter(pk=task.pk).update(created_at=at(4))
    _log(bruno, "email", datetime(2026, 6, 30, 23, 59, tzinfo=UTC), email_to="a@aurora.com.br")
    _log(bruno, "call", at(20, month=5))
    for _ in range(2):
        _log(carla, "call", at(5))
    june = measure("activities_logged", Scope(actor=ana.actor), **JUNE, group_by="owner")
    # Ana 2 (call, note) + Bruno 1 (email) = 3; May: Bruno's call = 1.
    assert june.value == 3
    assert june.previous == 1
    assert by_owner(june) == {ana.user.pk: 2, bruno.user.pk: 1}
    # A team of Bruno only: his email.
    team = Team.objects.create(workspace=ana.workspace, name="Campo")
    TeamMember.objects.create(workspace=ana.workspace, team=team, user=bruno.user)
    assert measure("activities_logged", Scope(actor=ana.actor, team_id=team.pk), **JUNE).value == 1
    # Workspace B sees its own two calls only; an empty period counts 0.
    assert measure("activities_logged", Scope(actor=carla.actor), **JUNE).value == 2
    assert measure("activities_logged", Scope(actor=ana.actor), **EMPTY).value == 0


def _task(persona, assignee, due: datetime, done: datetime | None) -> Activity:
    task = activities.create_task(
        actor=persona.actor,
        data={
            "subject": "t",
            "assignee_id": assignee.user.pk,
            "due_at": due.isoformat(),
            "person_id": _someone(persona).pk,
        },
    )
    Activity.objects.filter(pk=task.pk).update(completed_at=done)
    return task


def test_tasks_on_time_per_assignee(utc, ana, bruno, carla):
    # Ana's tasks due in June: done early (on time), done exactly at the due moment (on time),
    # done a day late, never done (late): 2 of 4 = 50 %. Bruno's: one done on time, one binned
    # (left out): 1 of 1. A task due in July and one with no due date are not in June.
    _task(ana, ana, at(5), at(4))
    _task(ana, ana, at(6), at(6))
    _task(ana, ana, at(7), at(8))
    _task(ana, ana, at(8), None)
    _task(ana, bruno, at(9), at(9, 9))
    binned = _task(ana, bruno, at(10), None)
    activities.delete_activity(actor=ana.actor, activity_id=binned.pk)
    _task(ana, ana, at(2, month=7), None)
    activities.create_task(
        actor=ana.actor, data={"subject": "sem prazo", "person_id": _someone(ana).pk}
    )
    # May: one of Bruno's, late: 0 of 1.
    _task(ana, bruno, at(20, month=5), None)
    # Workspace B: one on time.
    _task(carla, carla, at(5), at(5, 9))
    june = measure("tasks_on_time", Scope(actor=ana.actor), **JUNE, group_by="owner")
    # 3 on time (Ana 2, Bruno 1) of 5 due = 0.6.
    assert june.value == pytest.approx(3 / 5)
    assert june.previous == 0
    assert by_owner(june) == {ana.user.pk: pytest.approx(0.5), bruno.user.pk: 1}
    assert measure("tasks_on_time", Scope(actor=carla.actor), **JUNE).value == 1
    # Nothing due: no rate (null), not 0 %.
    assert measure("tasks_on_time", Scope(actor=ana.actor), **EMPTY).value is None


def test_records_created_per_user(utc, ana, bruno, carla):
    # Ana creates 2 people, a company and a deal in June; Bruno a person in June and one in
    # May; one of Ana's people is binned (left out). Carla creates a person in B.
    def person(persona, when: datetime) -> Person:
        p = contacts.create_person(actor=persona.actor, data={"first_name": "P"})
        Person.objects.filter(pk=p.pk).update(created_at=when)
        return p

    person(ana, at(2))
    person(ana, at(3))
    binned = person(ana, at(4))
    contacts.delete_person(actor=ana.actor, person_id=binned.pk)
    company = contacts.create_company(actor=ana.actor, data={"name": "Aurora"})
    Company.objects.filter(pk=company.pk).update(created_at=at(5))
    deal = sales.create_deal(actor=ana.actor, data={"title": "Pedido"})
    Deal.objects.filter(pk=deal.pk).update(created_at=at(6))
    person(bruno, at(7))
    person(bruno, at(20, month=5))
    person(carla, at(2))
    june = measure("records_created", Scope(actor=ana.actor), **JUNE, group_by="owner")
    # Ana 2 people + 1 company + 1 deal = 4; Bruno 1: 5. May: Bruno's 1.
    assert june.value == 5
    assert june.previous == 1
    assert [p.value for p in june.series] == [5]
    assert by_owner(june) == {ana.user.pk: 4, bruno.user.pk: 1}
    owner = Scope(actor=ana.actor, owner_id=bruno.user.pk)
    assert measure("records_created", owner, **JUNE).value == 1
    assert measure("records_created", Scope(actor=carla.actor), **JUNE).value == 1
    assert measure("records_created", Scope(actor=ana.actor), **EMPTY).value == 0


def test_records_updated_counts_each_record_once(utc, ana, bruno, carla):
    # Ana edits person P twice and a deal once; Bruno edits P once and person Q, which is then
    # binned (left out). Carla edits her own person in B.
    p = contacts.create_person(actor=ana.actor, data={"first_name": "P"})
    q = contacts.create_person(actor=ana.actor, data={"first_name": "Q"})
    deal = sales.create_deal(actor=ana.actor, data={"title": "Pedido"})
    contacts.update_person(actor=ana.actor, person_id=p.pk, data={"last_name": "Um"})
    contacts.update_person(actor=ana.actor, person_id=p.pk, data={"last_name": "Dois"})
    sales.update_deal(actor=ana.actor, deal_id=deal.pk, data={"title": "Pedido grande"})
    contacts.update_person(actor=bruno.actor, person_id=p.pk, data={"job_title": "Chef"})
    contacts.update_person(actor=bruno.actor, person_id=q.pk, data={"job_title": "Chef"})
    contacts.delete_person(actor=ana.actor, person_id=q.pk)
    c = contacts.create_person(actor=carla.actor, data={"first_name": "C"})
    contacts.update_person(actor=carla.actor, person_id=c.pk, data={"last_name": "B"})
    AuditEntry.objects.filter(action__endswith=".updated").update(created_at=at(10))
    june = measure("records_updated", Scope(actor=ana.actor), **JUNE, group_by="owner")
    # Distinct records: P and the deal (Q binned) = 2; Ana: P, deal = 2; Bruno: P = 1.
    assert june.value == 2
    assert by_owner(june) == {ana.user.pk: 2, bruno.user.pk: 1}
    assert june.previous == 0
    assert measure("records_updated", Scope(actor=carla.actor), **JUNE).value == 1


def test_record_completeness_of_owned_records(utc, ana, bruno, carla):
    # People are measured on 15 fields (docs/audit.md). Ana owns P1 with first name, email and
    # owner (3 of 15 = 0.2) and P2 with first name and owner (2/15). Bruno owns P3 with first
    # name, last name, phone and owner (4/15), created in July (after June). Carla's person in
    # B never counts in A.
    def person(persona, owner, when: datetime, **fields) -> Person:
        data = {"first_name": "P", "owner_id": owner.user.pk, **fields}
        p = contacts.create_person(actor=persona.actor, data=data)
        Person.objects.filter(pk=p.pk).update(created_at=when)
        return p

    person(ana, ana, at(2), email="p1@aurora.com.br")
    person(ana, ana, at(3, month=5))
    person(ana, bruno, at(2, month=7), last_name="S", phone="+5511999990000")
    person(carla, carla, at(2))
    # A person of Ana's in the bin, however complete, is left out.
    binned = person(ana, ana, at(5), last_name="Lixo", job_title="Chef", city="Recife")
    contacts.delete_person(actor=ana.actor, person_id=binned.pk)
    june = measure("record_completeness", Scope(actor=ana.actor), **JUNE, group_by="owner")
    # End of June: P1 and P2: (3/15 + 2/15) / 2 = 1/6. End of May: P2 alone: 2/15.
    assert june.value == pytest.approx(1 / 6)
    assert june.previous == pytest.approx(2 / 15)
    assert by_owner(june) == {ana.user.pk: pytest.approx(1 / 6)}
    bruno_scope = Scope(actor=ana.actor, owner_id=bruno.user.pk)
    july = {"start": date(2026, 7, 1), "end": date(2026, 7, 31), "grain": Grain.MONTH}
    assert measure("record_completeness", bruno_scope, **july).value == pytest.approx(4 / 15)
    # Nothing owned before 2025: no value.
    assert measure("record_completeness", Scope(actor=ana.actor), **EMPTY).value is None
    assert measure("record_completeness", Scope(actor=carla.actor), **JUNE).value == pytest.approx(
        2 / 15
    )
