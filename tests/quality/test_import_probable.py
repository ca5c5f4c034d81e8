"""The import's dry run scores each new row with the workspace's matcher: a row that is an
existing customer under another spelling says so, linked, in the reader's language."""

from __future__ import annotations

import io

from django.urls import reverse

from vinculo.contacts import services as contacts
from vinculo.quality.services import imports as svc

HEADER = "nome;sobrenome;nascimento;cep\n"
MAPPING = {"nome": "first_name", "sobrenome": "last_name", "nascimento": "birth_date",
           "cep": "postal_code"}  # fmt: skip


def _dry_run(persona, body):
    job = svc.create_import(
        actor=persona.actor,
        object_type="people",
        file_name="p.csv",
        content=io.BytesIO((HEADER + body).encode()),
    )
    svc.set_mapping(actor=persona.actor, job_id=job.pk, mapping=MAPPING)
    return svc.dry_run_import(actor=persona.actor, job_id=job.pk)


def test_a_new_row_that_is_an_existing_customer_says_so(ana, carla):
    existing = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Heloísa", "last_name": "Bragança", "birth_date": "1988-07-14",
              "postal_code": "50030230"},
    )  # fmt: skip
    body = "Heloisa;Braganca;14/07/1988;50030-230\nOtávio;Lemos;02/03/1975;01310100\n"
    job = _dry_run(ana, body)
    first, second = job.preview["first_rows"]
    assert first["action"] == "create"
    assert [p["id"] for p in first["probable"]] == [existing.pk]
    assert first["probable"][0]["probability"] >= 0.5
    assert second["probable"] == []
    url = reverse("quality:import_detail", args=[job.pk])
    for language, text in (
        ("en", "Probably the same as"),
        ("pt-br", "Provavelmente é o mesmo que"),
    ):
        html = ana.web(language).get(url).content.decode()
        assert text in html
        assert reverse("contacts:person", args=[existing.pk]) in html
    # Carla's same file matches nothing of Ana's.
    theirs = _dry_run(carla, body)
    assert all(row["probable"] == [] for row in theirs.preview["first_rows"])
