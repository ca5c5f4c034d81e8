"""A deal's write contract is declared once (vinculo.sales.contract) and every path that writes
deals reads it: the API's input schemas, the service's cleaning, the deal form, the import's
targets and the entry rules' field catalogue. So one bad value gets the same field-level message
whichever path it comes by."""

from __future__ import annotations

import io
from html import escape

import pytest
from django.utils import translation

from tests.api import problem, send
from vinculo.api import api
from vinculo.core.contracts import Kind
from vinculo.core.errors import ValidationFailed
from vinculo.quality.models import ImportObject, ImportRowError, RuleObject
from vinculo.quality.services import imports
from vinculo.quality.services.import_files import FIELDS
from vinculo.quality.services.import_messages import reasons_out
from vinculo.quality.services.rule_fields import STANDARD_FIELDS
from vinculo.sales import services
from vinculo.sales.contract import DEAL
from vinculo.sales.models import Deal
from vinculo.sales.views import DEAL_FIELDS


def _schema(name: str) -> dict:
    return api.get_openapi_schema()["components"]["schemas"][name]


def test_the_api_input_is_the_contract(db):
    api_fields = [f.name for f in DEAL if f.api]
    assert list(_schema("DealPatch")["properties"]) == api_fields
    assert "required" not in _schema("DealPatch")  # a patch sends what changes
    create = _schema("DealIn")
    assert list(create["properties"]) == api_fields
    assert create["required"] == ["title"]
    # what a new deal without them gets: empty text, not null
    for name in ("lost_note", "source", "description"):
        assert create["properties"][name]["default"] == "" and DEAL[name].api_default == ""
    assert create["properties"]["amount"]["examples"] == ["1500.00"]
    # an import's history is not the API's single create
    assert {"created_at", "stage_history"} <= DEAL.names - set(api_fields)


def test_the_form_imports_and_rules_read_the_contract():
    assert [(name, kind) for name, _label, kind in DEAL_FIELDS] == [
        ("title", "text"),
        ("amount", "decimal"),
        ("currency", "currency"),
        ("expected_close_date", "date"),
        ("source", "text"),
    ]
    assert all(label == DEAL[name].label for name, label, _kind in DEAL_FIELDS)
    targets = FIELDS[ImportObject.DEALS]
    for field in DEAL:
        if field.aliases:
            assert targets[field.name][1] == list(field.aliases)
    assert (targets["amount"][0], targets["expected_close_date"][0]) == ("decimal", "date")
    assert (targets["tags"][0], targets["currency"][0]) == ("list", "text")
    # the import's own targets, by name or email, stay the import's
    assert {"stage", "pipeline", "person", "company", "owner"} <= set(targets)
    rules = STANDARD_FIELDS[RuleObject.DEAL]
    assert rules == {
        "title": "text",
        "source": "text",
        "description": "long_text",
        "expected_close_date": "date",
        "owner_id": "ref",
        "person_id": "ref",
        "company_id": "ref",
    }
    assert DEAL["person_id"].kind is Kind.RECORD and DEAL["currency"].kind is Kind.CURRENCY


# One bad value per plain field the contract cleans, with the message every path must give.
BAD = [
    ("title", "x" * 201, "200"),
    ("amount", "-5", "at least 0.00"),
    ("amount", "10000000000000", "too large"),  # 14 digits at most, 2 of them decimals
    ("currency", "XYZ", "XYZ"),
    ("expected_close_date", "2026-02-30", "2026-02-30"),
    ("source", "x" * 61, "60"),
]


def _service_message(ana, field: str, value: str) -> str:
    with pytest.raises(ValidationFailed) as caught:
        services.create_deal(actor=ana.actor, data={"title": "Bolo", field: value})
    [error] = [e for e in caught.value.errors if e.field == field]
    return error.message


@pytest.mark.parametrize(("field", "value", "said"), BAD, ids=[f"{b[0]}-{len(b[1])}" for b in BAD])
def test_one_bad_value_gets_one_message_on_every_path(ana, vendas, field, value, said):
    translation.activate("en")
    message = _service_message(ana, field, value)
    assert said in message

    row = {"title": "Bolo", field: value}
    body = problem(send(ana.client(), "post", "/api/v1/deals", row), 422)
    assert [e["message"] for e in body["errors"] if e["field"] == field] == [message]

    bulk = send(ana.client(), "post", "/api/v1/deals/bulk", [row])
    [refused] = bulk.json()["errors"]
    assert [e["message"] for e in refused["errors"] if e["field"] == field] == [message]

    page = ana.web().post("/deals/new/", {"title": "Bolo", "currency": "BRL", field: value})
    assert page.status_code == 422 and escape(message) in page.content.decode()

    job = imports.create_import(
        actor=ana.actor,
        object_type="deals",
        file_name="um.csv",
        content=io.BytesIO(f"Nome;Valor\nBolo;{value}\n".encode()),
    )
    # The name column is ignored when the bad value is the title itself.
    mapping = {"Nome": "" if field == "title" else "title", "Valor": field}
    imports.set_mapping(actor=ana.actor, job_id=job.pk, mapping=mapping)
    imports.start_import(actor=ana.actor, job_id=job.pk)
    imports.run_import(job.pk)
    [rejected] = ImportRowError.objects.filter(job=job, dry_run=False)
    assert [r["message"] for r in reasons_out(rejected.reasons)] == [message]
    assert not Deal.objects.exists()


def test_the_contract_cleans_the_plain_fields(ana, vendas):
    deal = services.create_deal(
        actor=ana.actor,
        data={"title": "  Bolo   de  festa ", "amount": "1.234,50", "currency": "usd"},
    )
    assert (deal.title, str(deal.amount), deal.currency) == ("Bolo de festa", "1234.50", "USD")
    assert (deal.source, deal.description, deal.lost_note) == ("", "", "")
    # a blank currency is the workspace's, also on a change; a blank amount changes nothing
    services.update_deal(actor=ana.actor, deal_id=deal.pk, data={"currency": "", "amount": ""})
    deal.refresh_from_db()
    assert (deal.currency, str(deal.amount)) == (ana.workspace.default_currency, "1234.50")


def test_unknown_fields_are_refused_by_name(ana, vendas):
    with pytest.raises(ValidationFailed) as caught:
        services.create_deal(actor=ana.actor, data={"title": "Bolo", "shoe_size": 42})
    assert [(e.field, e.code) for e in caught.value.errors] == [("shoe_size", "unknown_field")]
    result = services.bulk_create_deals(actor=ana.actor, rows=[{"title": "Bolo", "colour": "red"}])
    [refused] = result.errors
    assert [(e.field, e.code) for e in refused.errors] == [("colour", "unknown_field")]
    assert not Deal.objects.exists()
