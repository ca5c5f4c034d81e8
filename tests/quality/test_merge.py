"""Merging people and companies loses nothing and can be undone exactly."""

from __future__ import annotations

import pytest
from validate_docbr import CPF

from vinculo.activities import services as activity_services
from vinculo.activities.models import TimelineEntry
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Affiliation, Consent, ConsentChange, LifecycleChange, Person
from vinculo.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vinculo.core.models import AuditEntry, DomainEvent
from vinculo.quality.models import CandidateStatus, DuplicateCandidate
from vinculo.quality.services import merge
from vinculo.sales import services as deal_services
from vinculo.sales.models import Deal

MERGE_KINDS = ("person.merged", "person.merge_undone")


def snapshot(person_id: int) -> dict:
    """Everything that belongs to a person, to compare before a merge and after its undo."""
    person = Person.objects.get(pk=person_id)
    fields = {n: getattr(person, n) for n in contacts.PERSON_MERGE_FIELDS}
    return {
        "fields": fields,
        "custom": person.custom_fields,
        "deleted": person.deleted_at,
        "tags": sorted(person.tags.values_list("pk", flat=True)),
        "deals": sorted(Deal.objects.filter(person_id=person_id).values_list("pk", flat=True)),
        "activities": sorted(person.activities.values_list("pk", flat=True)),
        "timeline": sorted(
            TimelineEntry.objects.filter(person_id=person_id)
            .exclude(kind__in=MERGE_KINDS)
            .values_list("pk", flat=True)
        ),
        "consents": sorted(
            Consent.objects.filter(person_id=person_id).values_list(
                "pk", "channel", "status", "changed_at"
            )
        ),
        "consent_changes": sorted(
            ConsentChange.objects.filter(person_id=person_id).values_list("pk", flat=True)
        ),
        "affiliations": sorted(
            Affiliation.objects.filter(person_id=person_id).values_list("pk", flat=True)
        ),
        "lifecycle": sorted(
            LifecycleChange.objects.filter(person_id=person_id).values_list("pk", flat=True)
        ),
    }


def _consent(channel: str, status: str, when: str) -> dict:
    return {
        "channel": channel,
        "status": status,
        "legal_basis": "consent",
        "method": "web_form",
        "changed_at": when,
    }


@pytest.fixture
def pair(ana):
    """Maria (older, sparse) and her duplicate "Maria Aparecida" (newer, with a life of her own)."""
    actor = ana.actor
    company = contacts.create_company(actor=actor, data={"name": "Padaria Sol"})
    survivor = contacts.create_person(
        actor=actor,
        data={
            "first_name": "Maria",
            "last_name": "Silva",
            "email": "maria@example.com",
            "tags": ["vip"],
            "custom_fields": {},
            "consents": [_consent("email", "opted_out", "2024-01-01T10:00:00Z")],
        },
    )
    loser = contacts.create_person(
        actor=actor,
        data={
            "first_name": "Maria Aparecida",
            "last_name": "Silva",
            "email": "maria.silva@example.com",
            "phone": "+5511987654321",
            "cpf": CPF().generate(),
            "city": "São Paulo",
            "tags": ["vip", "padaria"],
            "lifecycle_stage": "lead",
            "companies": [{"company_id": company.pk, "role": "Dona"}],
            "consents": [
                _consent("email", "opted_in", "2025-03-01T10:00:00Z"),
                _consent("whatsapp", "opted_in", "2025-02-01T10:00:00Z"),
            ],
        },
    )
    for title in ("Pães 1", "Pães 2"):
        deal_services.create_deal(actor=actor, data={"title": title, "person_id": loser.pk})
    deal_services.create_deal(actor=actor, data={"title": "Bolo", "person_id": survivor.pk})
    activity_services.log_activity(
        actor=actor, data={"kind": "note", "body": "Ligou", "person_id": loser.pk}
    )
    activity_services.create_task(actor=actor, data={"subject": "Retornar", "person_id": loser.pk})
    return survivor, loser


def test_merge_moves_everything_and_undo_restores_the_exact_prior_state(ana, pair):
    survivor, loser = pair
    before = {survivor.pk: snapshot(survivor.pk), loser.pk: snapshot(loser.pk)}
    loser_deals = len(before[loser.pk]["deals"])
    loser_timeline = len(before[loser.pk]["timeline"])

    record = merge.merge_people(actor=ana.actor, survivor_id=survivor.pk, loser_id=loser.pk)

    after = snapshot(survivor.pk)
    gone = snapshot(loser.pk)
    assert gone["deleted"] is not None
    assert after["deals"] == sorted(before[survivor.pk]["deals"] + before[loser.pk]["deals"])
    assert len(after["deals"]) == 1 + loser_deals
    assert after["activities"] == sorted(
        before[survivor.pk]["activities"] + before[loser.pk]["activities"]
    )
    assert len(after["timeline"]) == len(before[survivor.pk]["timeline"]) + loser_timeline
    assert gone["deals"] == gone["activities"] == gone["timeline"] == []
    assert sorted(Person.objects.get(pk=survivor.pk).tags.values_list("name", flat=True)) == [
        "padaria",
        "vip",
    ]
    consents = {c[1]: c[2] for c in after["consents"]}
    assert consents == {"email": "opted_in", "whatsapp": "opted_in"}  # most recent per channel
    assert after["consent_changes"] == sorted(
        before[survivor.pk]["consent_changes"] + before[loser.pk]["consent_changes"]
    )
    assert after["affiliations"] == before[loser.pk]["affiliations"]
    assert after["lifecycle"] == before[loser.pk]["lifecycle"]
    merged = Person.objects.get(pk=survivor.pk)
    assert merged.first_name == "Maria Aparecida"  # longer, more complete name
    assert merged.phone == "+5511987654321"  # non-empty beats empty
    assert merged.cpf == Person.objects.get(pk=loser.pk).cpf  # freed by the bin, taken over
    assert TimelineEntry.objects.filter(person=survivor, kind="person.merged").count() == 1
    assert DomainEvent.objects.filter(name="person.merged", subject_id=str(survivor.pk)).exists()
    assert AuditEntry.objects.filter(action="person.merged", object_id=str(survivor.pk)).exists()
    assert record.changes["deals"] == before[loser.pk]["deals"]

    merge.undo_merge(actor=ana.actor, merge_id=record.pk)

    assert snapshot(survivor.pk) == before[survivor.pk]
    assert snapshot(loser.pk) == before[loser.pk]
    with pytest.raises(Conflict):
        merge.undo_merge(actor=ana.actor, merge_id=record.pk)


def test_field_picks_are_honoured(ana, pair):
    survivor, loser = pair
    merge.merge_people(
        actor=ana.actor,
        survivor_id=survivor.pk,
        loser_id=loser.pk,
        picks={"first_name": "survivor", "email": "loser"},
    )
    merged = Person.objects.get(pk=survivor.pk)
    assert merged.first_name == "Maria"
    assert merged.email == "maria.silva@example.com"


def test_custom_fields_keep_the_survivors_value_else_the_losers(ana):
    contacts.create_custom_field(
        actor=ana.actor, data={"object_type": "person", "key": "bairro", "label": "Bairro",
                               "field_type": "text"}
    )  # fmt: skip
    contacts.create_custom_field(
        actor=ana.actor, data={"object_type": "person", "key": "time", "label": "Time",
                               "field_type": "text"}
    )  # fmt: skip
    a = contacts.create_person(
        actor=ana.actor, data={"first_name": "João", "custom_fields": {"bairro": "Centro"}}
    )
    b = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joao", "custom_fields": {"bairro": "Lapa", "time": "Santos"}},
    )
    choices = {c.name: c for c in merge.propose(ana.actor, "person", a.pk, b.pk)}
    assert choices["custom_fields.bairro"].pick == "survivor"
    assert choices["custom_fields.time"].pick == "loser"
    record = merge.merge_people(actor=ana.actor, survivor_id=a.pk, loser_id=b.pk)
    assert Person.objects.get(pk=a.pk).custom_fields == {"bairro": "Centro", "time": "Santos"}
    merge.undo_merge(actor=ana.actor, merge_id=record.pk)
    assert Person.objects.get(pk=a.pk).custom_fields == {"bairro": "Centro"}


def test_unknown_pick_is_refused_naming_the_field_and_nothing_moves(ana, pair):
    survivor, loser = pair
    with pytest.raises(ValidationFailed) as caught:
        merge.merge_people(
            actor=ana.actor, survivor_id=survivor.pk, loser_id=loser.pk, picks={"shoe": "loser"}
        )
    assert caught.value.errors[0].field == "picks.shoe"
    assert Person.objects.get(pk=loser.pk).deleted_at is None
    assert Deal.objects.filter(person_id=loser.pk).count() == 2


def test_merge_across_workspaces_is_refused(ana, carla, pair):
    survivor, _loser = pair
    hers = contacts.create_person(actor=carla.actor, data={"first_name": "Maria"})
    with pytest.raises(NotFound):
        merge.merge_people(actor=ana.actor, survivor_id=survivor.pk, loser_id=hers.pk)
    with pytest.raises(NotFound):
        merge.merge_people(actor=carla.actor, survivor_id=hers.pk, loser_id=survivor.pk)
    assert Person.objects.get(pk=hers.pk).deleted_at is None


def test_viewer_and_sales_rep_cannot_merge(vera, bruno, pair):
    survivor, loser = pair
    for persona in (vera, bruno):  # a merge bins a record: records.delete is needed
        with pytest.raises(PermissionDenied):
            merge.merge_people(actor=persona.actor, survivor_id=survivor.pk, loser_id=loser.pk)


def test_merging_marks_the_candidate_and_undo_reopens_it(ana, pair):
    survivor, loser = pair
    candidate = DuplicateCandidate.objects.create(
        workspace=ana.workspace,
        object_type="person",
        left_id=min(survivor.pk, loser.pk),
        right_id=max(survivor.pk, loser.pk),
        probability=0.9,
    )
    record = merge.merge_people(actor=ana.actor, survivor_id=survivor.pk, loser_id=loser.pk)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.MERGED
    merge.undo_merge(actor=ana.actor, merge_id=record.pk)
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN


def test_companies_merge_moves_people_and_deals(ana):
    a = contacts.create_company(actor=ana.actor, data={"name": "Padaria Aurora"})
    b = contacts.create_company(
        actor=ana.actor, data={"name": "Padaria Aurora Ltda", "city": "Recife"}
    )
    person = contacts.create_person(
        actor=ana.actor, data={"first_name": "Rui", "companies": [{"company_id": b.pk}]}
    )
    deal = deal_services.create_deal(actor=ana.actor, data={"title": "Pão", "company_id": b.pk})
    record = merge.merge_companies(actor=ana.actor, survivor_id=a.pk, loser_id=b.pk)
    assert Deal.objects.get(pk=deal.pk).company_id == a.pk
    assert Affiliation.objects.get(person=person).company_id == a.pk
    a.refresh_from_db()
    assert a.city == "Recife"
    merge.undo_merge(actor=ana.actor, merge_id=record.pk)
    assert Deal.objects.get(pk=deal.pk).company_id == b.pk
    assert Affiliation.objects.get(person=person).company_id == b.pk


def test_undo_waits_for_the_later_merge_of_the_kept_record(ana, pair):
    survivor, loser = pair
    third = contacts.create_person(actor=ana.actor, data={"first_name": "Maria", "last_name": "S"})
    first = merge.merge_people(actor=ana.actor, survivor_id=survivor.pk, loser_id=loser.pk)
    later = merge.merge_people(actor=ana.actor, survivor_id=third.pk, loser_id=survivor.pk)
    with pytest.raises(Conflict):
        merge.undo_merge(actor=ana.actor, merge_id=first.pk)
    merge.undo_merge(actor=ana.actor, merge_id=later.pk)
    merge.undo_merge(actor=ana.actor, merge_id=first.pk)
    assert Deal.objects.filter(person_id=loser.pk).count() == 2
    assert Deal.objects.filter(person_id=survivor.pk).count() == 1
