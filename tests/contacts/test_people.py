"""People through the API: data entry, lifecycle, consent, custom fields, bulk, isolation."""

from __future__ import annotations

import pytest

from tests.api import fields_of, problem, send
from vinculo.activities.models import TimelineEntry
from vinculo.contacts import services
from vinculo.contacts.models import (
    ConsentChange,
    LifecycleChange,
    Person,
    Tag,
)
from vinculo.core.models import AuditEntry, DomainEvent

CPF = "529.982.247-25"  # a valid CPF (check digits)
CPF_2 = "111.444.777-35"


@pytest.fixture
def acme(ana):
    return services.create_company(
        actor=ana.actor, data={"name": "Acme Alimentos", "cnpj": "11.222.333/0001-81"}
    )


def test_create_person_normalises_input_and_writes_history(ana, bruno, acme):
    response = send(
        ana.client(),
        "post",
        "/api/v1/people",
        {
            "first_name": "  Maria   Clara ",
            "last_name": "Souza",
            "email": "Maria.Souza@Exemplo.COM.br",
            "phone": "(11) 98765-4321",
            "cpf": CPF,
            "owner_id": bruno.user.pk,
            "lifecycle_stage": "mql",
            "tags": ["VIP", "evento", "vip"],
            "companies": [{"company_id": acme.pk, "role": "Compradora"}],
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
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["first_name"] == "Maria Clara"
    assert body["email"] == "maria.souza@exemplo.com.br"
    assert body["phone"] == "+5511987654321"
    assert body["cpf"] == "52998224725"
    assert body["lifecycle_stage"] == "mql"
    assert body["tags"] == ["VIP", "evento"]
    assert body["companies"] == [
        {"company_id": acme.pk, "name": "Acme Alimentos", "role": "Compradora", "is_primary": True}
    ]
    assert body["consents"][0]["status"] == "opted_in"
    person = Person.objects.get(pk=body["id"])
    assert LifecycleChange.objects.get(person=person).to_stage.key == "mql"
    assert ConsentChange.objects.filter(person=person).count() == 1
    assert TimelineEntry.objects.filter(person=person, kind="person.created").exists()
    assert DomainEvent.objects.filter(name="person.created", subject_id=str(person.pk)).exists()
    assert AuditEntry.objects.filter(action="person.created", object_id=str(person.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": "Ana", "email": "ana@@exemplo"}, "email"),
        ({"first_name": "Ana", "phone": "123"}, "phone"),
        ({"first_name": "Ana", "cpf": "123.456.789-00"}, "cpf"),
        ({"first_name": "   "}, "first_name"),
        ({"first_name": "Ana", "lifecycle_stage": "king"}, "lifecycle_stage"),
        ({"first_name": "Ana", "custom_fields": {"nope": 1}}, "custom_fields.nope"),
        ({"first_name": "Ana", "preferred_channel": "pigeon"}, "preferred_channel"),
        ({"first_name": "Ana", "birth_date": "2999-01-01"}, "birth_date"),
        ({"first_name": "Ana", "companies": [{"company_id": 999999}]}, "companies.0.company_id"),
        ({"first_name": "Ana", "emial": "typo@x.com"}, "emial"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(ana, data, field):
    before = (Person.objects.count(), TimelineEntry.objects.count(), DomainEvent.objects.count())
    body = problem(send(ana.client(), "post", "/api/v1/people", data), 422)
    assert field in fields_of(body), body
    after = (Person.objects.count(), TimelineEntry.objects.count(), DomainEvent.objects.count())
    assert after == before


def test_every_bad_field_is_reported_at_once(ana):
    body = problem(
        send(
            ana.client(),
            "post",
            "/api/v1/people",
            {"first_name": "Ana", "email": "x", "phone": "1", "cpf": "1"},
        ),
        422,
    )
    assert fields_of(body) == {"email", "phone", "cpf"}


def test_owner_and_company_from_another_workspace_are_refused(ana, carla):
    theirs = services.create_company(actor=carla.actor, data={"name": "Brasa"})
    body = problem(
        send(
            ana.client(),
            "post",
            "/api/v1/people",
            {
                "first_name": "Ana",
                "owner_id": carla.user.pk,
                "companies": [{"company_id": theirs.pk}],
            },
        ),
        422,
    )
    assert fields_of(body) == {"owner_id", "companies.0.company_id"}
    assert not Person.objects.filter(workspace=ana.workspace, first_name="Ana").exists()


def test_cpf_is_unique_among_live_people(ana):
    first = services.create_person(actor=ana.actor, data={"first_name": "Um", "cpf": CPF})
    body = problem(
        send(ana.client(), "post", "/api/v1/people", {"first_name": "Dois", "cpf": CPF}), 409
    )
    assert fields_of(body) == {"cpf"}
    services.delete_person(actor=ana.actor, person_id=first.pk)
    second = services.create_person(actor=ana.actor, data={"first_name": "Dois", "cpf": CPF})
    # Restoring the first now would give two live people one CPF: refused.
    problem(ana.client().post(f"/api/v1/people/{first.pk}/restore"), 409)
    assert second.cpf == "52998224725"


def test_update_is_a_patch_with_dated_lifecycle_history(ana):
    person = services.create_person(
        actor=ana.actor,
        data={"first_name": "Rui", "email": "rui@x.com.br", "lifecycle_stage": "lead"},
    )
    client = ana.client()
    response = send(
        client,
        "patch",
        f"/api/v1/people/{person.pk}",
        {"lifecycle_stage": "customer", "job_title": "Gerente"},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["email"] == "rui@x.com.br"  # untouched
    assert body["job_title"] == "Gerente"
    history = client.get(f"/api/v1/people/{person.pk}/lifecycle").json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        (None, "lead"),
        ("lead", "customer"),
    ]
    kinds = set(TimelineEntry.objects.filter(person=person).values_list("kind", flat=True))
    assert {"person.created", "lifecycle.changed", "person.updated"} <= kinds
    assert DomainEvent.objects.filter(name="person.lifecycle_changed").count() == 1
    entry = AuditEntry.objects.filter(action="person.updated").latest("pk")
    assert entry.changes["job_title"] == ["", "Gerente"]


def test_bad_patch_changes_nothing(ana):
    person = services.create_person(actor=ana.actor, data={"first_name": "Rui"})
    body = problem(
        send(
            ana.client(),
            "patch",
            f"/api/v1/people/{person.pk}",
            {"job_title": "CEO", "email": "nope"},
        ),
        422,
    )
    assert fields_of(body) == {"email"}
    person.refresh_from_db()
    assert person.job_title == ""


def test_consent_history_is_kept_per_channel(ana):
    person = services.create_person(actor=ana.actor, data={"first_name": "Lia"})
    client = ana.client()
    url = f"/api/v1/people/{person.pk}/consents"
    assert (
        send(
            client,
            "post",
            url,
            {
                "channel": "whatsapp",
                "status": "opted_in",
                "legal_basis": "consent",
                "method": "web_form",
            },
        ).status_code
        == 201
    )
    assert (
        send(
            client,
            "post",
            url,
            {
                "channel": "whatsapp",
                "status": "opted_out",
                "legal_basis": "consent",
                "method": "email_link",
            },
        ).status_code
        == 201
    )
    body = client.get(url).json()
    assert [c["status"] for c in body["current"]] == ["opted_out"]
    assert [(h["from_status"], h["status"]) for h in body["history"]] == [
        ("unknown", "opted_in"),
        ("opted_in", "opted_out"),
    ]
    bad = problem(
        send(
            client,
            "post",
            url,
            {"channel": "fax", "status": "opted_in", "legal_basis": "consent", "method": "verbal"},
        ),
        422,
    )
    assert {"channel", "evidence"} <= fields_of(bad)


def test_custom_fields_are_typed_and_never_lost(ana):
    client = ana.client()
    for spec in [
        {
            "object_type": "person",
            "label": "Segmento",
            "field_type": "choice",
            "choices": ["varejo", "atacado"],
        },
        {"object_type": "person", "label": "Limite de crédito", "field_type": "money"},
        {"object_type": "person", "label": "Cliente desde", "field_type": "date"},
        {
            "object_type": "person",
            "label": "Interesses",
            "field_type": "multi_choice",
            "choices": ["café", "chá", "pães"],
        },
        {"object_type": "person", "label": "Matrícula", "field_type": "text", "unique": True},
    ]:
        assert send(client, "post", "/api/v1/custom-fields", spec).status_code == 201
    keys = {f["label"]: f["key"] for f in client.get("/api/v1/custom-fields").json()}
    assert keys["Limite de crédito"] == "limite_de_credito"
    created = send(
        client,
        "post",
        "/api/v1/people",
        {
            "first_name": "Ivo",
            "custom_fields": {
                "segmento": "varejo",
                "limite_de_credito": "1.500,50",
                "cliente_desde": "2024-05-01",
                "interesses": ["pães", "café"],
                "matricula": "A-1",
            },
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["custom_fields"] == {
        "segmento": "varejo",
        "limite_de_credito": "1500.50",
        "cliente_desde": "2024-05-01",
        "interesses": ["café", "pães"],
        "matricula": "A-1",
    }
    bad = problem(
        send(
            client,
            "post",
            "/api/v1/people",
            {
                "first_name": "Eva",
                "custom_fields": {
                    "segmento": "industria",
                    "limite_de_credito": "muito",
                    "cliente_desde": "ontem",
                    "matricula": "A-1",
                },
            },
        ),
        422,
    )
    assert fields_of(bad) == {
        "custom_fields.segmento",
        "custom_fields.limite_de_credito",
        "custom_fields.cliente_desde",
        "custom_fields.matricula",
    }
    # Changing the definition keeps stored values, and says how many no longer fit.
    field_id = next(
        f["id"] for f in client.get("/api/v1/custom-fields").json() if f["key"] == "segmento"
    )
    changed = send(
        client,
        "patch",
        f"/api/v1/custom-fields/{field_id}",
        {"label": "Setor", "choices": ["atacado", "indústria"]},
    ).json()
    assert changed["nonconforming"] == 1
    person = Person.objects.get(first_name="Ivo")
    assert person.custom_fields["segmento"] == "varejo"
    archived = send(client, "patch", f"/api/v1/custom-fields/{field_id}", {"archived": True})
    assert archived.json()["archived_at"]
    person.refresh_from_db()
    assert person.custom_fields["segmento"] == "varejo"


def test_required_custom_field_is_enforced_on_create(ana):
    services.create_custom_field(
        actor=ana.actor,
        data={
            "object_type": "person",
            "label": "CRM origem",
            "field_type": "text",
            "required": True,
        },
    )
    body = problem(send(ana.client(), "post", "/api/v1/people", {"first_name": "Zé"}), 422)
    assert fields_of(body) == {"custom_fields.crm_origem"}


def test_bulk_keeps_good_rows_and_reports_bad_ones(ana):
    rows = [
        {"first_name": "Ana", "email": "ana.b@x.com", "cpf": CPF, "tags": ["lote"]},
        {"first_name": "Bad", "email": "nope"},
        {"first_name": "Beto", "cpf": CPF},  # same CPF as row 0
        {"first_name": "Caio", "phone": "11 3333-4444", "lifecycle_stage": "lead"},
        "not an object",
    ]
    response = send(ana.client(), "post", "/api/v1/people/bulk", rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["first_name"] for p in body["created"]] == ["Ana", "Caio"]
    assert body["created"][1]["phone"] == "+551133334444"
    assert [(e["index"], e["errors"][0]["field"]) for e in body["errors"]] == [
        (1, "email"),
        (2, "cpf"),
        (4, ""),
    ]
    assert Person.objects.filter(workspace=ana.workspace).count() == 2
    assert Tag.objects.filter(workspace=ana.workspace, name="lote").exists()
    assert TimelineEntry.objects.filter(kind="person.created").count() == 2
    too_many = send(ana.client(), "post", "/api/v1/people/bulk", [{"first_name": "x"}] * 1001)
    assert fields_of(problem(too_many, 422)) == {"rows"}


def test_list_search_filter_sort_and_pages(ana, django_assert_max_num_queries):
    acme = services.create_company(actor=ana.actor, data={"name": "Acme"})
    for i in range(12):
        services.create_person(
            actor=ana.actor,
            data={
                "first_name": f"Pessoa{i:02d}",
                "last_name": "Silva" if i % 2 else "Costa",
                "tags": ["par"] if i % 2 == 0 else [],
                "companies": [{"company_id": acme.pk}],
            },
        )
    client = ana.client()
    with django_assert_max_num_queries(10):
        page = client.get("/api/v1/people?limit=5&sort=first_name").json()
    assert [p["first_name"] for p in page["items"]] == [f"Pessoa{i:02d}" for i in range(5)]
    names = []
    cursor = None
    while True:
        url = "/api/v1/people?limit=5&sort=-first_name" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).json()
        names += [p["first_name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert names == [f"Pessoa{i:02d}" for i in reversed(range(12))]
    assert len(client.get("/api/v1/people?q=silva&limit=50").json()["items"]) == 6
    assert len(client.get("/api/v1/people?tag=PAR").json()["items"]) == 6
    assert len(client.get(f"/api/v1/people?company_id={acme.pk}").json()["items"]) == 12
    bad = problem(client.get("/api/v1/people?sort=password"), 422)
    assert fields_of(bad) == {"sort"}


def test_soft_delete_and_restore(ana):
    person = services.create_person(actor=ana.actor, data={"first_name": "Tina"})
    client = ana.client()
    assert client.delete(f"/api/v1/people/{person.pk}").status_code == 204
    assert client.get("/api/v1/people").json()["items"] == []
    assert [p["id"] for p in client.get("/api/v1/people?deleted=true").json()["items"]] == [
        person.pk
    ]
    problem(send(client, "patch", f"/api/v1/people/{person.pk}", {"job_title": "x"}), 404)
    restored = client.post(f"/api/v1/people/{person.pk}/restore")
    assert restored.json()["deleted_at"] is None
    kinds = list(
        TimelineEntry.objects.filter(person=person).order_by("pk").values_list("kind", flat=True)
    )
    assert kinds == ["person.created", "person.deleted", "person.restored"]


def test_viewer_cannot_write_and_sales_rep_cannot_delete(vera, bruno, ana):
    person = services.create_person(actor=ana.actor, data={"first_name": "Olga"})
    body = problem(send(vera.client(), "post", "/api/v1/people", {"first_name": "X"}), 403)
    assert "Viewer" in body["detail"]
    problem(bruno.client().delete(f"/api/v1/people/{person.pk}"), 403)
    assert vera.client().get(f"/api/v1/people/{person.pk}").status_code == 200


def test_carla_cannot_touch_anas_people(ana, carla):
    person = services.create_person(
        actor=ana.actor, data={"first_name": "Secreta", "email": "s@aurora.com.br"}
    )
    services.create_person(actor=carla.actor, data={"first_name": "Da Brasa"})
    c = carla.client()
    assert [p["first_name"] for p in c.get("/api/v1/people").json()["items"]] == ["Da Brasa"]
    assert c.get("/api/v1/people?q=Secreta").json()["items"] == []
    for method, url, data in [
        ("get", f"/api/v1/people/{person.pk}", None),
        ("patch", f"/api/v1/people/{person.pk}", {"first_name": "Roubada"}),
        ("delete", f"/api/v1/people/{person.pk}", None),
        ("post", f"/api/v1/people/{person.pk}/restore", None),
        ("get", f"/api/v1/people/{person.pk}/lifecycle", None),
        ("get", f"/api/v1/people/{person.pk}/consents", None),
        (
            "post",
            f"/api/v1/people/{person.pk}/consents",
            {"channel": "email", "status": "opted_out", "legal_basis": "consent", "method": "api"},
        ),
    ]:
        response = send(c, method, url, data) if data else getattr(c, method)(url)
        assert response.status_code == 404, (method, url, response.content)
    person.refresh_from_db()
    assert person.first_name == "Secreta"
    assert person.deleted_at is None
    assert not person.consents.exists()
