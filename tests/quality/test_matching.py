"""The learned matcher: weights learned from the workspace's data, custom identifiers, labels
feeding back, one model per workspace, and the same scoring for a typed record."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest

from vinculo.contacts import selectors as people
from vinculo.contacts import services as contacts
from vinculo.contacts.models import CustomFieldDefinition
from vinculo.quality.models import CandidateStatus, DuplicateCandidate, MatchModel
from vinculo.quality.services import duplicates as detection
from vinculo.quality.services.matching import probable_matches

FIRSTS = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Iara", "Jonas",
          "Kátia", "Lucas", "Marina", "Nilo", "Olga", "Paulo", "Quésia", "Rafael"]  # fmt: skip
LASTS = ["Silva", "Souza", "Prado", "Quintela", "Barros", "Moraes", "Teixeira", "Lacerda",
         "Vilela", "Assunção", "Cardoso", "Pimenta", "Rocha", "Saraiva"]  # fmt: skip


def _bulk(actor, rows):
    result = contacts.bulk_create_people(actor=actor, rows=rows, max_rows=None)
    assert not result.errors, result.errors
    return result.created


def _population(seed=7, people=80, copies=30):
    """``people`` distinct people (names, birth date, address) and ``copies`` extra copies of some
    of them with a name replaced or misspelt; no email, phone or CPF anywhere."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data
    rows = []
    for i in range(people):
        rows.append(
            {
                "first_name": rng.choice(FIRSTS),
                "last_name": rng.choice(LASTS),
                "birth_date": (date(1950, 1, 1) + timedelta(days=rng.randrange(20000))).isoformat(),
                "street": f"Rua {rng.choice(LASTS)} {rng.choice(FIRSTS)}",
                "number": str(rng.randint(1, 2000)),
                "postal_code": f"{rng.randint(10000, 99999)}{rng.randint(100, 999)}",
                "city": rng.choice(["Recife", "Olinda", "Natal", "Maceió"]),
                "custom_fields": {},
            }
        )
        rows[-1]["_entity"] = i
    for _ in range(copies):
        source = dict(rows[rng.randrange(people)])
        if rng.random() < 0.5:
            source["first_name"] = rng.choice(FIRSTS)  # replaced outright
        else:
            source["last_name"] = source["last_name"][:-1]  # misspelt
        rows.append(source)
    entities = [r.pop("_entity") for r in rows]
    return rows, entities


def _weights(learned, field):
    keys = [s.rsplit(":", 1)[0] for s in learned.params["signature"]]
    c = keys.index(field)
    m, u = learned.params["m"][c], learned.params["u"][c]
    return [math.log2(a / b) for a, b in zip(m, u, strict=True)]


def test_the_model_learns_which_fields_identify_people(ana):
    rows, entities = _population()
    made = _bulk(ana.actor, rows)
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    learned = MatchModel.objects.get(workspace=ana.workspace, object_type="person")
    assert learned.records == len(rows)
    born = _weights(learned, "birth_date")
    assert born[-1] > 6  # a shared birth date is strong evidence...
    assert born[0] < -2  # ...and a different one is strong evidence against
    city = _weights(learned, "city")
    assert city[-1] < born[-1]  # four cities: agreeing on one says little
    # Most of the copies are found though none shares an email, phone or CPF.
    entity_of = {p.pk: e for p, e in zip(made, entities, strict=True)}
    found = {
        (c.left_id, c.right_id) for c in DuplicateCandidate.objects.for_workspace(ana.workspace)
    }
    true = sum(1 for a, b in found if entity_of[a] == entity_of[b])
    assert true >= 25 and true / len(found) >= 0.9
    report = learned.report
    assert 0 < report["recall"]["recall"] <= 1
    assert any(r["rule"] == "birth_date+postal_code" and r["used"] for r in report["rules"])
    assert not any(r["rule"] == "email" and r.get("used") for r in report["rules"])


def test_custom_identifier_fields_are_compared_and_blocked_on(ana):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "label": "RG", "key": "rg", "field_type": "text"},
    )
    a, b, _c = _bulk(
        ana.actor,
        [
            {"first_name": "Joana", "last_name": "Prado", "custom_fields": {"rg": "12.345.678-9"}},
            {"first_name": "Joanna", "last_name": "Vieira", "custom_fields": {"rg": "123456789"}},
            {"first_name": "Pedro", "last_name": "Luz", "custom_fields": {"rg": "99.999.999-9"}},
        ],
    )
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    assert not DuplicateCandidate.objects.for_workspace(ana.workspace).exists()
    CustomFieldDefinition.objects.filter(workspace=ana.workspace, key="rg").update(identifier=True)
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    (pair,) = DuplicateCandidate.objects.for_workspace(ana.workspace)
    assert (pair.left_id, pair.right_id) == (a.pk, b.pk)
    assert {"code": "field", "field": "custom:rg", "level": "same"}.items() <= next(
        r for r in pair.reasons if r["field"] == "custom:rg"
    ).items()
    assert pair.levels["custom:rg"] == 2


def test_labels_change_the_model(ana):
    rows, _entities = _population(seed=11)
    _bulk(ana.actor, rows)
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    before = MatchModel.objects.get(workspace=ana.workspace, object_type="person")
    assert before.labels == 0
    pairs = list(DuplicateCandidate.objects.for_workspace(ana.workspace).order_by("-probability"))
    for pair in pairs[:10]:
        detection.decide(actor=ana.actor, candidate_id=pair.pk, status="not_duplicate")
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    after = MatchModel.objects.get(workspace=ana.workspace, object_type="person")
    assert after.labels == 10
    # Ten confident pairs refused: whatever they agreed on now weighs less among matches.
    assert after.params["m"] != before.params["m"]
    assert sum(_weights(after, "birth_date")[-1:]) < sum(_weights(before, "birth_date")[-1:])
    assert (
        DuplicateCandidate.objects.for_workspace(ana.workspace)
        .filter(status=CandidateStatus.NOT_DUPLICATE)
        .count()
        == 10
    )


def test_two_workspaces_are_never_compared(ana, carla):
    same = {"first_name": "Joana", "last_name": "Prado", "birth_date": "1990-04-02",
            "email": "joana@prado.com"}  # fmt: skip
    (mine,) = _bulk(ana.actor, [same])
    (theirs,) = _bulk(carla.actor, [same])
    for persona in (ana, carla):
        detection.detect_duplicates(actor=persona.actor, object_type="person")
        assert not DuplicateCandidate.objects.for_workspace(persona.workspace).exists()
        assert (
            MatchModel.objects.get(workspace=persona.workspace, object_type="person").records == 1
        )
    typed = {"first_name": "Joana", "last_name": "Prado", "birth_date": "1990-04-02"}
    assert [m.record_id for m in probable_matches(ana.actor, "person", typed)] == [mine.pk]
    assert [m.record_id for m in probable_matches(carla.actor, "person", typed)] == [theirs.pk]


def test_a_typed_record_is_scored_like_the_scan_scores_it(ana):
    rows, _entities = _population(seed=3)
    _bulk(ana.actor, rows)
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    pair = DuplicateCandidate.objects.for_workspace(ana.workspace).order_by("-probability")[0]
    person = people.get_person(ana.actor, pair.right_id)
    typed = {
        name: getattr(person, name)
        for name in ("first_name", "last_name", "birth_date", "street", "number", "postal_code",
                     "city")
    }  # fmt: skip
    found = probable_matches(ana.actor, "person", typed, exclude_id=person.pk)
    match = next(m for m in found if m.record_id == pair.left_id)
    assert match.probability == pytest.approx(pair.probability, abs=1e-3)
    assert match.levels == pair.levels
