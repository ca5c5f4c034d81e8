"""The main endpoints answer what our own OpenAPI schema says (what clients generate from)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from jsonschema import Draft202012Validator

from vinculo.activities import services as activity_services
from vinculo.contacts import services as contact_services
from vinculo.sales import services as sales_services

PREFIX = "/api/v1"


@pytest.fixture
def openapi(db) -> dict:
    return Client().get(f"{PREFIX}/openapi.json").json()


def _template(doc: dict, path: str) -> str:
    """The documented path template that ``path`` (without query) matches."""
    bare = path.split("?", 1)[0]
    for template in doc["paths"]:
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(template)) + "$"
        if re.match(pattern, bare):
            return template
    raise AssertionError(f"{bare} is not in the OpenAPI document")


def conforms(doc: dict, method: str, path: str, response) -> None:
    template = _template(doc, path)
    operation = doc["paths"][template][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {template} → {status} undocumented"
    documented = operation["responses"][status]
    if response.status_code == 204:
        return
    content_type = response["Content-Type"].split(";")[0]
    media = documented["content"].get(content_type) or documented["content"]["application/json"]
    pointer = "/".join(
        part.replace("~", "~0").replace("/", "~1")
        for part in ("paths", template, method, "responses", status, "content")
    )
    media_key = next(k for k in documented["content"] if documented["content"][k] is media)
    root = {**doc, "$ref": f"#/{pointer}/{media_key.replace('/', '~1')}/schema"}
    errors = sorted(Draft202012Validator(root).iter_errors(json.loads(response.content)), key=str)
    assert not errors, f"{method.upper()} {path}: {errors[0].message} at {list(errors[0].path)}"


def test_main_endpoints_answer_what_the_schema_says(ana, bruno, openapi):
    person = contact_services.create_person(
        actor=ana.actor,
        data={
            "first_name": "Joana",
            "email": "joana@padaria.com.br",
            "tags": ["vip"],
            "consents": [
                {
                    "channel": "email",
                    "status": "opted_in",
                    "legal_basis": "consent",
                    "method": "web_form",
                }
            ],
        },
    )
    company = contact_services.create_company(actor=ana.actor, data={"name": "Acme"})
    pipeline = sales_services.ensure_default_pipeline(actor=ana.actor)
    stages = list(pipeline.stages.all())
    deal = sales_services.create_deal(
        actor=ana.actor,
        data={
            "title": "Pães",
            "amount": "100.00",
            "person_id": person.pk,
            "company_id": company.pk,
            "line_items": [{"name": "Pão", "quantity": "2", "unit_price": "50"}],
        },
    )
    task = activity_services.create_task(
        actor=ana.actor,
        data={"subject": "Ligar", "person_id": person.pk, "assignee_id": bruno.user.pk},
    )
    client = ana.client()
    send = {"content_type": "application/json"}
    calls = [
        ("get", "/me", None),
        ("get", "/workspace", None),
        ("get", "/members", None),
        ("get", "/teams", None),
        ("get", "/tokens", None),
        ("get", "/audit", None),
        ("get", "/people?limit=5", None),
        ("get", f"/people/{person.pk}", None),
        ("post", "/people", {"first_name": "Rui", "phone": "(11) 98765-4321"}),
        ("post", "/people", {"first_name": "Rui", "email": "nope"}),  # a documented 422
        ("post", "/people/bulk", [{"first_name": "A"}, {"first_name": ""}]),
        ("patch", f"/people/{person.pk}", {"job_title": "Gerente"}),
        ("get", f"/people/{person.pk}/consents", None),
        ("get", f"/people/{person.pk}/lifecycle", None),
        ("get", f"/people/{person.pk}/timeline", None),
        ("get", "/companies", None),
        ("get", f"/companies/{company.pk}", None),
        ("get", f"/companies/{company.pk}/people", None),
        ("get", "/lifecycle-stages", None),
        ("get", "/custom-fields", None),
        ("get", "/tags", None),
        ("get", "/pipelines", None),
        ("get", f"/pipelines/{pipeline.pk}/board", None),
        ("get", "/deals", None),
        ("get", f"/deals/{deal.pk}", None),
        ("post", f"/deals/{deal.pk}/move", {"stage_id": stages[1].pk}),
        ("get", f"/deals/{deal.pk}/timeline", None),
        ("get", "/activities", None),
        ("get", "/tasks?when=all", None),
        ("post", f"/tasks/{task.pk}/complete", None),
        ("get", "/filters/person", None),
        ("get", "/views", None),
        ("get", "/people/999999", None),  # a documented 404
        ("get", "/people?filter=%7Bnope", None),  # a documented 400
    ]
    for method, path, body in calls:
        url = f"{PREFIX}{path}"
        if body is None:
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, data=json.dumps(body), **send)
        assert response.status_code < 500, (method, path, response.content)
        conforms(openapi, method, url, response)


def test_the_contract_check_catches_a_body_that_drifts(ana, openapi):
    person = contact_services.create_person(actor=ana.actor, data={"first_name": "Lia"})
    response = ana.client().get(f"{PREFIX}/people/{person.pk}")
    conforms(openapi, "get", f"{PREFIX}/people/{person.pk}", response)
    body = response.json()
    del body["email"]
    body["tags"] = "not-a-list"
    response.content = json.dumps(body).encode()
    with pytest.raises(AssertionError, match="people"):
        conforms(openapi, "get", f"{PREFIX}/people/{person.pk}", response)


def test_the_schema_has_no_key_twice(db):
    """A key twice in one JSON object (``200`` from ninja and ``"200"`` from openapi_extra on the
    export download) made Swagger UI refuse the whole document: "duplicated mapping key"."""
    twice: list[list[str]] = []

    def no_twice(pairs: list[tuple[str, object]]) -> dict:
        keys = [key for key, _ in pairs]
        if len(keys) != len(set(keys)):
            twice.append(keys)
        return dict(pairs)

    json.loads(Client().get(f"{PREFIX}/openapi.json").content, object_pairs_hook=no_twice)
    assert not twice, twice
