"""Companies, lifecycle stages, tags and custom-field settings through the API."""

from __future__ import annotations

from tests.api import send
from vinculo.contacts import services
from vinculo.contacts.models import Company, CustomFieldDefinition, Tag

CNPJ = "11.222.333/0001-81"


def test_company_is_validated_and_normalised(ana):
    response = send(
        ana.client(),
        "post",
        "/api/v1/companies",
        {
            "name": " Padaria  Pão Quente ",
            "cnpj": CNPJ,
            "website": "paoquente.com.br",
            "phone": "+55 (21) 2222-3333",
            "employees": 12,
            "annual_revenue": "1200000.00",
            "lifecycle_stage": "customer",
            "tags": ["padaria"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Padaria Pão Quente"
    assert body["cnpj"] == "11222333000181"
    assert body["website"] == "https://paoquente.com.br"
    assert body["domain"] == "paoquente.com.br"
    assert body["phone"] == "+552122223333"
    assert body["annual_revenue"] == "1200000.00"


def test_bad_company_input_names_fields(ana):
    response = send(
        ana.client(),
        "post",
        "/api/v1/companies",
        {"name": "X", "cnpj": "11.111.111/1111-11", "website": "not a site", "employees": -3},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"cnpj", "website"} <= fields or {"employees"} <= fields
    assert not Company.objects.exists()


def test_taken_cnpj_conflicts(ana):
    services.create_company(actor=ana.actor, data={"name": "A", "cnpj": CNPJ})
    response = send(ana.client(), "post", "/api/v1/companies", {"name": "B", "cnpj": CNPJ})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "cnpj"


def test_company_people_lists_affiliations(ana):
    company = services.create_company(actor=ana.actor, data={"name": "Acme"})
    services.create_person(
        actor=ana.actor,
        data={"first_name": "Gil", "companies": [{"company_id": company.pk, "role": "CEO"}]},
    )
    people = ana.client().get(f"/api/v1/companies/{company.pk}/people").json()
    assert [(p["full_name"], p["role"], p["is_primary"]) for p in people] == [("Gil", "CEO", True)]


def test_bulk_companies(ana):
    response = send(
        ana.client(),
        "post",
        "/api/v1/companies/bulk",
        [{"name": "Um", "cnpj": CNPJ}, {"name": "Dois", "cnpj": CNPJ}, {"name": ""}],
    )
    body = response.json()
    assert [c["name"] for c in body["created"]] == ["Um"]
    assert [(e["index"], e["errors"][0]["field"]) for e in body["errors"]] == [
        (1, "cnpj"),
        (2, "name"),
    ]


def test_lifecycle_stages_are_the_workspace_glossary(ana, vera):
    stages = ana.client().get("/api/v1/lifecycle-stages").json()
    assert [s["key"] for s in stages] == [
        "subscriber",
        "lead",
        "mql",
        "sql",
        "opportunity",
        "customer",
        "advocate",
    ]
    assert {s["key"]: s["phase"] for s in stages}["customer"] == "growth"
    mql = next(s for s in stages if s["key"] == "mql")
    changed = send(
        ana.client(),
        "patch",
        f"/api/v1/lifecycle-stages/{mql['id']}",
        {"description": "Baixou 2 materiais e abriu 3 e-mails."},
    )
    assert changed.json()["description"].startswith("Baixou")
    assert (
        send(
            vera.client(), "patch", f"/api/v1/lifecycle-stages/{mql['id']}", {"name": "x"}
        ).status_code
        == 403
    )
    created = send(
        ana.client(), "post", "/api/v1/lifecycle-stages", {"name": "Ex-cliente", "phase": "growth"}
    )
    assert created.json()["key"] == "ex_cliente"
    bad = send(ana.client(), "post", "/api/v1/lifecycle-stages", {"name": "X", "phase": "moon"})
    assert bad.json()["errors"][0]["field"] == "phase"


def test_custom_field_definitions_are_validated(ana, bruno):
    client = ana.client()
    bad = send(
        client,
        "post",
        "/api/v1/custom-fields",
        {"object_type": "planet", "label": "", "field_type": "blob"},
    ).json()
    assert {e["field"] for e in bad["errors"]} == {"object_type", "label", "field_type"}
    no_choices = send(
        client,
        "post",
        "/api/v1/custom-fields",
        {"object_type": "deal", "label": "Origem", "field_type": "choice"},
    ).json()
    assert no_choices["errors"][0]["field"] == "choices"
    assert (
        send(
            bruno.client(),
            "post",
            "/api/v1/custom-fields",
            {"object_type": "person", "label": "X", "field_type": "text"},
        ).status_code
        == 403
    )
    assert not CustomFieldDefinition.objects.exists()


def test_tags_rename_and_delete(ana):
    person = services.create_person(actor=ana.actor, data={"first_name": "T", "tags": ["velho"]})
    tag = Tag.objects.get(name="velho")
    client = ana.client()
    assert send(client, "patch", f"/api/v1/tags/{tag.pk}", {"name": "novo"}).status_code == 200
    assert [t.name for t in person.tags.all()] == ["novo"]
    assert client.delete(f"/api/v1/tags/{tag.pk}").status_code == 204
    assert not person.tags.exists()


def test_carla_cannot_see_or_change_anas_companies_and_settings(ana, carla):
    company = services.create_company(actor=ana.actor, data={"name": "Aurora Filial"})
    field = services.create_custom_field(
        actor=ana.actor, data={"object_type": "company", "label": "Porte", "field_type": "text"}
    )
    services.create_person(actor=ana.actor, data={"first_name": "P", "tags": ["aurora"]})
    tag = Tag.objects.get(name="aurora")
    c = carla.client()
    assert c.get("/api/v1/companies").json()["items"] == []
    assert c.get("/api/v1/custom-fields").json() == []
    assert c.get("/api/v1/tags").json() == []
    for method, url, data in [
        ("get", f"/api/v1/companies/{company.pk}", None),
        ("patch", f"/api/v1/companies/{company.pk}", {"name": "Roubada"}),
        ("delete", f"/api/v1/companies/{company.pk}", None),
        ("get", f"/api/v1/companies/{company.pk}/people", None),
        ("patch", f"/api/v1/custom-fields/{field.pk}", {"label": "Roubado"}),
        ("patch", f"/api/v1/tags/{tag.pk}", {"name": "roubada"}),
        ("delete", f"/api/v1/tags/{tag.pk}", None),
    ]:
        response = send(c, method, url, data) if data else getattr(c, method)(url)
        assert response.status_code == 404, (method, url, response.content)
    company.refresh_from_db()
    field.refresh_from_db()
    assert (company.name, company.deleted_at, field.label) == ("Aurora Filial", None, "Porte")
    assert Tag.objects.filter(pk=tag.pk, name="aurora").exists()


def test_lifecycle_stages_are_reordered_in_one_call(ana, carla):
    stages = services.ensure_lifecycle_stages(actor=ana.actor)
    ids = [s.pk for s in stages]
    reordered = services.reorder_lifecycle_stages(actor=ana.actor, stage_ids=ids[::-1])
    assert reordered[0].key == "advocate"
    keys = [s["key"] for s in ana.client().get("/api/v1/lifecycle-stages").json()]
    assert keys[0] == "advocate" and keys[-1] == "subscriber"
    theirs = services.ensure_lifecycle_stages(actor=carla.actor)
    import pytest

    from vinculo.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):  # another workspace's ids are not a permutation
        services.reorder_lifecycle_stages(actor=ana.actor, stage_ids=[s.pk for s in theirs])


def test_workspace_country_drives_phone_normalisation(ana):
    response = send(ana.client(), "patch", "/api/v1/workspace", {"country": "PT"})
    assert response.json()["country"] == "PT"
    person = send(
        ana.client(), "post", "/api/v1/people", {"first_name": "Zé", "phone": "912 345 678"}
    ).json()
    assert person["phone"] == "+351912345678"
    bad = send(ana.client(), "patch", "/api/v1/workspace", {"country": "XX"})
    assert bad.json()["errors"][0]["field"] == "country"
