"""Every free-text field has a documented limit, checked in the write path shared by the API,
the screens and imports, with a field-named error; nothing is cut silently (issue 15.9)."""

from __future__ import annotations

import io
import re

import pytest

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.quality.models import ImportRowError
from vinculo.quality.services import imports as svc
from vinculo.quality.services.import_messages import reasons_out

TOO_LONG = "x" * 10_001
FITS = "y" * 10_000


def _person(ana) -> int:
    return contacts.create_person(actor=ana.actor, data={"first_name": "Rui"}).pk


CASES = [
    ("/api/v1/people", {"first_name": "Ana", "interests": TOO_LONG}, "interests"),
    ("/api/v1/companies", {"name": "Aurora", "description": TOO_LONG}, "description"),
    ("/api/v1/deals", {"title": "Venda", "description": TOO_LONG}, "description"),
    ("/api/v1/activities", {"kind": "note", "body": TOO_LONG}, "body"),
    ("/api/v1/lifecycle-stages", {"name": "Novo", "description": TOO_LONG}, "description"),
    ("/api/v1/teams", {"name": "Vendas", "description": TOO_LONG}, "description"),
]


@pytest.mark.parametrize(("url", "body", "field"), CASES)
def test_long_text_over_ten_thousand_characters_is_a_field_error(ana, url, body, field):
    if url == "/api/v1/activities":
        body = {**body, "person_id": _person(ana)}
    response = send(ana.client(), "post", url, body)
    doc = problem(response, 422)
    assert fields_of(doc) == {field}
    assert "10,000" in doc["errors"][0]["message"]


@pytest.mark.parametrize(("url", "body", "field"), CASES)
def test_long_text_at_the_limit_is_kept_whole(ana, url, body, field):
    if url == "/api/v1/activities":
        body = {**body, "person_id": _person(ana)}
    response = send(ana.client(), "post", url, {**body, field: FITS})
    assert response.status_code == 201, response.content[:300]


def test_consent_evidence_and_long_custom_fields_are_refused_not_cut(ana):
    pk = _person(ana)
    consent = {
        "channel": "email",
        "status": "opted_in",
        "legal_basis": "consent",
        "method": "written",
        "evidence": TOO_LONG,
    }
    response = send(ana.client(), "post", f"/api/v1/people/{pk}/consents", consent)
    assert fields_of(problem(response, 422)) == {"evidence"}
    form = {
        "name": "Contato",
        "fields": [{"key": "first_name"}, {"key": "email"}],
        "consent_enabled": True,
        "consent_text": "z" * 2001,
    }
    response = send(ana.client(), "post", "/api/v1/forms", form)
    assert fields_of(problem(response, 422)) == {"consent_text"}


def test_the_screen_shows_the_limit_next_to_the_field(ana):
    page = ana.web().post("/deals/new/", {"title": "Venda", "description": TOO_LONG})
    assert page.status_code in {200, 422}
    assert "At most 10,000 characters." in page.content.decode()


def test_an_import_rejects_the_row_with_too_long_text_and_keeps_the_others(ana):
    content = f"Nome;Interesses\nRui;{TOO_LONG}\nLia;pães\n".encode()
    job = svc.create_import(
        actor=ana.actor, object_type="people", file_name="p.csv", content=io.BytesIO(content)
    )
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={"Interesses": "interests"}, options={})
    svc.start_import(actor=ana.actor, job_id=job.pk)
    job = svc.run_import(job.pk)
    assert (job.created_count, job.rejected_count) == (1, 1)
    error = ImportRowError.objects.get(job=job)
    assert error.line == 2
    assert re.search(r"10[.,]000", reasons_out(error.reasons)[0]["message"])
