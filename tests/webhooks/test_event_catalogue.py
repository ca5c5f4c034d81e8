"""The webhook catalogue, its API listing and docs/event-types.md are read from the event type
declarations: the same names, descriptions, payload schemas and examples everywhere."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator

from tests.integrations.test_openapi_contract import conforms
from vinculo.core.event_types import EVENT_TYPES
from vinculo.integrations import catalog_docs

pytestmark = pytest.mark.django_db
API = "/api/v1"
DOC = Path(__file__).resolve().parents[2] / catalog_docs.DOC_PATH
DECLARED = sorted(n for n in EVENT_TYPES if not n.startswith("test."))


def test_the_api_lists_every_declared_type_with_its_schema_and_an_example_body(ana):
    openapi = Client().get(f"{API}/openapi.json").json()
    response = ana.client().get(f"{API}/webhooks/event-types")
    conforms(openapi, "get", f"{API}/webhooks/event-types", response)

    listed = {t["name"]: t for t in response.json()}
    assert sorted(listed) == DECLARED
    for name, item in listed.items():
        declared = EVENT_TYPES[name]
        assert item["description"] == declared.description
        assert item["payload_schema"] == declared.json_schema()
        assert item["example"]["type"] == name
        payload = item["example"]["data"]["payload"]
        assert payload == dict(declared.example)
        Draft202012Validator(item["payload_schema"]).validate(payload)


def test_a_listed_schema_refuses_what_the_event_never_carries(ana):
    listed = {t["name"]: t for t in ana.client().get(f"{API}/webhooks/event-types").json()}
    schema = Draft202012Validator(listed["deal.stage_changed"]["payload_schema"])
    example = listed["deal.stage_changed"]["example"]["data"]["payload"]

    assert schema.is_valid(example)
    assert not schema.is_valid({**example, "amount": 1500})  # amounts are decimal texts
    assert not schema.is_valid({**example, "status": "maybe"})
    assert not schema.is_valid({k: v for k, v in example.items() if k != "to_stage"})


def test_the_webhook_screen_offers_every_declared_type(ana):
    page = ana.web().get(reverse("integrations:webhook_new")).content.decode()
    for name in DECLARED:
        assert f'value="{name}"' in page


def test_the_docs_page_is_written_from_the_declarations():
    out = StringIO()
    call_command("eventtypes", stdout=out)
    written = out.getvalue()
    assert written == catalog_docs.markdown()
    for name in DECLARED:
        assert f"### `{name}`" in written
    assert DOC.read_text(encoding="utf-8") == written, (
        "docs/event-types.md is out of date: "
        "PYTHONPATH=src vinculo manage eventtypes > docs/event-types.md"
    )
