"""Bad input through the API answers a 4xx problem naming the field, never a 500, and writes
nothing: huge decimals, integers beyond 64 bits, negative positions, deep filters in a query
string, broken URLs, lone surrogates, NUL bytes and CSV files with CR-only line ends."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts_services
from vinculo.contacts.models import Company, CustomFieldDefinition, LifecycleStage, Person
from vinculo.core.errors import ValidationFailed
from vinculo.quality.models import ImportJob
from vinculo.sales.models import Deal, Pipeline, Stage

HUGE = 2**64 + 1


def _pipeline(persona) -> Pipeline:
    response = send(persona.client(), "post", "/api/v1/pipelines", {"name": "Vendas diretas"})
    assert response.status_code == 201, response.content
    return Pipeline.objects.get(pk=response.json()["id"])


def _raw(client: Client, method: str, url: str, body: str):
    """A request whose JSON body is sent as written (lone surrogates, huge numbers)."""
    return getattr(client, method)(url, data=body, content_type="application/json")


@pytest.mark.parametrize("amount", ["1e308", "1e999999", "-1e999999", "1E+400"])
def test_huge_decimals_are_refused_by_field(ana, amount):
    pipeline = _pipeline(ana)
    response = _raw(
        ana.client(),
        "post",
        "/api/v1/deals",
        f'{{"title": "Forno", "pipeline_id": {pipeline.pk}, "amount": {amount}}}',
    )
    assert "amount" in fields_of(problem(response, 422))
    response = send(
        ana.client(),
        "post",
        "/api/v1/deals",
        {"title": "Forno", "pipeline_id": pipeline.pk, "amount": amount},
    )
    assert "amount" in fields_of(problem(response, 422))
    assert not Deal.objects.filter(workspace=ana.workspace).exists()


def test_integers_beyond_64_bits_in_bodies_are_refused_by_field(ana):
    response = _raw(
        ana.client(), "post", "/api/v1/people", f'{{"first_name": "Ana", "owner_id": {HUGE}}}'
    )
    assert "owner_id" in fields_of(problem(response, 422))
    response = _raw(
        ana.client(), "post", "/api/v1/companies", f'{{"name": "Aurora", "owner_id": {-HUGE}}}'
    )
    assert "owner_id" in fields_of(problem(response, 422))
    assert not Person.objects.filter(workspace=ana.workspace).exists()
    assert not Company.objects.filter(workspace=ana.workspace).exists()


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/people/{HUGE}",
        f"/api/v1/deals/{HUGE}",
        f"/api/v1/people?owner_id={HUGE}",
        f"/api/v1/people?company_id={HUGE}",
        f"/api/v1/audit?actor_id={HUGE}",
    ],
)
def test_integers_beyond_64_bits_in_paths_and_queries_are_refused(ana, carla, url):
    for persona in (ana, carla):
        response = persona.client().get(url)
        assert response.status_code in (404, 422), response.content
        assert response["Content-Type"] == "application/problem+json"
        if response.status_code == 422:
            assert fields_of(response.json())


def test_negative_positions_are_refused_by_field(ana, carla):
    pipeline = _pipeline(ana)
    stage = Stage.objects.filter(pipeline=pipeline).first()
    assert stage is not None
    response = send(
        ana.client(),
        "post",
        f"/api/v1/pipelines/{pipeline.pk}/stages",
        {"name": "X", "position": -5},
    )
    assert "position" in fields_of(problem(response, 422))
    response = send(
        ana.client(),
        "post",
        "/api/v1/custom-fields",
        {
            "object_type": "person",
            "key": "segmento",
            "label": "Segmento",
            "field_type": "text",
            "position": -1,
        },
    )
    assert "position" in fields_of(problem(response, 422))
    assert not CustomFieldDefinition.objects.filter(workspace=ana.workspace).exists()
    stages = LifecycleStage.objects.filter(workspace=ana.workspace).count()
    response = send(
        ana.client(), "post", "/api/v1/lifecycle-stages", {"name": "Fã", "position": -1}
    )
    assert "position" in fields_of(problem(response, 422))
    assert LifecycleStage.objects.filter(workspace=ana.workspace).count() == stages
    # Carla still gets 404 for Ana's pipeline.
    response = send(
        carla.client(), "post", f"/api/v1/pipelines/{pipeline.pk}/stages", {"name": "X"}
    )
    problem(response, 404)


def test_a_filter_nested_1000_deep_in_a_query_string_is_refused(ana):
    deep = '{"not": ' * 1000 + '{"field": "name", "op": "eq", "value": "x"}' + "}" * 1000
    for url in ("/api/v1/people", "/api/v1/companies", "/api/v1/deals", "/api/v1/activities"):
        response = ana.client().get(f"{url}?filter={quote(deep)}")
        assert response.status_code in (400, 422), (url, response.content)
        assert "filter" in fields_of(problem(response, response.status_code)), url


@pytest.mark.parametrize("website", ["http://[::1", "https://[zz]/", "http://a.b:99999"])
def test_a_broken_website_is_refused_by_field(ana, website):
    response = send(
        ana.client(), "post", "/api/v1/companies", {"name": "Aurora", "website": website}
    )
    assert "website" in fields_of(problem(response, 422))
    assert not Company.objects.filter(workspace=ana.workspace).exists()


def test_a_broken_allowed_domain_is_refused_by_field(ana):
    response = send(ana.client(), "patch", "/api/v1/tracking", {"allowed_domains": ["http://[::1"]})
    assert "allowed_domains.0" in fields_of(problem(response, 422))
    response = send(
        ana.client(),
        "post",
        "/api/v1/forms",
        {
            "name": "Contato",
            "fields": [{"key": "first_name"}, {"key": "email"}],
            "allowed_domains": ["ok.example.com", "http://[::1"],
        },
    )
    assert "allowed_domains.1" in fields_of(problem(response, 422))


@pytest.mark.parametrize("bad", ["\\ud800", "\\udfff", "a\\u0000b"])
def test_lone_surrogates_and_nul_in_bodies_are_refused_by_field(ana, bad):
    response = _raw(ana.client(), "post", "/api/v1/people", f'{{"first_name": "Ana {bad}"}}')
    assert "first_name" in fields_of(problem(response, 422))
    response = _raw(
        ana.client(), "post", "/api/v1/companies", f'{{"name": "Ok", "tags": ["x", "{bad}"]}}'
    )
    assert "tags.1" in fields_of(problem(response, 422))
    response = _raw(
        ana.client(),
        "post",
        "/api/v1/people",
        f'{{"first_name": "Ok", "custom_fields": {{"k{bad}": "v"}}}}',
    )
    assert problem(response, 422)["errors"]
    assert not Person.objects.filter(workspace=ana.workspace).exists()
    assert not Company.objects.filter(workspace=ana.workspace).exists()


@pytest.mark.parametrize("bad", ["%00", "a%00b", "%ED%A0%80"])
def test_nul_and_broken_text_in_query_strings_are_refused_by_field(ana, bad):
    response = ana.client().get(f"/api/v1/people?q={bad}")
    if bad == "%ED%A0%80":
        # Not UTF-8: Django reads it as U+FFFD, a plain character.
        assert response.status_code == 200
        return
    assert "q" in fields_of(problem(response, 422))


def test_a_csv_with_cr_only_line_ends_is_read(ana, carla):
    content = b"name,email\rAna Lima,ana@lima.test\rBia Souza,bia@souza.test\r"
    response = ana.client().post(
        "/api/v1/quality/imports",
        {"file": SimpleUploadedFile("old-mac.csv", content), "object_type": "people"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["headers"] == ["name", "email"]
    problem(carla.client().get(f"/api/v1/quality/imports/{body['id']}"), 404)
    assert ImportJob.objects.filter(workspace=ana.workspace).count() == 1


@pytest.mark.parametrize("bad", ["Ana\x00", "Ana\ud800"])
def test_services_refuse_unstorable_text_from_imports_and_forms(ana, bad):
    # What an imported cell or a form field hands the services directly, without the API.
    with pytest.raises(ValidationFailed) as refused:
        contacts_services.create_person(actor=ana.actor, data={"first_name": bad})
    assert [e.field for e in refused.value.errors] == ["first_name"]
    assert not Person.objects.filter(workspace=ana.workspace).exists()
