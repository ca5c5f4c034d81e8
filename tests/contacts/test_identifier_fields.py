"""Owners mark a person or company custom field as an identifier (an ID card, a student or
patient number): the duplicate matcher then compares records on it. Set and read through the
API and the Settings screens; refused on deal fields and on types that hold no number or code;
another workspace's fields are out of reach."""

from __future__ import annotations

import pytest

from tests.api import fields_of, problem, send
from vinculo.contacts.models import CustomFieldDefinition
from vinculo.quality.services.matching import identifier_fields

URL = "/api/v1/custom-fields"


def _create(client, **spec):
    body = {"object_type": "person", "label": "RG", "field_type": "text", **spec}
    return send(client, "post", URL, body)


@pytest.mark.parametrize(
    ("object_type", "field_type"),
    [
        ("person", "text"),
        ("person", "number"),
        ("person", "date"),
        ("company", "email"),
        ("company", "phone"),
        ("person", "choice"),
    ],
)
def test_an_identifier_of_each_allowed_type_is_created_and_read_back(ana, object_type, field_type):
    spec = {"object_type": object_type, "field_type": field_type, "identifier": True}
    if field_type == "choice":
        spec["choices"] = ["a", "b"]
    created = _create(ana.client(), **spec)
    assert created.status_code == 201, created.content
    assert created.json()["identifier"] is True
    listed = ana.client().get(URL, {"object_type": object_type}).json()
    assert [f["identifier"] for f in listed] == [True]
    assert identifier_fields(ana.actor, object_type) == [("rg", field_type)]


def test_fields_are_not_identifiers_unless_marked(ana):
    created = _create(ana.client(), label="Segmento")
    assert created.json()["identifier"] is False
    assert identifier_fields(ana.actor, "person") == []


def test_deal_fields_and_other_types_are_refused_naming_identifier(ana):
    client = ana.client()
    deal = problem(_create(client, object_type="deal", identifier=True), 422)
    assert fields_of(deal) == {"identifier"}
    assert any(e["code"] == "not_allowed" for e in deal["errors"])
    for field_type in ("boolean", "long_text", "money", "multi_choice", "url", "datetime"):
        spec = {"field_type": field_type, "identifier": True}
        if field_type == "multi_choice":
            spec["choices"] = ["a"]
        body = problem(_create(client, label=f"F {field_type}", **spec), 422)
        assert fields_of(body) == {"identifier"}, field_type
    assert not CustomFieldDefinition.objects.filter(workspace=ana.workspace).exists()
    pt = problem(_create(ana.client("pt-br"), object_type="deal", identifier=True), 422)
    assert "pessoas e empresas" in pt["errors"][0]["message"]


def test_patch_marks_and_unmarks_and_refuses_a_retype_that_cannot_identify(ana):
    client = ana.client()
    field_id = _create(client).json()["id"]
    marked = send(client, "patch", f"{URL}/{field_id}", {"identifier": True})
    assert marked.status_code == 200 and marked.json()["identifier"] is True
    assert identifier_fields(ana.actor, "person") == [("rg", "text")]
    retyped = problem(send(client, "patch", f"{URL}/{field_id}", {"field_type": "boolean"}), 422)
    assert fields_of(retyped) == {"identifier"}
    assert CustomFieldDefinition.objects.get(pk=field_id).field_type == "text"
    unmarked = send(client, "patch", f"{URL}/{field_id}", {"identifier": False})
    assert unmarked.json()["identifier"] is False
    assert identifier_fields(ana.actor, "person") == []


def test_carla_cannot_mark_anas_field_and_bruno_cannot_mark_any(ana, bruno, carla):
    field_id = _create(ana.client()).json()["id"]
    problem(send(carla.client(), "patch", f"{URL}/{field_id}", {"identifier": True}), 404)
    assert carla.client().get(URL).json() == []
    problem(send(bruno.client(), "patch", f"{URL}/{field_id}", {"identifier": True}), 403)
    assert CustomFieldDefinition.objects.get(pk=field_id).identifier is False
    assert identifier_fields(carla.actor, "person") == []


# --- the Settings screens ---------------------------------------------------------------------


def test_the_new_field_form_marks_an_identifier_and_the_list_says_so(ana):
    client = ana.web()
    page = client.get("/settings/fields/").content.decode()
    assert 'name="identifier"' in page
    assert "Used to find duplicates: an ID card, student or patient number." in page
    saved = client.post(
        "/settings/fields/new/",
        {"object_type": "person", "label": "Matrícula", "field_type": "text", "identifier": "on"},
    )
    assert saved.status_code == 302
    field = CustomFieldDefinition.objects.get(workspace=ana.workspace, key="matricula")
    assert field.identifier is True
    listed = client.get("/settings/fields/?object=person").content.decode()
    row = listed[listed.index(f'id="field-{field.pk}"') :]
    assert ">identifier</span>" in row[: row.index("</tr>")]


def test_the_new_field_form_shows_the_refusal_next_to_the_checkbox(ana):
    refused = ana.web().post(
        "/settings/fields/new/",
        {"object_type": "deal", "label": "Código", "field_type": "text", "identifier": "on"},
    )
    assert refused.status_code == 422
    page = refused.content.decode()
    after = page[page.index('name="identifier"') :]
    assert 'class="field-error"' in after[:800]
    assert "Only fields of people and companies can be identifiers." in after
    assert not CustomFieldDefinition.objects.filter(workspace=ana.workspace).exists()


def test_the_edit_form_marks_and_unmarks_and_is_in_portuguese(ana):
    client = ana.web("pt-br")
    field_id = _create(ana.client()).json()["id"]
    page = client.get(f"/settings/fields/{field_id}/").content.decode()
    assert 'name="identifier"' in page and "Identificador" in page
    assert "Usado para encontrar duplicatas" in page
    client.post(f"/settings/fields/{field_id}/", {"label": "RG", "identifier": "on"})
    assert CustomFieldDefinition.objects.get(pk=field_id).identifier is True
    listed = client.get("/settings/fields/?object=person").content.decode()
    assert ">identificador</span>" in listed
    client.post(f"/settings/fields/{field_id}/", {"label": "RG"})
    assert CustomFieldDefinition.objects.get(pk=field_id).identifier is False


def test_a_deal_field_has_no_identifier_checkbox(ana):
    field_id = _create(ana.client(), object_type="deal", label="Código").json()["id"]
    page = ana.web().get(f"/settings/fields/{field_id}/").content.decode()
    assert 'name="identifier"' not in page
