"""Duplicates inside one file: a key an earlier row gave a record (by creating it OR by updating
it) finds that record for the rows after it, in the same batch or a later one, in the real run
and in the dry run alike."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.quality.models import ImportRowError
from vinculo.quality.services import imports as svc

HEADER = "first_name;last_name;email;phone;cpf\n"
MAPPING = {
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "cpf": "cpf",
}
CAIO = (
    "Caio;Luz;;(11) 97777-1111;\n"
    "Caio;Luz;caio@example.com;+55 11 97777-1111;\n"
    "Caio;Luz;caio@example.com;;\n"
)


@pytest.fixture(autouse=True)
def english(ana):
    ana.user.language = "en"
    ana.user.save(update_fields=["language"])
    with translation.override("en"):
        yield


def _upload(ana, body: str):
    job = svc.create_import(
        actor=ana.actor,
        object_type="people",
        file_name="people.csv",
        content=io.BytesIO((HEADER + body).encode()),
    )
    return svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping=MAPPING)


def _run(ana, body: str):
    job = _upload(ana, body)
    svc.start_import(actor=ana.actor, job_id=job.pk)
    return svc.run_import(job.pk)


def _counts(job) -> tuple[int, int, int, int]:
    return job.created_count, job.updated_count, job.skipped_count, job.rejected_count


def _preview(ana, body: str) -> tuple[list[str], tuple[int, int, int, int]]:
    job = svc.dry_run_import(actor=ana.actor, job_id=_upload(ana, body).pk)
    p = job.preview
    actions = [r["action"] for r in p["first_rows"]]
    return actions, (p["would_create"], p["would_update"], p["would_skip"], p["rejected"])


def _people(ana):
    return Person.objects.for_workspace(ana.workspace).filter(deleted_at__isnull=True)


@pytest.mark.parametrize("batch", ["1000", "1", "2"])
def test_an_email_added_by_an_update_matches_the_next_row_with_that_email(ana, monkeypatch, batch):
    # Given a file where row 3 has the phone of row 2, which adds an email row 4 repeats
    monkeypatch.setenv("VINCULO_IMPORT_BATCH_SIZE", batch)
    # When the dry run and then the import run
    actions, would = _preview(ana, CAIO)
    assert not _people(ana).exists()
    job = _run(ana, CAIO)
    # Then one person, created once and updated twice; the dry run said exactly that
    assert _counts(job) == (1, 2, 0, 0)
    assert actions == ["create", "update", "update"] and would == (1, 2, 0, 0)
    (caio,) = _people(ana)
    assert (caio.email, caio.phone) == ("caio@example.com", "+5511977771111")
    assert not ImportRowError.objects.filter(job=job).exists()


@pytest.mark.parametrize("batch", ["1000", "1"])
def test_an_email_given_by_an_update_by_cpf_matches_the_later_row(ana, monkeypatch, batch):
    # Given Dora in the base with her CPF only, and a file that gives her an email by CPF
    monkeypatch.setenv("VINCULO_IMPORT_BATCH_SIZE", batch)
    dora = contacts.create_person(
        actor=ana.actor, data={"first_name": "Dora", "cpf": "529.982.247-25"}
    )
    body = "Dora;Reis;dora@example.com;;52998224725\nDora;Reis;dora@example.com;(21) 3333-4444;\n"
    actions, would = _preview(ana, body)
    # When it is imported
    job = _run(ana, body)
    # Then the second row updates Dora too, instead of creating a second Dora with the email
    assert _counts(job) == (0, 2, 0, 0)
    assert actions == ["update", "update"] and would == (0, 2, 0, 0)
    dora.refresh_from_db()
    assert (dora.last_name, dora.email, dora.phone) == ("Reis", "dora@example.com", "+552133334444")
    assert _people(ana).count() == 1


def test_a_row_matching_an_earlier_row_and_another_record_follows_the_file(ana):
    # Given Edu in the base with a phone, and a file whose row 2 creates Edu with an email and
    # whose row 3 has that email and Edu's phone
    contacts.create_person(actor=ana.actor, data={"first_name": "Edu", "phone": "+5511955554444"})
    body = "Edu;Dias;edu@example.com;;\nEdu;Dias;edu@example.com;(11) 95555-4444;\n"
    actions, would = _preview(ana, body)
    job = _run(ana, body)
    # Then row 3 updates the Edu row 2 created (the email comes before the phone), and no
    # second record gets the email
    assert _counts(job) == (1, 1, 0, 0)
    assert actions == ["create", "update"] and would == (1, 1, 0, 0)
    assert _people(ana).filter(email="edu@example.com").count() == 1


def test_a_rejected_update_leaves_the_record_as_it_was_and_teaches_no_key(ana):
    # Given row 3 (phone of row 2, an email, an invalid CPF) and row 4 with that email
    body = (
        "Caio;Luz;;(11) 97777-1111;\n"
        "Caio;Luz;caio@example.com;+55 11 97777-1111;11111111112\n"
        "Lia;Luz;caio@example.com;;\n"
    )
    actions, would = _preview(ana, body)
    job = _run(ana, body)
    # Then row 3 is rejected and nothing of it is written: Caio has no email, so row 4 is a
    # person of its own
    assert _counts(job) == (2, 0, 0, 1)
    assert actions == ["create", "reject", "create"] and would == (2, 0, 0, 1)
    caio = _people(ana).get(first_name="Caio")
    assert (caio.email, caio.cpf) == ("", "")
    assert _people(ana).get(email="caio@example.com").first_name == "Lia"
    report = b"".join(svc.rejected_csv(job, "en").chunks).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report), delimiter=";"))
    assert [r[-2] for r in rows[1:]] == ["3"]
    assert rows[1][-1] == "cpf: This CPF is not valid."


def test_a_learned_key_whose_update_fails_rejects_the_row_without_a_new_record(ana):
    # Given row 4 has row 3's email and an invalid CPF
    last = "Caio;Lima;caio@example.com;;11111111112\n"
    body = CAIO.replace("Caio;Luz;caio@example.com;;\n", last)
    job = _run(ana, body)
    # Then row 4 is rejected against Caio (not created as a second person), Caio untouched
    assert _counts(job) == (1, 1, 0, 1)
    (caio,) = _people(ana)
    assert (caio.last_name, caio.email, caio.cpf) == ("Luz", "caio@example.com", "")
    assert list(ImportRowError.objects.filter(job=job).values_list("line", flat=True)) == [4]
