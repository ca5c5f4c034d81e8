"""A day that is not in the calendar (31/02/1990, 1990-02-31) is said not to exist, not to be in
the wrong format: in an import (birth date, date and date-time custom fields, dry run and run),
in the API and in the forms, which share the services' date parser; in English and pt-BR."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.utils import translation

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.errors import ValidationFailed
from vinculo.quality.models import ImportRowError
from vinculo.quality.services import imports as svc
from vinculo.quality.services.import_messages import reasons_out


@pytest.fixture
def fields(ana):
    for key, kind in (("visita", "date"), ("retorno", "datetime")):
        contacts.create_custom_field(
            actor=ana.actor,
            data={"object_type": "person", "key": key, "label": key.title(), "field_type": kind},
        )


def _import(ana, body: str, *, dry_run: bool = False):
    job = svc.create_import(
        actor=ana.actor,
        object_type="people",
        file_name="datas.csv",
        content=io.BytesIO(("Nome;Nascimento;Visita;Retorno\n" + body).encode()),
    )
    mapping = {
        "Nome": "first_name",
        "Nascimento": "birth_date",
        "Visita": "cf:visita",
        "Retorno": "cf:retorno",
    }
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping=mapping)
    if dry_run:
        return svc.dry_run_import(actor=ana.actor, job_id=job.pk)
    svc.start_import(actor=ana.actor, job_id=job.pk)
    return svc.run_import(job.pk)


def _messages(job, language: str, *, dry_run: bool = False) -> dict[int, list[str]]:
    with translation.override(language):
        return {
            e.line: [f"{r['column']}: {r['message']}" for r in reasons_out(e.reasons)]
            for e in ImportRowError.objects.filter(job=job, dry_run=dry_run).order_by("line")
        }


BODY = (
    "Bia;31/02/1990;;\n"
    "Cadu;;30/02/2026;\n"
    "Dani;;;31/04/2026 10:00\n"
    "Eli;;;2026-02-30T10:00\n"
    "Fabi;;;2026-03-01T25:00\n"
    "Gil;29/02/2000;29/02/2024;29/02/2024 23:59\n"
)


@pytest.mark.parametrize("dry_run", [False, True])
def test_an_import_says_an_impossible_day_does_not_exist_in_every_date_column(ana, fields, dry_run):
    # Given Ana (pt-BR) imports impossible days in a birth date, a date and a date-time field
    ana.user.language = "pt-br"
    ana.user.save(update_fields=["language"])
    with translation.override("pt-br"):
        job = _import(ana, BODY, dry_run=dry_run)
    # Then each one is rejected as a day that does not exist, in whichever language is read
    assert _messages(job, "en", dry_run=dry_run) == {
        2: ["Nascimento: The date 31/02/1990 does not exist."],
        3: ["Visita: The date 30/02/2026 does not exist."],
        4: ["Retorno: The date 31/04/2026 10:00 does not exist."],
        5: ["Retorno: The date and time 2026-02-30T10:00 does not exist."],
        6: ["Retorno: The date and time 2026-03-01T25:00 does not exist."],
    }
    assert _messages(job, "pt-br", dry_run=dry_run)[5] == [
        "Retorno: A data e hora 2026-02-30T10:00 não existe."
    ]
    assert _messages(job, "pt-br", dry_run=dry_run)[2] == [
        "Nascimento: A data 31/02/1990 não existe."
    ]
    # And a real 29 February is imported
    if not dry_run:
        gil = Person.objects.for_workspace(ana.workspace).get(first_name="Gil")
        assert str(gil.birth_date) == "2000-02-29"
        assert gil.custom_fields["visita"] == "2024-02-29"


@pytest.mark.parametrize(
    ("language", "date_message", "moment_message"),
    [
        (
            "en",
            "The date 2026-02-30 does not exist.",
            "The date and time 2026-02-30T10:00:00 does not exist.",
        ),
        (
            "pt-br",
            "A data 2026-02-30 não existe.",
            "A data e hora 2026-02-30T10:00:00 não existe.",
        ),
    ],
)
def test_the_api_says_an_impossible_day_does_not_exist(
    ana, fields, language, date_message, moment_message
):
    # When a custom date and a custom date-time with a day not in the calendar are sent
    body = {"first_name": "Bia", "custom_fields": {"visita": "2026-02-30"}}
    response = ana.client(language).post(
        "/api/v1/people", json.dumps(body), content_type="application/json"
    )
    # Then the 422 says the day does not exist (not "use YYYY-MM-DD")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "custom_fields.visita", "message": date_message, "code": "invalid_date"}
    ]
    body = {"first_name": "Bia", "custom_fields": {"retorno": "2026-02-30T10:00:00"}}
    response = ana.client(language).post(
        "/api/v1/people", json.dumps(body), content_type="application/json"
    )
    assert response.json()["errors"] == [
        {"field": "custom_fields.retorno", "message": moment_message, "code": "invalid_datetime"}
    ]
    # A shape that is not a date still asks for the format
    body = {"first_name": "Bia", "custom_fields": {"visita": "ontem"}}
    response = ana.client("en").post(
        "/api/v1/people", json.dumps(body), content_type="application/json"
    )
    assert response.json()["errors"][0]["message"] == "Enter a date as YYYY-MM-DD."
    assert not Person.objects.for_workspace(ana.workspace).exists()


def test_the_person_form_says_an_impossible_day_does_not_exist(ana, fields):
    posted = {"first_name": "Bia", "cf_visita": "2026-02-30"}
    response = ana.web("pt-br").post("/people/new/", posted)
    assert response.status_code == 422
    page = response.content.decode()
    assert "A data 2026-02-30 não existe." in page
    assert not re.search("AAAA-MM-DD|YYYY-MM-DD", page)


def test_the_services_say_an_impossible_day_does_not_exist(ana, fields):
    with pytest.raises(ValidationFailed) as caught:
        contacts.create_person(
            actor=ana.actor, data={"first_name": "Bia", "birth_date": "1990-02-31"}
        )
    assert [(e.field, e.message, e.code) for e in caught.value.errors] == [
        ("birth_date", "The date 1990-02-31 does not exist.", "invalid_date")
    ]
