"""A person's first touch (``first_touched_at``, what the lead response KPIs read) follows every
write on their activities: logging one or many (the API), changing a time or a person, the bin,
a merge and its undo; and the migration fills it in for the people made before."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.api import send
from tests.conftest import make_workspace_a
from tests.migrating import migrate_to
from vinculo.activities import services
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.quality.services import merge

ADDED = datetime(2026, 6, 2, 10, tzinfo=UTC)


def _person(actor, name: str, **more) -> Person:
    person = contacts.create_person(actor=actor, data={"first_name": name, **more})
    Person.objects.filter(pk=person.pk).update(created_at=ADDED)  # added on 2 June at 10:00
    return person


def _first(person: Person) -> datetime | None:
    return Person.objects.get(pk=person.pk).first_touched_at


def _log(actor, person: Person, kind: str, when: str, **more):
    data = {"kind": kind, "person_id": person.pk, "occurred_at": when, **more}
    if kind == "note":
        data["body"] = "anotação"
    return services.log_activity(actor=actor, data=data)


def test_logging_changing_and_binning_touches(ana):
    a = ana.actor
    maria = _person(a, "Maria")
    assert _first(maria) is None
    # A note is not a touch; a call before she was added (history) is not a response.
    _log(a, maria, "note", "2026-06-02T10:05:00+00:00")
    _log(a, maria, "call", "2026-01-01T09:00:00+00:00")
    assert _first(maria) is None
    late = _log(a, maria, "meeting", "2026-06-05T15:00:00+00:00")
    assert _first(maria) == datetime(2026, 6, 5, 15, tzinfo=UTC)
    email = _log(a, maria, "email", "2026-06-03T08:00:00+00:00")
    assert _first(maria) == datetime(2026, 6, 3, 8, tzinfo=UTC)  # earlier: the new first
    # The email's time moved after the meeting: the meeting is first again.
    services.update_activity(
        actor=a, activity_id=email.pk, data={"occurred_at": "2026-06-09T08:00:00+00:00"}
    )
    assert _first(maria) == datetime(2026, 6, 5, 15, tzinfo=UTC)
    # The meeting binned: the email (9 June) is left; restored: 5 June again.
    services.delete_activity(actor=a, activity_id=late.pk)
    assert _first(maria) == datetime(2026, 6, 9, 8, tzinfo=UTC)
    services.restore_activity(actor=a, activity_id=late.pk)
    assert _first(maria) == datetime(2026, 6, 5, 15, tzinfo=UTC)
    # The meeting moved to João: each keeps what is theirs.
    joao = _person(a, "João")
    services.update_activity(actor=a, activity_id=late.pk, data={"person_id": joao.pk})
    assert _first(maria) == datetime(2026, 6, 9, 8, tzinfo=UTC)
    assert _first(joao) == datetime(2026, 6, 5, 15, tzinfo=UTC)
    # Both touches binned: never touched (the old call stays history).
    services.delete_activity(actor=a, activity_id=email.pk)
    assert _first(maria) is None


def test_the_api_and_bulk_logging_keep_it(ana):
    a = ana.actor
    maria, joao, ines = _person(a, "Maria"), _person(a, "João"), _person(a, "Inês")
    client = ana.client()
    rows = [
        {"kind": "call", "person_id": maria.pk, "occurred_at": "2026-06-04T10:00:00+00:00"},
        {"kind": "call", "person_id": maria.pk, "occurred_at": "2026-06-02T10:30:00+00:00"},
        {"kind": "email", "person_id": joao.pk, "occurred_at": "2026-06-02T11:00:00+00:00"},
        {"kind": "note", "person_id": ines.pk, "body": "só uma nota"},
        {"kind": "call", "person_id": ines.pk},  # no time: now
        {"kind": "meeting", "person_id": joao.pk},  # refused: a meeting needs its time
    ]
    response = send(client, "post", "/api/v1/activities/bulk", {"rows": rows})
    assert response.status_code in (200, 201), response.content
    assert _first(maria) == datetime(2026, 6, 2, 10, 30, tzinfo=UTC)  # the earlier of two
    assert _first(joao) == datetime(2026, 6, 2, 11, tzinfo=UTC)
    ines.refresh_from_db()
    call = ines.activities.get(kind="call")
    assert ines.first_touched_at == call.occurred_at  # logged now, without a time
    # One more through the API, earlier than João's email: his first touch now.
    response = send(
        client,
        "post",
        "/api/v1/activities",
        {"kind": "call", "person_id": joao.pk, "occurred_at": "2026-06-02T10:10:00+00:00"},
    )
    assert response.status_code == 201, response.content
    assert _first(joao) == datetime(2026, 6, 2, 10, 10, tzinfo=UTC)
    # Binned through the API: the email again.
    assert send(client, "delete", f"/api/v1/activities/{response.json()['id']}").status_code in (
        200,
        204,
    )
    assert _first(joao) == datetime(2026, 6, 2, 11, tzinfo=UTC)


def test_a_merge_keeps_the_earliest_and_its_undo_puts_both_back(ana):
    a = ana.actor
    maria, dup = _person(a, "Maria"), _person(a, "Maria Aparecida")
    _log(a, maria, "call", "2026-06-06T10:00:00+00:00")
    _log(a, dup, "meeting", "2026-06-03T10:00:00+00:00")
    record = merge.merge_people(actor=a, survivor_id=maria.pk, loser_id=dup.pk)
    assert _first(maria) == datetime(2026, 6, 3, 10, tzinfo=UTC)  # the duplicate's, earlier
    assert _first(dup) is None  # nothing left on the binned duplicate
    merge.undo_merge(actor=a, merge_id=record.pk)
    assert _first(maria) == datetime(2026, 6, 6, 10, tzinfo=UTC)
    assert _first(dup) == datetime(2026, 6, 3, 10, tzinfo=UTC)


def test_the_kpis_read_it(ana, bruno):
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    a = ana.actor
    _log(a, _person(a, "Rápido"), "call", "2026-06-02T10:03:00.250000+00:00")
    _log(a, _person(a, "Lento"), "call", "2026-06-03T08:00:00+00:00")
    undone = _person(a, "Desfeito", owner_id=bruno.user.pk)
    binned = _log(a, undone, "call", "2026-06-02T10:20:00+00:00")
    services.delete_activity(actor=a, activity_id=binned.pk)
    june = {"start": date(2026, 6, 1), "end": date(2026, 6, 30), "grain": Grain.MONTH}
    scope = Scope(actor=a)
    # Touched after 180.25 s and after 22 hours (79,200 s); the binned call does not count:
    # median (180.25 + 79,200) / 2 = 39,690.125 s. Of three people, one within 5 minutes, two
    # within a day.
    assert measure("lead_response_time", scope, **june).value == 39_690.125
    assert measure("lead_response_5m", scope, **june).value == pytest.approx(1 / 3)
    assert measure("lead_response_1d", scope, **june).value == pytest.approx(2 / 3)
    # By owner: Ana's two touched (the same median); Bruno's one never touched (no median).
    groups = measure("lead_response_time", scope, **june, group_by="owner").groups
    assert [(key, value) for key, _label, value in groups] == [
        (ana.user.pk, 39_690.125),
        (bruno.user.pk, None),
    ]


# --- the migration ----------------------------------------------------------------------------

BEFORE = [("activities", "0007_kpi_indexes")]
AFTER = [("activities", "0008_first_touches")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_afterwards")
def test_the_migration_fills_it_in_for_the_people_made_before():
    a = make_workspace_a()["ana"].actor
    maria, joao, ines = _person(a, "Maria"), _person(a, "João"), _person(a, "Inês")
    _log(a, maria, "call", "2026-06-04T10:00:00+00:00")
    _log(a, maria, "email", "2026-06-02T10:30:00+00:00")
    _log(a, maria, "call", "2026-05-01T10:00:00+00:00")  # before she was added: history
    binned = _log(a, joao, "meeting", "2026-06-02T12:00:00+00:00")
    services.delete_activity(actor=a, activity_id=binned.pk)
    _log(a, joao, "note", "2026-06-02T13:00:00+00:00")
    _log(a, ines, "meeting", "2026-06-07T09:00:00+00:00")
    Person.objects.update(first_touched_at=None)  # as the people made before the column
    migrate_to(BEFORE)
    migrate_to(AFTER)
    # Maria: the email of 2 June 10:30; João: only a binned meeting and a note; Inês: 7 June.
    assert _first(maria) == datetime(2026, 6, 2, 10, 30, tzinfo=UTC)
    assert _first(joao) is None
    assert _first(ines) == datetime(2026, 6, 7, 9, tzinfo=UTC)
