"""Logging notes, calls, meetings and emails: validation, links, timeline, last activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.activities.conftest import make_records
from tests.api import fields_of, problem, send
from vinculo.activities import services
from vinculo.activities.models import Activity, TimelineEntry
from vinculo.contacts.models import Company, Person
from vinculo.core.errors import ValidationFailed
from vinculo.core.models import AuditEntry, DomainEvent


def counts() -> tuple[int, int, int, int]:
    return (
        Activity.objects.count(),
        TimelineEntry.objects.count(),
        DomainEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def test_every_kind_is_logged_with_its_fields_a_timeline_entry_and_an_event(ana, a):
    client = ana.client()
    when = (timezone.now() - timedelta(hours=2)).isoformat()
    bodies = [
        {"kind": "note", "body": "Prefere pão integral.", "person_id": a.person.pk},
        {
            "kind": "call",
            "subject": "Retorno",
            "person_id": a.person.pk,
            "direction": "outbound",
            "call_outcome": "no_answer",
            "duration_seconds": 0,
            "occurred_at": when,
        },
        {
            "kind": "meeting",
            "subject": "Visita à loja",
            "company_id": a.company.pk,
            "occurred_at": when,
            "duration_seconds": 3600,
            "location": "Rua Augusta, 100",
        },
        {
            "kind": "email",
            "subject": "Orçamento",
            "person_id": a.person.pk,
            "direction": "inbound",
            "email_from": "Maria@Cliente.com.br",
            "email_to": "ana@aurora.com.br; vendas@aurora.com.br",
        },
    ]
    created = []
    for body in bodies:
        response = send(client, "post", "/api/v1/activities", body)
        assert response.status_code == 201, response.content
        created.append(response.json())
    note, call, meeting, email = created
    assert note["body"] == "Prefere pão integral." and note["kind"] == "note"
    assert (call["direction"], call["call_outcome"], call["duration_seconds"]) == (
        "outbound",
        "no_answer",
        0,
    )
    assert meeting["location"] == "Rua Augusta, 100" and meeting["duration_seconds"] == 3600
    assert email["email_from"] == "maria@cliente.com.br"
    assert email["email_to"] == "ana@aurora.com.br, vendas@aurora.com.br"
    assert all(x["created_by_id"] == ana.user.pk for x in created)

    for item in created:
        entry = TimelineEntry.objects.get(activity_id=item["id"])
        assert entry.kind == f"activity.{item['kind']}"
        assert entry.actor_id == ana.user.pk
        assert entry.occurred_at == Activity.objects.get(pk=item["id"]).occurred_at
    assert TimelineEntry.objects.get(activity_id=call["id"]).data["call_outcome"] == "no_answer"
    assert DomainEvent.objects.filter(name="activity.logged").count() == 4
    assert AuditEntry.objects.filter(action="activity.logged").count() == 4
    a.person.refresh_from_db()
    a.company.refresh_from_db()
    assert a.person.last_activity_at is not None
    assert a.company.last_activity_at is not None


BAD_INPUTS = [
    ({"kind": "call", "direction": "sideways"}, "direction"),
    ({"kind": "call", "call_outcome": "maybe"}, "call_outcome"),
    ({"kind": "call", "duration_seconds": -5}, "duration_seconds"),
    ({"kind": "meeting", "occurred_at": "2026-03-01T10:00:00", "duration_seconds": -1},
     "duration_seconds"),
    ({"kind": "meeting", "subject": "Sem data"}, "occurred_at"),
    ({"kind": "email", "email_from": "not-an-email"}, "email_from"),
    ({"kind": "email", "email_to": ["ok@exemplo.com.br", "nope@"]}, "email_to"),
    ({"kind": "note", "body": "   "}, "body"),
    ({"kind": "note"}, "body"),
    ({"kind": "call", "location": "Sala 2"}, "location"),
    ({"kind": "gossip", "body": "x"}, "kind"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "field"), BAD_INPUTS)
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(ana, a, body, field):
    before = counts()
    response = send(ana.client(), "post", "/api/v1/activities", {"person_id": a.person.pk, **body})
    assert field in fields_of(problem(response, 422))
    assert counts() == before


def test_every_bad_field_is_reported_at_once(ana, a):
    body = {
        "kind": "call",
        "person_id": a.person.pk,
        "direction": "sideways",
        "duration_seconds": -1,
        "call_outcome": "maybe",
    }
    response = send(ana.client(), "post", "/api/v1/activities", body)
    assert fields_of(problem(response, 422)) == {"direction", "duration_seconds", "call_outcome"}


def test_an_activity_must_be_linked_to_a_live_record_of_the_workspace(ana, a, c):
    client = ana.client()
    before = counts()
    body = problem(send(client, "post", "/api/v1/activities", {"kind": "note", "body": "x"}), 422)
    assert body["errors"][0]["field"] == "person_id"
    assert body["errors"][0]["code"] == "required"
    for field, pk in [
        ("person_id", c.person.pk),
        ("company_id", c.company.pk),
        ("deal_id", c.deal.pk),
        ("person_id", 999_999),
    ]:
        response = send(
            client, "post", "/api/v1/activities", {"kind": "note", "body": "x", field: pk}
        )
        assert fields_of(problem(response, 422)) == {field}, (field, pk)
    Person.objects.filter(pk=a.person.pk).update(deleted_at=timezone.now())
    response = send(
        client,
        "post",
        "/api/v1/activities",
        {"kind": "note", "body": "x", "person_id": a.person.pk},
    )
    assert fields_of(problem(response, 422)) == {"person_id"}
    assert counts() == before


def test_an_activity_on_a_deal_shows_on_its_customers_timelines(ana, a):
    activity = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Pediu desconto", "deal_id": a.deal.pk}
    )
    assert (activity.person_id, activity.company_id) == (a.person.pk, a.company.pk)
    entry = TimelineEntry.objects.get(activity=activity)
    assert (entry.person_id, entry.company_id, entry.deal_id) == (
        a.person.pk,
        a.company.pk,
        a.deal.pk,
    )
    # Given links win over the deal's.
    other = make_records(ana, "Pedro")
    mixed = services.log_activity(
        actor=ana.actor,
        data={"kind": "note", "body": "x", "deal_id": a.deal.pk, "person_id": other.person.pk},
    )
    assert (mixed.person_id, mixed.company_id) == (other.person.pk, a.company.pk)


def test_last_activity_moves_forward_only(ana, a):
    now = timezone.now()
    services.log_activity(
        actor=ana.actor,
        data={"kind": "call", "person_id": a.person.pk, "occurred_at": now - timedelta(hours=1)},
    )
    a.person.refresh_from_db()
    assert a.person.last_activity_at == now - timedelta(hours=1)
    services.log_activity(
        actor=ana.actor,
        data={"kind": "call", "person_id": a.person.pk, "occurred_at": now - timedelta(days=30)},
    )
    services.log_activity(  # a meeting next week has not happened yet
        actor=ana.actor,
        data={"kind": "meeting", "person_id": a.person.pk, "occurred_at": now + timedelta(days=7)},
    )
    a.person.refresh_from_db()
    assert a.person.last_activity_at == now - timedelta(hours=1)
    assert Company.objects.get(pk=a.company.pk).last_activity_at is None


def test_naive_times_are_read_in_the_workspace_time_zone(ana, a):
    ana.actor.workspace.timezone = "Asia/Tokyo"
    activity = services.log_activity(
        actor=ana.actor,
        data={"kind": "meeting", "person_id": a.person.pk, "occurred_at": "2026-03-01T09:00:00"},
    )
    assert activity.occurred_at == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)


def test_update_changes_the_activity_and_its_timeline_entry(ana, a):
    note = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Primeira versão", "person_id": a.person.pk}
    )
    earlier = timezone.now() - timedelta(days=2)
    response = send(
        ana.client(),
        "patch",
        f"/api/v1/activities/{note.pk}",
        {"subject": "Preferências", "occurred_at": earlier.isoformat(), "company_id": a.company.pk},
    )
    assert response.status_code == 200, response.content
    assert response.json()["subject"] == "Preferências"
    entry = TimelineEntry.objects.get(activity=note)
    assert entry.summary == "Preferências"
    assert entry.occurred_at == earlier
    assert entry.company_id == a.company.pk
    audit = AuditEntry.objects.get(action="activity.updated", object_id=str(note.pk))
    assert set(audit.changes) == {"subject", "occurred_at", "company_id"}
    assert DomainEvent.objects.filter(name="activity.updated").count() == 1


def test_bad_updates_are_refused_and_change_nothing(ana, a):
    call = services.log_activity(
        actor=ana.actor, data={"kind": "call", "person_id": a.person.pk, "subject": "Oi"}
    )
    client = ana.client()
    for data, field in [
        ({"kind": "note"}, "kind"),
        ({"direction": "up"}, "direction"),
        ({"person_id": None}, "person_id"),
        ({"occurred_at": None}, "occurred_at"),
        ({"location": "Sala"}, "location"),
    ]:
        response = send(client, "patch", f"/api/v1/activities/{call.pk}", data)
        assert field in fields_of(problem(response, 422)), data
    call.refresh_from_db()
    assert (call.subject, call.direction, call.person_id) == ("Oi", "", a.person.pk)
    assert not AuditEntry.objects.filter(action="activity.updated").exists()


def test_services_refuse_unknown_fields(ana, a):
    with pytest.raises(ValidationFailed) as exc:
        services.log_activity(
            actor=ana.actor, data={"kind": "note", "body": "x", "person_id": a.person.pk, "mood": 1}
        )
    assert [e.field for e in exc.value.errors] == ["mood"]
