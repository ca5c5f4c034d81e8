"""Which value a merge keeps when two records disagree: what most records of the duplicate
cluster (and of the merge history) say, then the record updated last; never merely the longer
spelling ("Costta" over "Costa"). A name that differs only by its accents keeps them; a name
that is the other plus more words is the more complete one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.quality.models import CandidateStatus, DuplicateCandidate
from vinculo.quality.services import duplicates as detection
from vinculo.quality.services import merge

PHONE = "+5511988887777"


def _person(ana, first: str, last: str, **extra) -> Person:
    data = {"first_name": first, "last_name": last, "phone": PHONE, **extra}
    return contacts.create_person(actor=ana.actor, data=data)


def _touch(ana, person: Person) -> None:
    """Make ``person`` the record updated last."""
    contacts.update_person(actor=ana.actor, person_id=person.pk, data={"job_title": "Compras"})


def _choice(ana, survivor: Person, loser: Person, name: str) -> merge.FieldChoice:
    choices = merge.propose(ana.actor, "person", survivor.pk, loser.pk)
    return next(c for c in choices if c.name == name)


def _kept(choice: merge.FieldChoice):
    return choice.loser if choice.pick == merge.LOSER else choice.survivor


@pytest.mark.parametrize("newer", ["survivor", "loser"])
def test_two_disagreeing_names_keep_the_one_updated_last_not_the_longer(ana, newer):
    # Given only two records, "Costa" and "Costta", nobody else to ask
    costa = _person(ana, "Ana", "Costa")
    costta = _person(ana, "Ana", "Costta")
    _touch(ana, costa if newer == "survivor" else costta)
    # Then the merge keeps the last name of the record updated last
    choice = _choice(ana, costa, costta, "last_name")
    assert choice.rule == "recent"
    assert _kept(choice) == ("Costa" if newer == "survivor" else "Costta")


def test_the_spelling_most_of_the_cluster_shares_wins_over_the_newer_one(ana):
    # Given Ana Costa twice and a newer "Ana Costta", found as one duplicate cluster
    oldest = _person(ana, "Ana", "Costa")
    other = _person(ana, "Ana", "Costa", email="ana.costa@example.com")
    typo = _person(ana, "Ana", "Costta", city="Recife")
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    assert len(set(DuplicateCandidate.objects.values_list("cluster", flat=True))) == 1
    # When the oldest and the misspelt one are merged
    choice = _choice(ana, oldest, typo, "last_name")
    # Then "Costa" stays, as most records of the cluster say; the newer city still comes over
    assert (choice.pick, choice.rule, choice.loser) == ("survivor", "majority", "Costta")
    assert _choice(ana, oldest, typo, "city").pick == "loser"
    preview = ana.client("en").get(
        "/api/v1/quality/merges/preview",
        {"object_type": "person", "survivor_id": oldest.pk, "loser_id": typo.pk},
    )
    last_name = next(c for c in preview.json() if c["name"] == "last_name")
    assert last_name["pick"] == "survivor" and last_name["rule"] == "majority"
    assert last_name["rule_text"] == "the value most of the duplicate records share"
    page = ana.web("pt-br").get(
        reverse("quality:duplicates_merge"), {"survivor": oldest.pk, "loser": typo.pk}
    )
    assert "o valor que a maioria dos registros duplicados tem" in page.content.decode()
    merge.merge_people(actor=ana.actor, survivor_id=oldest.pk, loser_id=typo.pk)
    oldest.refresh_from_db()
    assert (oldest.last_name, oldest.city) == ("Costa", "Recife")
    other.refresh_from_db()
    assert other.deleted_at is None  # only the pair was merged


def test_a_pair_marked_not_a_duplicate_does_not_vote(ana):
    oldest = _person(ana, "Ana", "Costa")
    outsider = _person(ana, "Ana", "Costa", email="outra@example.com")
    typo = _person(ana, "Ana", "Costta")
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    for pair in DuplicateCandidate.objects.filter(workspace=ana.workspace):
        if outsider.pk in (pair.left_id, pair.right_id):
            detection.decide(
                actor=ana.actor, candidate_id=pair.pk, status=CandidateStatus.NOT_DUPLICATE
            )
    choice = _choice(ana, oldest, typo, "last_name")
    assert (choice.rule, _kept(choice)) == ("recent", "Costta")


def test_the_merge_history_votes_and_an_undone_merge_does_not(ana):
    # Given Ana Costa absorbed another Ana Costa earlier, and a newer "Ana Costta" appears
    costa = _person(ana, "Ana", "Costa")
    absorbed = _person(ana, "Ana", "Costa", email="velha@example.com")
    record = merge.merge_people(actor=ana.actor, survivor_id=costa.pk, loser_id=absorbed.pk)
    typo = _person(ana, "Ana", "Costta")
    # Then the binned record of that merge speaks for "Costa"
    choice = _choice(ana, costa, typo, "last_name")
    assert (choice.rule, _kept(choice)) == ("majority", "Costa")
    # And once that merge is undone, the two live records decide alone (the newer wins)
    merge.undo_merge(actor=ana.actor, merge_id=record.pk)
    _touch(ana, typo)
    choice = _choice(ana, costa, typo, "last_name")
    assert (choice.rule, _kept(choice)) == ("recent", "Costta")


def test_a_cluster_merged_automatically_keeps_the_spelling_most_records_share(ana):
    _person(ana, "Ana", "Costa", email="ana@example.com")
    _person(ana, "Ana", "Costa", email="ana@example.com")
    _person(ana, "Ana", "Costta", email="ana@example.com")
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    assert merge.auto_merge(actor=ana.actor, object_type="person", threshold=0.9) == 2
    (survivor,) = Person.objects.for_workspace(ana.workspace).filter(deleted_at__isnull=True)
    assert survivor.last_name == "Costa"


def test_accents_only_differences_keep_the_accents_even_against_the_newer_record(ana):
    jose = _person(ana, "José", "Conceição")
    plain = _person(ana, "Jose", "Conceicao")
    _touch(ana, plain)
    for name, kept in (("first_name", "José"), ("last_name", "Conceição")):
        choice = _choice(ana, plain, jose, name)
        assert (choice.rule, _kept(choice)) == ("accents", kept)


def test_a_name_with_more_words_of_the_same_name_is_the_more_complete_one(ana):
    full = _person(ana, "Maria Aparecida", "Silva")
    short = _person(ana, "Maria", "da Silva")
    _touch(ana, short)
    first = _choice(ana, full, short, "first_name")
    last = _choice(ana, full, short, "last_name")
    assert (first.rule, _kept(first)) == ("complete", "Maria Aparecida")
    assert (last.rule, _kept(last)) == ("complete", "da Silva")
