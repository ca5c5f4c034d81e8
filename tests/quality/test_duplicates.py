"""Duplicate detection: blocking, scoring with reasons, clusters, decisions kept across runs."""

from __future__ import annotations

import pytest
from django.utils import translation
from validate_docbr import CPF

from vinculo.contacts import services as contacts
from vinculo.core.errors import NotFound, PermissionDenied, ValidationFailed
from vinculo.quality.matching.normalise import email as normal_email
from vinculo.quality.matching.normalise import phonetic, plain
from vinculo.quality.models import CandidateStatus, DuplicateCandidate, RunStatus
from vinculo.quality.selectors import duplicates as selectors
from vinculo.quality.services import duplicates as detection


def _people(actor, rows):
    result = contacts.bulk_create_people(actor=actor, rows=rows, max_rows=None)
    assert not result.errors, result.errors
    named = {p.first_name + " " + p.last_name: p.pk for p in result.created}
    named["count"] = len(result.created)
    return named


@pytest.fixture
def seeded(ana):
    cpf = CPF().generate()
    return _people(
        ana.actor,
        [
            # accents dropped, same mailbox in capitals, one without CPF
            {
                "first_name": "José",
                "last_name": "Conceição",
                "cpf": cpf,
                "city": "Recife",
                "email": "jose.c@uol.com.br",
            },
            {
                "first_name": "Jose",
                "last_name": "Conceicao",
                "city": "Recife",
                "email": "JOSE.C@UOL.COM.BR",
            },
            # swapped first/last name, same phone written differently
            {"first_name": "Luana", "last_name": "Ferreira", "phone": "(11) 98765-4321"},
            {"first_name": "Ferreira", "last_name": "Luana", "phone": "+55 11 98765 4321"},
            # typo in the name, same gmail with dots and a +tag
            {"first_name": "Thiago", "last_name": "Moura", "email": "thiago.moura@gmail.com"},
            {"first_name": "Tiago", "last_name": "Moura", "email": "thiagomoura+crm@gmail.com"},
            # a namesake in another city with other contacts: not a duplicate
            {"first_name": "Ana", "last_name": "Souza", "email": "ana@a.com", "city": "Natal"},
            {"first_name": "Ana", "last_name": "Souza", "email": "souza@b.com", "city": "Belém"},
            {"first_name": "Pedro", "last_name": "Alves", "email": "pedro@x.com"},
        ],
    )


def test_normalisation_and_phonetic_keys():
    assert plain("  José  da Conceição ") == "jose da conceicao"
    assert normal_email("Thiago.Moura+crm@GMail.com ") == ("thiagomoura@gmail.com", "thiagomoura")
    assert phonetic("thiago") == phonetic("tiago")
    assert phonetic("luiz") == phonetic("luis")
    assert phonetic("philipe") == phonetic("filipe")


def _pairs(actor):
    return {
        (c.left_id, c.right_id): c
        for c in DuplicateCandidate.objects.for_workspace(actor.workspace)
    }


def _has(candidate, field, level="same"):
    return any(r.get("field") == field and r.get("level") == level for r in candidate.reasons)


def test_detector_finds_the_seeded_duplicates_with_their_reasons(ana, seeded):
    run = detection.detect_duplicates(actor=ana.actor, object_type="person")
    assert run.status == RunStatus.DONE
    assert run.total == seeded["count"] == 9
    found = _pairs(ana)
    expected = {
        tuple(sorted((seeded["José Conceição"], seeded["Jose Conceicao"]))): "email",
        tuple(sorted((seeded["Luana Ferreira"], seeded["Ferreira Luana"]))): "phones",
        tuple(sorted((seeded["Thiago Moura"], seeded["Tiago Moura"]))): "email",
    }
    assert set(found) == set(expected)
    for pair, field in expected.items():
        assert _has(found[pair], field), found[pair].reasons
    # Swapped names are compared crossed: Luana/Ferreira agree on both names.
    swapped = found[tuple(sorted((seeded["Luana Ferreira"], seeded["Ferreira Luana"])))]
    assert _has(swapped, "first_name") and _has(swapped, "last_name")
    assert len({c.cluster for c in found.values()}) == 3
    assert run.pairs_found == 3
    reasons = [r for c in found.values() for r in c.reasons]
    with translation.override("en"):
        assert "phone: same value" in [detection.reason_text(r) for r in reasons]
    with translation.override("pt-br"):
        assert "telefone: mesmo valor" in [detection.reason_text(r) for r in reasons]


def test_clusters_join_pairs_that_share_a_record(ana):
    made = contacts.bulk_create_people(
        actor=ana.actor,
        rows=[
            {"first_name": "Carla", "last_name": "Dias", "email": "carla@x.com"},
            {"first_name": "Carla", "last_name": "Dias", "phone": "+5511987654321"},
            {"first_name": "Karla", "last_name": "Dias", "mobile_phone": "+5511987654321"},
        ],
        max_rows=None,
    )
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    found = _pairs(ana)
    ids = sorted(p.pk for p in made.created)
    assert {(ids[0], ids[1]), (ids[1], ids[2])} <= set(found)
    assert len({c.cluster for c in found.values()}) == 1


def test_different_documents_are_strong_counter_evidence(ana):
    _people(
        ana.actor,
        [
            {
                "first_name": "Maria",
                "last_name": "Silva",
                "cpf": CPF().generate(),
                "city": "Recife",
            },
            {
                "first_name": "Maria",
                "last_name": "Silva",
                "cpf": CPF().generate(),
                "city": "Recife",
            },
        ],
    )
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    assert _pairs(ana) == {}


def test_companies_match_on_cnpj_and_name_without_legal_suffix(ana):
    a = contacts.create_company(actor=ana.actor, data={"name": "Padaria Aurora Ltda", "cnpj": ""})
    b = contacts.create_company(
        actor=ana.actor,
        data={"name": "Padaria Aurora", "city": "Olinda", "domain": "aurora.com.br"},
    )
    contacts.update_company(actor=ana.actor, company_id=a.pk, data={"domain": "aurora.com.br"})
    detection.detect_duplicates(actor=ana.actor, object_type="company")
    (candidate,) = DuplicateCandidate.objects.for_workspace(ana.workspace).filter(
        object_type="company"
    )
    assert (candidate.left_id, candidate.right_id) == (a.pk, b.pk)
    assert _has(candidate, "name") and _has(candidate, "domain")


def test_not_a_duplicate_never_comes_back_and_later_keeps_its_status(ana, seeded):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    first, second, third = DuplicateCandidate.objects.for_workspace(ana.workspace).order_by("id")
    detection.decide(actor=ana.actor, candidate_id=first.pk, status="not_duplicate")
    detection.decide(actor=ana.actor, candidate_id=second.pk, status="later")
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    again = {c.pk: c.status for c in DuplicateCandidate.objects.for_workspace(ana.workspace)}
    assert again == {
        first.pk: CandidateStatus.NOT_DUPLICATE,
        second.pk: CandidateStatus.LATER,
        third.pk: CandidateStatus.OPEN,
    }
    assert selectors.open_pair_count(ana.actor) == 1


def test_bad_status_and_type_are_refused_naming_the_field(ana, seeded):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    candidate = DuplicateCandidate.objects.for_workspace(ana.workspace).first()
    with pytest.raises(ValidationFailed) as caught:
        detection.decide(actor=ana.actor, candidate_id=candidate.pk, status="maybe")
    assert caught.value.errors[0].field == "status"
    with pytest.raises(ValidationFailed) as caught:
        detection.detect_duplicates(actor=ana.actor, object_type="deal")
    assert caught.value.errors[0].field == "object_type"


def test_carla_cannot_see_or_decide_anas_candidates(ana, carla, seeded):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    candidate = DuplicateCandidate.objects.for_workspace(ana.workspace).first()
    assert list(selectors.candidates(carla.actor)) == []
    assert selectors.open_pair_count(carla.actor) == 0
    with pytest.raises(NotFound):
        detection.decide(actor=carla.actor, candidate_id=candidate.pk, status="not_duplicate")
    detection.detect_duplicates(actor=carla.actor, object_type="person")
    assert not DuplicateCandidate.objects.for_workspace(carla.workspace).exists()


def test_viewer_cannot_run_or_decide(ana, vera, seeded):
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    candidate = DuplicateCandidate.objects.for_workspace(ana.workspace).first()
    with pytest.raises(PermissionDenied):
        detection.detect_duplicates(actor=vera.actor, object_type="person")
    with pytest.raises(PermissionDenied):
        detection.decide(actor=vera.actor, candidate_id=candidate.pk, status="later")
    assert selectors.candidates(vera.actor).count() == 3


def test_automatic_mode_merges_only_high_confidence_pairs(ana, seeded):
    from vinculo.contacts.models import Person
    from vinculo.quality.services.merge import auto_merge

    detection.detect_duplicates(actor=ana.actor, object_type="person")
    learned = selectors.match_model(ana.actor, "person")
    limit = learned.auto_merge_threshold
    strong = DuplicateCandidate.objects.for_workspace(ana.workspace).filter(probability__gte=limit)
    expected = strong.count()
    assert expected >= 1
    merged = auto_merge(actor=ana.actor, object_type="person")
    assert merged == expected
    assert Person.objects.for_workspace(ana.workspace).filter(deleted_at__isnull=False).count() == (
        expected
    )
    weak = DuplicateCandidate.objects.for_workspace(ana.workspace).filter(probability__lt=limit)
    assert all(c.status == CandidateStatus.OPEN for c in weak)
