"""The rejected-rows CSV: its two added columns are always headed ``row`` and ``reason`` (codes a
script can rely on), and the reasons are worded in the language of whoever downloads the file,
whatever the language of whoever ran the import."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from vinculo.quality.models import ImportRowError
from vinculo.quality.services import imports as svc

BODY = "Nome;CPF;Nascimento\nBia;111.111.111-11;\nCadu;;31/02/1990\nDani;;05/03/1985\n"
ENGLISH = [
    ["Bia", "111.111.111-11", "", "2", "CPF: This CPF is not valid."],
    ["Cadu", "", "31/02/1990", "3", "Nascimento: The date 31/02/1990 does not exist."],
]
PORTUGUESE = [
    ["Bia", "111.111.111-11", "", "2", "CPF: Este CPF não é válido."],
    ["Cadu", "", "31/02/1990", "3", "Nascimento: A data 31/02/1990 não existe."],
]


def _imported(persona, language: str):
    # The import runs in its starter's language: the stored reasons must not depend on it.
    persona.user.language = language
    persona.user.save(update_fields=["language"])
    with translation.override(language):
        job = svc.create_import(
            actor=persona.actor,
            object_type="people",
            file_name="pessoas.csv",
            content=io.BytesIO(BODY.encode()),
        )
        mapping = {"Nome": "first_name", "CPF": "cpf", "Nascimento": "birth_date"}
        svc.set_mapping(actor=persona.actor, job_id=job.pk, mapping=mapping)
        svc.start_import(actor=persona.actor, job_id=job.pk)
        job = svc.run_import(job.pk)
    assert job.rejected_count == 2
    return job


def _table(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


@pytest.mark.parametrize("run_in", ["en", "pt-br"])
@pytest.mark.parametrize(("reader", "expected"), [("en", ENGLISH), ("pt-br", PORTUGUESE)])
def test_the_screens_file_has_fixed_headers_and_reasons_in_the_users_language(
    ana, run_in, reader, expected
):
    job = _imported(ana, run_in)
    stored = ImportRowError.objects.get(job=job, line=2).reasons
    assert stored[0]["msgid"] == "This CPF is not valid."  # a code, not text in one language
    # When a user whose language is ``reader`` downloads the file from the import's page
    rows = _table(ana.web(reader).get(f"/quality/imports/{job.pk}/rejected.csv"))
    # Then the headers are the codes and the reasons are in the reader's language
    assert rows[0] == ["Nome", "CPF", "Nascimento", "row", "reason"]
    assert rows[1:] == expected


@pytest.mark.parametrize(("accept", "expected"), [("en", ENGLISH), ("pt-br", PORTUGUESE)])
def test_the_apis_file_follows_accept_language(ana, accept, expected):
    # Given Ana, whose language is pt-BR, ran the import; the API reads Accept-Language
    job = _imported(ana, "pt-br")
    url = f"/api/v1/quality/imports/{job.pk}/rejected.csv"
    rows = _table(ana.client(accept).get(url))
    assert rows[0] == ["Nome", "CPF", "Nascimento", "row", "reason"]
    assert rows[1:] == expected


def test_carla_cannot_download_anas_rejected_rows(ana, carla):
    job = _imported(ana, "en")
    assert carla.web("en").get(f"/quality/imports/{job.pk}/rejected.csv").status_code == 404
    api = carla.client("en").get(f"/api/v1/quality/imports/{job.pk}/rejected.csv")
    assert api.status_code == 404
