"""A person's and a company's write contract is declared once (vinculo.contacts.contract) and
every path that writes them reads it: the API's input schemas, the service's cleaning, the
screens' forms, the import's targets, the entry rules' field catalogue and the web forms' fields.
So one bad value gets the same field-level message whichever path it comes by."""

from __future__ import annotations

import io
from html import escape

import pytest
from django.utils import translation

from tests.api import problem, send
from vinculo.api import api
from vinculo.contacts import services
from vinculo.contacts.contract import COMPANY, PERSON
from vinculo.contacts.models import Company, Person
from vinculo.contacts.views import PERSON_NEW_FIELDS
from vinculo.core.contracts import Kind
from vinculo.core.errors import ValidationFailed
from vinculo.quality.models import ImportObject, ImportRowError, RuleObject
from vinculo.quality.services import imports
from vinculo.quality.services.import_files import FIELDS
from vinculo.quality.services.import_messages import reasons_out
from vinculo.quality.services.rule_fields import STANDARD_FIELDS
from vinculo.webforms.services.forms import STANDARD_FIELDS as FORM_FIELDS


def _schema(name: str) -> dict:
    return api.get_openapi_schema()["components"]["schemas"][name]


@pytest.mark.parametrize(
    ("contract", "patch", "create", "required"),
    [
        (PERSON, "PersonIn", "PersonCreate", "first_name"),
        (COMPANY, "CompanyIn", "CompanyCreate", "name"),
    ],
)
def test_the_api_input_is_the_contract(db, contract, patch, create, required):
    api_fields = {f.name for f in contract if f.api}
    assert set(_schema(patch)["properties"]) == api_fields
    assert "required" not in _schema(patch)  # a patch sends what changes
    assert set(_schema(create)["properties"]) == api_fields
    assert _schema(create)["required"] == [required]
    assert "created_at" not in api_fields  # an import's historical time, never the API's


def test_imports_rules_and_web_forms_read_the_contract():
    people, companies = FIELDS[ImportObject.PEOPLE], FIELDS[ImportObject.COMPANIES]
    for contract, targets in ((PERSON, people), (COMPANY, companies)):
        for field in contract:
            if field.aliases:
                assert targets[field.name][1] == list(field.aliases)
    assert people["birth_date"][0] == "date" and companies["employees"][0] == "integer"
    assert people["tags"][0] == "list" and people["created_at"][0] == "datetime"
    rules = STANDARD_FIELDS[RuleObject.PERSON]
    assert rules["email"] == "email" and rules["birth_date"] == "date"
    assert rules["preferred_channel"] == "ref" and "tags" not in rules
    assert STANDARD_FIELDS[RuleObject.COMPANY]["annual_revenue"] == "number"
    assert FORM_FIELDS["mobile_phone"] == (PERSON["mobile_phone"].label, "tel", "tel")
    assert FORM_FIELDS["birth_date"][1:] == ("date", "bday")


# One bad value per kind the contract cleans, with the message every path must give.
BAD = [
    ("email", "rita@", "is not a valid email address"),
    ("cpf", "111.111.111-12", "CPF"),
    ("birth_date", "2999-01-01", "Cannot be in the future."),
    ("preferred_channel", "pigeon", "pigeon"),
    ("country", "Brasil", "Use a two-letter country code (BR)."),
    ("first_name", "x" * 101, "100"),
]


def _service_message(ana, field: str, value: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        services.create_person(actor=ana.actor, data={"first_name": "Rita", field: value})
    [error] = [e for e in caught.value.errors if e.field == field]
    return error.message


@pytest.mark.parametrize(("field", "value", "said"), BAD, ids=[b[0] for b in BAD])
def test_one_bad_value_gets_one_message_on_every_path(ana, field, value, said):
    translation.activate("en")
    message = _service_message(ana, field, value)
    assert said in message

    row = {"first_name": "Rita", field: value}
    body = problem(send(ana.client(), "post", "/api/v1/people", row), 422)
    assert [e["message"] for e in body["errors"] if e["field"] == field] == [message]

    bulk = send(ana.client(), "post", "/api/v1/people/bulk", [row])
    [refused] = bulk.json()["errors"]
    assert [e["message"] for e in refused["errors"] if e["field"] == field] == [message]

    if field in dict(PERSON_NEW_FIELDS):
        page = ana.web().post("/people/new/", {"first_name": "Rita", field: value})
        assert page.status_code == 422 and escape(message) in page.content.decode()

    job = imports.create_import(
        actor=ana.actor,
        object_type="people",
        file_name="um.csv",
        content=io.BytesIO(f"Nome;Valor\nRita;{value}\n".encode()),
    )
    # The name column is the surname when the bad value is the first name itself.
    mapping = {"Nome": "last_name" if field == "first_name" else "first_name", "Valor": field}
    imports.set_mapping(actor=ana.actor, job_id=job.pk, mapping=mapping)
    imports.start_import(actor=ana.actor, job_id=job.pk)
    imports.run_import(job.pk)
    [rejected] = ImportRowError.objects.filter(job=job, dry_run=False)
    assert [r["message"] for r in reasons_out(rejected.reasons)] == [message]
    assert not Person.objects.exists()


def test_company_kinds_are_cleaned_by_the_contract(ana):
    with pytest.raises(ValidationFailed) as caught:
        services.create_company(
            actor=ana.actor,
            data={"name": "Acme", "employees": "many", "domain": "acme", "annual_revenue": "-1"},
        )
    assert {e.field for e in caught.value.errors} == {"employees", "domain", "annual_revenue"}
    company = services.create_company(
        actor=ana.actor,
        data={"name": " Acme  Pães ", "employees": "12", "website": "https://www.acme.com.br/x"},
    )
    assert (company.name, company.employees, company.domain) == ("Acme Pães", 12, "acme.com.br")
    assert not Company.objects.filter(name="Acme").exists()


def test_unknown_fields_are_refused_by_name_on_every_record(ana):
    for create, required in (
        (services.create_person, "first_name"),
        (services.create_company, "name"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            create(actor=ana.actor, data={required: "X", "shoe_size": 42})
        assert [(e.field, e.code) for e in caught.value.errors] == [("shoe_size", "unknown_field")]
    assert Kind.TEXT in {f.kind for f in PERSON}
