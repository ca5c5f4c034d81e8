"""The web-forms API: CRUD of forms, submissions in cursor pages, the tracking key; every answer
checked against our OpenAPI schema; Carla (workspace B) never reaches Ana's forms."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.integrations.test_openapi_contract import conforms
from tests.webforms.conftest import post_json
from vinculo.webforms.models import Submission, WebForm

PREFIX = "/api/v1"


@pytest.fixture
def openapi(db) -> dict:
    return Client().get(f"{PREFIX}/openapi.json").json()


FORM = {
    "name": "Orçamento de bolo",
    "fields": [
        {"key": "first_name", "label": "Nome", "required": True},
        {"key": "email", "required": True},
        {"key": "mobile_phone", "placeholder": "(81) 9…"},
        {"key": "interests", "label": "Conte o que precisa"},
    ],
    "tags": ["bolo"],
    "allowed_domains": ["https://www.padaria-aurora.com.br/encomendas", "aurora.com"],
    "language": "pt-br",
}


def test_crud_of_forms_answers_what_the_schema_says(ana, openapi):
    api = ana.client()
    created = api.post(f"{PREFIX}/forms", FORM, content_type="application/json")
    assert created.status_code == 201, created.content
    conforms(openapi, "post", f"{PREFIX}/forms", created)
    body = created.json()
    assert body["allowed_domains"] == ["www.padaria-aurora.com.br", "aurora.com"]
    assert body["hosted_url"] == f"/f/{body['public_key']}"
    assert body["submit_url"] == f"/f/{body['public_key']}/submit"
    assert [f["key"] for f in body["fields"]] == [
        "first_name",
        "email",
        "mobile_phone",
        "interests",
    ]
    form_id = body["id"]

    listed = api.get(f"{PREFIX}/forms")
    conforms(openapi, "get", f"{PREFIX}/forms", listed)
    assert [f["id"] for f in listed.json()] == [form_id]

    patched = api.patch(
        f"{PREFIX}/forms/{form_id}", {"is_active": False}, content_type="application/json"
    )
    conforms(openapi, "patch", f"{PREFIX}/forms/{form_id}", patched)
    assert patched.json()["is_active"] is False
    one = api.get(f"{PREFIX}/forms/{form_id}")
    conforms(openapi, "get", f"{PREFIX}/forms/{form_id}", one)

    deleted = api.delete(f"{PREFIX}/forms/{form_id}")
    conforms(openapi, "delete", f"{PREFIX}/forms/{form_id}", deleted)
    assert not WebForm.objects.exists()


def test_a_bad_definition_is_a_422_naming_each_field(ana, openapi):
    response = ana.client().post(
        f"{PREFIX}/forms",
        {
            "name": "",
            "fields": [{"key": "email"}, {"key": "salary"}],
            "consent_enabled": True,
            "allowed_domains": ["not a domain"],
            "lifecycle_stage": "vip",
            "min_seconds": 9999,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    conforms(openapi, "post", f"{PREFIX}/forms", response)
    fields = {e["field"] for e in response.json()["errors"]}
    assert {
        "name",
        "fields.1.key",
        "consent_text",
        "allowed_domains.0",
        "lifecycle_stage",
        "min_seconds",
    } <= fields


def test_a_form_needs_a_name_field_and_a_way_to_recognise_people(ana):
    response = ana.client().post(
        f"{PREFIX}/forms",
        {"name": "Sem nome", "fields": [{"key": "email"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "first name" in response.json()["errors"][0]["message"]
    response = ana.client().post(
        f"{PREFIX}/forms",
        {"name": "Sem contato", "fields": [{"key": "first_name"}]},
        content_type="application/json",
    )
    assert "email or phone" in response.json()["errors"][0]["message"]


def test_submissions_come_in_cursor_pages(ana, lead_form, openapi, django_assert_max_num_queries):
    from vinculo.webforms import services

    services.update_form(actor=ana.actor, form_id=lead_form.pk, data={"min_seconds": 0})
    lead_form.refresh_from_db()
    for i in range(3):
        post_json(lead_form, {"fields": {"first_name": f"P{i}", "email": f"p{i}@ex.com"}})
    post_json(lead_form, {"fields": {"first_name": "Bot", "email": "b@ex.com", "_x": 1},
                          "_website": "spam"})  # fmt: skip
    api = ana.client()
    url = f"{PREFIX}/forms/{lead_form.pk}/submissions"
    with django_assert_max_num_queries(12):
        first = api.get(url, {"limit": 2})
    conforms(openapi, "get", url, first)
    page = first.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    assert page["items"][0]["status"] == "spam" and page["items"][0]["reason"] == "honeypot"
    rest = api.get(url, {"limit": 2, "cursor": page["next_cursor"]}).json()
    assert len(rest["items"]) == 2 and rest["next_cursor"] is None
    accepted = api.get(url, {"status": "accepted"}).json()["items"]
    assert len(accepted) == 3 and all(s["person_id"] for s in accepted)

    one = Submission.objects.filter(status="accepted").first()
    detail = api.get(f"{url}/{one.pk}")
    conforms(openapi, "get", f"{url}/{one.pk}", detail)
    assert detail.json()["data"]["email"] == one.data["email"]

    listed = api.get(f"{PREFIX}/forms").json()
    assert (listed[0]["submissions"], listed[0]["spam"]) == (3, 1)


def test_the_tracking_key_and_its_domains(ana, vera, openapi):
    api = ana.client()
    got = api.get(f"{PREFIX}/tracking")
    conforms(openapi, "get", f"{PREFIX}/tracking", got)
    assert got.json()["collect_url"] == "/t/collect"
    patched = api.patch(
        f"{PREFIX}/tracking",
        {"allowed_domains": ["padaria-aurora.com.br"]},
        content_type="application/json",
    )
    conforms(openapi, "patch", f"{PREFIX}/tracking", patched)
    assert patched.json()["allowed_domains"] == ["padaria-aurora.com.br"]
    assert patched.json()["public_key"] == got.json()["public_key"]
    # a viewer sees the key but cannot change the domains
    assert vera.client().get(f"{PREFIX}/tracking").status_code == 200
    refused = vera.client().patch(
        f"{PREFIX}/tracking", {"is_active": False}, content_type="application/json"
    )
    assert refused.status_code == 403


def test_a_viewer_reads_forms_but_cannot_change_them(ana, vera, lead_form):
    api = vera.client()
    assert api.get(f"{PREFIX}/forms/{lead_form.pk}").status_code == 200
    response = api.post(f"{PREFIX}/forms", FORM, content_type="application/json")
    assert response.status_code == 403
    assert "cannot create or send campaigns" in response.json()["detail"]


def test_carla_never_reaches_anas_forms(ana, carla, lead_form):
    post_json(lead_form, {"fields": {"first_name": "A", "email": "a@ex.com"}})
    submission = Submission.objects.get()
    api = carla.client()
    base = f"{PREFIX}/forms/{lead_form.pk}"
    assert api.get(f"{PREFIX}/forms").json() == []
    assert api.get(base).status_code == 404
    assert api.patch(base, {"name": "x"}, content_type="application/json").status_code == 404
    assert api.delete(base).status_code == 404
    assert api.get(f"{base}/submissions").status_code == 404
    assert api.get(f"{base}/submissions/{submission.pk}").status_code == 404
    # Carla's tracking key is her own
    assert (
        api.get(f"{PREFIX}/tracking").json()["public_key"]
        != (ana.client().get(f"{PREFIX}/tracking").json()["public_key"])
    )
    lead_form.refresh_from_db()
    assert lead_form.name == "Newsletter da padaria"
