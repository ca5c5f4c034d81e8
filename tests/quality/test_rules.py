"""Entry rules: required fields, formats and uniqueness per field, enforced in every write path
(single create, update, bulk API, imports through the bulk services, the web forms)."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.errors import PermissionDenied, ValidationFailed
from vinculo.core.models import AuditEntry, DomainEvent
from vinculo.quality.models import EntryRule
from vinculo.quality.services import rules
from vinculo.sales import services as sales
from vinculo.sales.models import Deal

API = "/api/v1/quality/rules"


def add_rule(persona, **data) -> EntryRule:
    return rules.create_entry_rule(actor=persona.actor, data={"object_type": "person", **data}).rule


def errors_of(exc: ValidationFailed) -> dict[str, str]:
    return {e.field: e.message for e in exc.errors}


# --- managing rules ---------------------------------------------------------------------------


def test_a_rule_is_audited_and_announced(ana):
    rule = add_rule(ana, field="state", kind="format", format="br_state")
    assert rule.is_active and rule.created_by == ana.user
    assert AuditEntry.objects.filter(action="entry_rule.created", object_id=str(rule.pk)).exists()
    assert DomainEvent.objects.filter(name="entry_rule.created", subject_id=str(rule.pk)).exists()


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"field": "shoe_size", "kind": "required"}, "field", "unknown_field"),
        ({"field": "email", "kind": "mandatory"}, "kind", "invalid_choice"),
        ({"field": "email", "kind": "format", "format": "br_state"}, "format", "not_applicable"),
        ({"field": "state", "kind": "format", "format": "klingon"}, "format", "invalid_choice"),
        ({"field": "state", "kind": "required", "format": "cep"}, "format", "invalid"),
        ({"field": "birth_date", "kind": "unique"}, "kind", "not_applicable"),
        (
            {"field": "city", "kind": "format", "format": "regex", "pattern": "[a-"},
            "pattern",
            "invalid_pattern",
        ),
        (
            {"field": "city", "kind": "format", "format": "regex", "pattern": "(a+)+$"},
            "pattern",
            "unsafe_pattern",
        ),
        (
            {"field": "city", "kind": "format", "format": "regex", "pattern": "a" * 201},
            "pattern",
            "too_long",
        ),
        (
            {"field": "city", "kind": "format", "format": "regex", "pattern": ""},
            "pattern",
            "required",
        ),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(ana, data, field, code):
    response = send(ana.client(), "post", API, {"object_type": "person", **data})
    body = problem(response, 422)
    assert field in fields_of(body)
    assert code in {e["code"] for e in body["errors"]}
    assert not EntryRule.objects.exists()


def test_an_unknown_object_type_and_a_twin_rule_are_refused(ana):
    body = problem(
        send(
            ana.client(), "post", API, {"object_type": "ticket", "field": "x", "kind": "required"}
        ),
        422,
    )
    assert fields_of(body) == {"object_type"}
    add_rule(ana, field="email", kind="unique")
    body = problem(
        send(
            ana.client(), "post", API, {"object_type": "person", "field": "email", "kind": "unique"}
        ),
        422,
    )
    assert fields_of(body) == {"field"}


def test_rules_on_custom_fields_and_archived_ones(ana):
    definition = contacts.create_custom_field(
        actor=ana.actor, data={"object_type": "person", "label": "Matrícula", "field_type": "text"}
    )
    add_rule(ana, field="custom_fields.matricula", kind="required")
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})
    assert errors_of(exc.value) == {
        "custom_fields.matricula": "Required by your workspace's entry rules."
    }
    contacts.update_custom_field(actor=ana.actor, field_id=definition.pk, data={"archived": True})
    # An archived field cannot be filled in, so its rules sleep with it.
    assert contacts.create_person(actor=ana.actor, data={"first_name": "Rui"}).pk
    body = problem(
        send(
            ana.client(),
            "post",
            API,
            {"object_type": "person", "field": "custom_fields.matricula", "kind": "unique"},
        ),
        422,
    )
    assert fields_of(body) == {"field"}


def test_creating_a_rule_counts_the_records_that_break_it_and_links_to_them(ana):
    client = ana.client()
    contacts.bulk_create_people(
        actor=ana.actor,
        rows=[
            {"first_name": "Ana", "job_title": "Chef"},
            {"first_name": "Beto"},
            {"first_name": "Caio", "state": "sp"},
            {"first_name": "Duda", "state": "SP", "email": "d@x.com.br"},
            {"first_name": "Eva", "email": "d@x.com.br"},
        ],
    )
    body = send(
        client, "post", API, {"object_type": "person", "field": "job_title", "kind": "required"}
    ).json()
    assert body["violations"] == 4
    url = body["violations_url"]
    assert url.startswith("/people/?filter=")
    tree = json.loads(unquote(url.split("filter=", 1)[1]))
    assert tree == {"field": "job_title", "op": "is_empty"}
    listed = send(client, "get", "/api/v1/people?filter=" + json.dumps(tree)).json()["items"]
    assert sorted(p["first_name"] for p in listed) == ["Beto", "Caio", "Duda", "Eva"]
    fmt = send(
        client,
        "post",
        API,
        {"object_type": "person", "field": "state", "kind": "format", "format": "br_state"},
    ).json()
    assert (fmt["violations"], fmt["violations_url"]) == (1, "")
    unique = send(
        client, "post", API, {"object_type": "person", "field": "email", "kind": "unique"}
    ).json()
    assert unique["violations"] == 2
    # Existing records are kept as they are.
    assert Person.objects.filter(workspace=ana.workspace).count() == 5


# --- formats ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "fmt", "good", "bad", "message"),
    [
        ("state", "br_state", "SP", "São Paulo", "Must be a Brazilian state code (UF)."),
        ("postal_code", "cep", "01310-100", "01310100", "Must be a CEP like 00000-000."),
        ("city", "uppercase", "RECIFE", "Recife", "Must be in capital letters."),
        ("number", "digits_only", "1200", "12-A", "Must contain digits only."),
        ("mobile_phone", "mobile_br", "(11) 98765-4321", "(11) 3456-7890",
         "Must be a Brazilian mobile number (DDD and 9 digits)."),
        ("email", "corporate_email", "rui@padaria.com.br", "rui@gmail.com",
         "Must be a corporate email address, not a free webmail one."),
    ],
)  # fmt: skip
def test_formats_are_checked_on_the_cleaned_value(ana, field, fmt, good, bad, message):
    add_rule(ana, field=field, kind="format", format=fmt)
    person = contacts.create_person(actor=ana.actor, data={"first_name": "Rui", field: good})
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_person(actor=ana.actor, data={"first_name": "Ivo", field: bad})
    assert errors_of(exc.value) == {field: message}
    # Empty values are the business of required rules, not of formats.
    assert contacts.create_person(actor=ana.actor, data={"first_name": "Zé", field: ""}).pk
    with pytest.raises(ValidationFailed):
        contacts.update_person(actor=ana.actor, person_id=person.pk, data={field: bad})


def test_a_regex_rule_with_its_own_message(ana):
    add_rule(
        ana,
        field="job_title",
        kind="format",
        format="regex",
        pattern=r"[A-Z][A-Za-z ]+",
        message="Start with a capital letter.",
    )
    assert contacts.create_person(
        actor=ana.actor, data={"first_name": "A", "job_title": "Chef De Cozinha"}
    )
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_person(actor=ana.actor, data={"first_name": "B", "job_title": "chef"})
    assert errors_of(exc.value) == {"job_title": "Start with a capital letter."}
    # A regular expression never looks at more than MAX_REGEX_INPUT characters.
    test = rules.format_test(EntryRule(format="regex", pattern=r"[A-Z][A-Za-z ]+"))
    assert test("A" + "b" * (rules.MAX_REGEX_INPUT - 1))
    assert not test("A" + "b" * rules.MAX_REGEX_INPUT)


def test_an_invalid_value_is_reported_once_not_also_by_its_rule(ana):
    add_rule(ana, field="email", kind="required")
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "email": "not-mail"})
    assert [e.field for e in exc.value.errors] == ["email"]
    assert exc.value.errors[0].code == "invalid_email"


# --- required ---------------------------------------------------------------------------------


def test_required_on_create_and_on_updates_that_touch_the_field(ana):
    add_rule(ana, field="email", kind="required")
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})
    assert errors_of(exc.value) == {"email": "Required by your workspace's entry rules."}
    assert not Person.objects.exists()
    person = contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "email": "r@a.com"})
    # A patch that does not touch the field passes, even on records that predate the rule.
    contacts.update_person(actor=ana.actor, person_id=person.pk, data={"job_title": "Chef"})
    with pytest.raises(ValidationFailed) as exc:
        contacts.update_person(actor=ana.actor, person_id=person.pk, data={"email": ""})
    assert errors_of(exc.value) == {"email": "Required by your workspace's entry rules."}
    person.refresh_from_db()
    assert person.email == "r@a.com"


def test_required_owner_and_lifecycle_stage(ana):
    add_rule(ana, field="owner_id", kind="required")
    add_rule(ana, field="lifecycle_stage", kind="required")
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "owner_id": None})
    assert set(errors_of(exc.value)) == {"owner_id", "lifecycle_stage"}
    # No owner given: the service makes the actor the owner, which fills the rule.
    person = contacts.create_person(
        actor=ana.actor, data={"first_name": "Rui", "lifecycle_stage": "lead"}
    )
    assert person.owner_id == ana.user.pk


def test_an_inactive_rule_is_not_enforced_and_can_be_switched_back(ana):
    rule = add_rule(ana, field="email", kind="required", is_active=False)
    assert contacts.create_person(actor=ana.actor, data={"first_name": "Rui"}).pk
    rules.update_entry_rule(actor=ana.actor, rule_id=rule.pk, data={"is_active": True})
    with pytest.raises(ValidationFailed):
        contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})


# --- unique -----------------------------------------------------------------------------------


def test_unique_single_create_and_update(ana):
    add_rule(ana, field="email", kind="unique")
    first = contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "email": "r@a.com"})
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_person(actor=ana.actor, data={"first_name": "Ivo", "email": "R@A.com"})
    assert errors_of(exc.value) == {
        "email": f"Another person already has this email (id {first.pk})."
    }
    other = contacts.create_person(actor=ana.actor, data={"first_name": "Ivo", "email": "i@a.com"})
    # Saving a record with its own value is no clash; taking another's is.
    contacts.update_person(actor=ana.actor, person_id=first.pk, data={"email": "r@a.com"})
    with pytest.raises(ValidationFailed):
        contacts.update_person(actor=ana.actor, person_id=other.pk, data={"email": "r@a.com"})
    # Records in the bin do not hold values.
    contacts.delete_person(actor=ana.actor, person_id=first.pk)
    contacts.update_person(actor=ana.actor, person_id=other.pk, data={"email": "r@a.com"})


def test_unique_is_per_workspace(ana, carla):
    add_rule(ana, field="email", kind="unique")
    contacts.create_person(actor=carla.actor, data={"first_name": "Rui", "email": "r@a.com"})
    assert contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "email": "r@a.com"})


def test_unique_custom_field_on_companies(ana):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "company", "label": "Código ERP", "field_type": "text"},
    )
    rules.create_entry_rule(
        actor=ana.actor,
        data={"object_type": "company", "field": "custom_fields.codigo_erp", "kind": "unique"},
    )
    first = contacts.create_company(
        actor=ana.actor, data={"name": "Aurora", "custom_fields": {"codigo_erp": "C-1"}}
    )
    with pytest.raises(ValidationFailed) as exc:
        contacts.create_company(
            actor=ana.actor, data={"name": "Brasa", "custom_fields": {"codigo_erp": "C-1"}}
        )
    assert errors_of(exc.value) == {
        "custom_fields.codigo_erp": f"Another company already has this Código ERP (id {first.pk})."
    }
    result = contacts.bulk_create_companies(
        actor=ana.actor,
        rows=[
            {"name": "Cia 1", "custom_fields": {"codigo_erp": "C-2"}},
            {"name": "Cia 2", "custom_fields": {"codigo_erp": "C-1"}},
            {"name": "Cia 3", "custom_fields": {"codigo_erp": "C-2"}},
            {"name": "Cia 4"},
        ],
    )
    assert [c.name for c in result.created] == ["Cia 1", "Cia 4"]
    assert {e.index: e.errors[0].message for e in result.errors} == {
        1: f"Another company already has this Código ERP (id {first.pk}).",
        2: "Same Código ERP as row 0.",
    }


# --- bulk: API, imports -----------------------------------------------------------------------


def test_bulk_api_keeps_the_good_rows_and_reports_each_bad_one(ana):
    add_rule(ana, field="email", kind="unique")
    add_rule(ana, field="state", kind="format", format="br_state")
    add_rule(ana, field="job_title", kind="required", message="Say what they do.")
    taken = contacts.create_person(
        actor=ana.actor, data={"first_name": "Old", "email": "old@a.com", "job_title": "Chef"}
    )
    rows = [
        {"first_name": "Ana", "email": "ana@a.com", "state": "PE", "job_title": "Chef"},
        {"first_name": "Bia", "email": "old@a.com", "job_title": "Chef"},
        {"first_name": "Cid", "email": "cid@a.com", "state": "XX", "job_title": "Chef"},
        {"first_name": "Dan", "email": "ana@a.com", "job_title": "Chef"},
        {"first_name": "Eli", "email": "eli@a.com"},
        {"first_name": "Fê", "job_title": "Garçom"},
    ]
    response = send(ana.client(), "post", "/api/v1/people/bulk", rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [p["first_name"] for p in body["created"]] == ["Ana", "Fê"]
    assert [
        (e["index"], e["errors"][0]["field"], e["errors"][0]["message"]) for e in body["errors"]
    ] == [
        (1, "email", f"Another person already has this email (id {taken.pk})."),
        (2, "state", "Must be a Brazilian state code (UF)."),
        (3, "email", "Same email as row 0."),
        (4, "job_title", "Say what they do."),
    ]
    assert Person.objects.filter(workspace=ana.workspace).count() == 3


def _queries_for_bulk(ana, n: int, offset: int) -> int:
    rows = [
        {"first_name": f"P{i}", "email": f"p{i}@a.com", "state": "SP", "job_title": "Chef"}
        for i in range(offset, offset + n)
    ]
    with CaptureQueriesContext(connection) as ctx:
        result = contacts.bulk_create_people(actor=ana.actor, rows=rows)
    assert len(result.created) == n and not result.errors
    return len(ctx.captured_queries)


def test_a_bulk_call_pays_no_query_per_row_for_its_rules(ana):
    add_rule(ana, field="email", kind="unique")
    add_rule(ana, field="state", kind="format", format="br_state")
    add_rule(ana, field="job_title", kind="required")
    small = _queries_for_bulk(ana, 20, 0)
    large = _queries_for_bulk(ana, 400, 1000)
    # Inserts are batched by the bulk insert itself; the rules add the same few queries.
    assert large - small <= 6, (small, large)


def test_imports_through_the_bulk_service_follow_the_rules(ana):
    """Imports call ``bulk_create_people`` with ``max_rows=None``: the same rules apply."""
    add_rule(ana, field="postal_code", kind="format", format="cep")
    result = contacts.bulk_create_people(
        actor=ana.actor,
        rows=[
            {"first_name": "A", "postal_code": "50000-000"},
            {"first_name": "B", "postal_code": "5"},
        ],
        max_rows=None,
    )
    assert [p.first_name for p in result.created] == ["A"]
    assert result.errors[0].index == 1 and result.errors[0].errors[0].field == "postal_code"


# --- deals ------------------------------------------------------------------------------------


def test_deal_rules_in_create_update_and_bulk(ana):
    rules.create_entry_rule(
        actor=ana.actor, data={"object_type": "deal", "field": "source", "kind": "required"}
    )
    rules.create_entry_rule(
        actor=ana.actor, data={"object_type": "deal", "field": "title", "kind": "unique"}
    )
    with pytest.raises(ValidationFailed) as exc:
        sales.create_deal(actor=ana.actor, data={"title": "Bolo de casamento"})
    assert errors_of(exc.value) == {"source": "Required by your workspace's entry rules."}
    deal = sales.create_deal(actor=ana.actor, data={"title": "Bolo", "source": "Feira"})
    with pytest.raises(ValidationFailed) as exc:
        sales.create_deal(actor=ana.actor, data={"title": "Bolo", "source": "Site"})
    assert errors_of(exc.value) == {"title": f"Another deal already has this title (id {deal.pk})."}
    sales.update_deal(actor=ana.actor, deal_id=deal.pk, data={"amount": "10.00"})
    with pytest.raises(ValidationFailed):
        sales.update_deal(actor=ana.actor, deal_id=deal.pk, data={"source": ""})
    result = sales.bulk_create_deals(
        actor=ana.actor,
        rows=[
            {"title": "Torta", "source": "Site"},
            {"title": "Bolo", "source": "Site"},
            {"title": "Pão", "source": ""},
            {"title": "Torta", "source": "Site"},
            {"title": "Café", "source": "Site"},
        ],
    )
    assert [d.title for d in result.created] == ["Torta", "Café"]
    assert [(e.index, e.errors[0].field) for e in result.errors] == [
        (1, "title"),
        (2, "source"),
        (3, "title"),
    ]
    assert Deal.objects.filter(workspace=ana.workspace).count() == 3


def test_bulk_deals_api_reports_rule_violations(ana):
    rules.create_entry_rule(
        actor=ana.actor,
        data={"object_type": "deal", "field": "source", "kind": "format", "format": "uppercase"},
    )
    response = send(
        ana.client(),
        "post",
        "/api/v1/deals/bulk",
        [{"title": "A", "source": "SITE"}, {"title": "B", "source": "site"}],
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [d["title"] for d in body["created"]] == ["A"]
    assert body["errors"][0]["index"] == 1
    assert body["errors"][0]["errors"][0]["field"] == "source"


# --- API --------------------------------------------------------------------------------------


def test_api_crud(ana):
    client = ana.client()
    created = send(
        client,
        "post",
        API,
        {"object_type": "company", "field": "state", "kind": "format", "format": "br_state"},
    )
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["field_label"] == "State" and rule["violations"] == 0
    listed = send(client, "get", API + "?object_type=company").json()
    assert [r["id"] for r in listed] == [rule["id"]]
    assert send(client, "get", API + "?object_type=person").json() == []
    patched = send(client, "patch", f"{API}/{rule['id']}", {"is_active": False, "message": "UF!"})
    assert patched.json()["is_active"] is False and patched.json()["message"] == "UF!"
    body = problem(send(client, "patch", f"{API}/{rule['id']}", {"field": "city"}), 422)
    assert fields_of(body) == {"field"}
    assert send(client, "get", f"{API}/{rule['id']}").json()["message"] == "UF!"
    assert send(client, "delete", f"{API}/{rule['id']}").status_code == 204
    problem(send(client, "get", f"{API}/{rule['id']}"), 404)
    fields = send(client, "get", API + "/fields?object_type=person").json()
    email = next(f for f in fields if f["name"] == "email")
    assert email["formats"] == ["corporate_email", "regex"] and email["may_be_unique"]


def test_carla_cannot_see_or_touch_anas_rules(ana, carla):
    rule = add_rule(ana, field="email", kind="unique")
    client = carla.client()
    assert send(client, "get", API).json() == []
    problem(send(client, "get", f"{API}/{rule.pk}"), 404)
    problem(send(client, "patch", f"{API}/{rule.pk}", {"is_active": False}), 404)
    problem(send(client, "delete", f"{API}/{rule.pk}"), 404)
    rule.refresh_from_db()
    assert rule.is_active
    # Ana's rule does not govern Carla's workspace.
    contacts.create_person(actor=carla.actor, data={"first_name": "X", "email": "x@a.com"})
    assert contacts.create_person(actor=carla.actor, data={"first_name": "Y", "email": "x@a.com"})


def test_vera_reads_rules_but_cannot_change_them(ana, vera, bruno):
    rule = add_rule(ana, field="email", kind="unique")
    client = vera.client()
    assert [r["id"] for r in send(client, "get", API).json()] == [rule.pk]
    data = {"object_type": "person", "field": "city", "kind": "required"}
    problem(send(client, "post", API, data), 403)
    problem(send(client, "patch", f"{API}/{rule.pk}", {"is_active": False}), 403)
    problem(send(client, "delete", f"{API}/{rule.pk}"), 403)
    problem(send(bruno.client(), "post", API, data), 403)
    with pytest.raises(PermissionDenied):
        rules.delete_entry_rule(actor=bruno.actor, rule_id=rule.pk)
    assert EntryRule.objects.count() == 1


# --- screens ----------------------------------------------------------------------------------


def test_rules_screen_add_toggle_delete(ana):
    contacts.create_person(actor=ana.actor, data={"first_name": "Sem cargo"})
    client = ana.web()
    assert "/quality/rules/" in client.get("/settings/").content.decode()
    page = client.get("/quality/rules/?object=person")
    assert page.status_code == 200 and "New rule" in page.content.decode()
    response = client.post(
        "/quality/rules/new/",
        {"object_type": "person", "field": "job_title", "kind": "required", "message": ""},
    )
    assert response.status_code == 302
    rule = EntryRule.objects.get(workspace=ana.workspace)
    html = client.get(response["Location"]).content.decode()
    assert "1 existing record breaks this rule" in html
    assert "/people/?filter=" in html
    row = client.post(f"/quality/rules/{rule.pk}/toggle/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and "Switch on" in row.content.decode()
    rule.refresh_from_db()
    assert not rule.is_active
    gone = client.post(f"/quality/rules/{rule.pk}/delete/", HTTP_HX_REQUEST="true")
    assert gone.status_code == 200 and gone.content == b""
    assert not EntryRule.objects.exists()


def test_rules_screen_shows_the_services_errors_and_keeps_the_input(ana):
    client = ana.web()
    response = client.post(
        "/quality/rules/new/",
        {"object_type": "person", "field": "city", "kind": "format", "format": "regex",
         "pattern": "(a+)+", "message": "Minha mensagem"},
    )  # fmt: skip
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nested repetition such as (a+)+ can take forever to check" in html
    assert 'value="Minha mensagem"' in html
    assert not EntryRule.objects.exists()


def test_rules_screen_is_read_only_for_vera_and_closed_to_carla(ana, vera, carla):
    rule = add_rule(ana, field="email", kind="unique")
    vera_client = vera.web()
    html = vera_client.get("/quality/rules/").content.decode()
    assert "Read only" in html and "New rule" not in html and "Switch off" not in html
    assert (
        vera_client.post(
            "/quality/rules/new/", {"object_type": "person", "field": "city", "kind": "required"}
        ).status_code
        == 403
    )
    assert vera_client.post(f"/quality/rules/{rule.pk}/toggle/").status_code == 403
    carla_client = carla.web()
    carla_page = carla_client.get("/quality/rules/").content.decode()
    assert f'id="rule-{rule.pk}"' not in carla_page
    assert "No entry rules for this record type yet." in carla_page
    assert carla_client.post(f"/quality/rules/{rule.pk}/toggle/").status_code == 404
    assert carla_client.post(f"/quality/rules/{rule.pk}/delete/").status_code == 404
    rule.refresh_from_db()
    assert rule.is_active


def test_the_person_form_shows_the_rule_message(ana):
    add_rule(ana, field="job_title", kind="required", message="Todo contato precisa de um cargo.")
    client = ana.web()
    response = client.post(
        "/people/new/", {"first_name": "Rui", "last_name": "Lima", "job_title": ""}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Todo contato precisa de um cargo." in html
    assert 'value="Lima"' in html
    assert not Person.objects.exists()
    assert not Company.objects.exists()


def test_listing_rules_costs_the_same_few_queries_for_many_rules(
    ana, django_assert_max_num_queries
):
    client = ana.client()
    for field in ("email", "phone", "mobile_phone", "first_name", "last_name", "city"):
        add_rule(ana, field=field, kind="unique")
    with django_assert_max_num_queries(12):
        listed = send(client, "get", API).json()
    assert len(listed) == 6


def test_unsafe_patterns_are_refused_and_plain_ones_accepted():
    for unsafe in (r"(a+)+$", r"(\w*)*x", r"(a|aa)+$", r"(x{2,})+"):
        with pytest.raises(ValidationFailed):
            rules.compile_pattern(unsafe)
    for safe, example in (
        (r"[A-Z]{2}-\d{4}", "SP-1234"),
        (r"(ab)+", "abab"),
        (r"\d{5}-\d{3}", "01310-100"),
        (r"[a-z]+@empresa\.com\.br", "rui@empresa.com.br"),
    ):
        assert rules.compile_pattern(safe).fullmatch(example)


def test_violations_of_company_and_deal_rules(ana):
    contacts.create_company(actor=ana.actor, data={"name": "Sem dono", "owner_id": None})
    contacts.create_company(actor=ana.actor, data={"name": "Com dono"})
    created = rules.create_entry_rule(
        actor=ana.actor, data={"object_type": "company", "field": "owner_id", "kind": "required"}
    )
    assert created.violations == 1
    assert created.list_url.startswith("/companies/?filter=")
    assert json.loads(unquote(created.list_url.split("filter=", 1)[1]))["field"] == "owner"
    person = contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})
    sales.create_deal(actor=ana.actor, data={"title": "Com pessoa", "person_id": person.pk})
    sales.create_deal(actor=ana.actor, data={"title": "Sem pessoa"})
    # The filter language has no "person" field on deals: counted, without a link.
    created = rules.create_entry_rule(
        actor=ana.actor, data={"object_type": "deal", "field": "person_id", "kind": "required"}
    )
    assert (created.violations, created.list_url) == (1, "")
