"""A timeline entry written with a message and its parameters reads in the reader's language,
whatever language the job that wrote it had (an automatic merge runs as the system)."""

from __future__ import annotations

from django.utils import translation

from vinculo.activities.models import TimelineEntry
from vinculo.contacts import services as contacts
from vinculo.quality.services import merge


def test_a_merge_written_in_english_reads_in_portuguese_and_back(ana):
    survivor = contacts.create_person(actor=ana.actor, data={"first_name": "Heloísa"})
    loser = contacts.create_person(actor=ana.actor, data={"first_name": "Helô"})
    keep = {"first_name": "survivor"}  # the newer "Helô" would win by the merge's rules
    with translation.override("en"):
        merge.merge_people(actor=ana.actor, survivor_id=survivor.pk, loser_id=loser.pk, picks=keep)
    entry = TimelineEntry.objects.get(kind="person.merged")
    assert entry.summary == "Merged Helô into Heloísa"  # the writer's wording, kept for search

    page = ana.web(language="pt-br").get(f"/people/{survivor.pk}/").content.decode()
    assert "Helô mesclado em Heloísa" in page and "Merged Helô" not in page
    api = ana.client("pt-br").get(f"/api/v1/people/{survivor.pk}/timeline").json()
    assert "Helô mesclado em Heloísa" in [e["summary"] for e in api["items"]]

    with translation.override("pt-br"):
        record = merge.merge_people(
            actor=ana.actor,
            survivor_id=survivor.pk,
            loser_id=contacts.create_person(actor=ana.actor, data={"first_name": "Lô"}).pk,
            picks=keep,
        )
        merge.undo_merge(actor=ana.actor, merge_id=record.pk)
    english = ana.web(language="en").get(f"/people/{survivor.pk}/").content.decode()
    assert "Merged Lô into Heloísa" in english and "Merge of Lô into Heloísa undone" in english
    assert "mesclado" not in english and "desfeita" not in english


def test_older_entries_without_parameters_show_their_stored_line(ana):
    person = contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})
    TimelineEntry.objects.filter(person=person).update(summary="Linha antiga", data={})
    page = ana.web(language="en").get(f"/people/{person.pk}/").content.decode()
    assert "Linha antiga" in page


def test_the_home_feed_words_entries_in_the_readers_language(ana):
    survivor = contacts.create_person(actor=ana.actor, data={"first_name": "Heloísa"})
    loser = contacts.create_person(actor=ana.actor, data={"first_name": "Helô"})
    keep = {"first_name": "survivor"}  # the newer "Helô" would win by the merge's rules
    with translation.override("en"):
        merge.merge_people(actor=ana.actor, survivor_id=survivor.pk, loser_id=loser.pk, picks=keep)
    home = ana.web(language="pt-br").get("/").content.decode()
    assert "Helô mesclado em Heloísa" in home and "Merged Helô" not in home
