"""Exports: a saved view, a filter or the list screen to CSV/XLSX, direct or in the background,
with custom-field columns, audited, and never across workspaces."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.core import services as core_services
from vinculo.core.models import AuditEntry
from vinculo.quality.models import ExportJob, ExportStatus
from vinculo.quality.services import exports
from vinculo.quality.services.exports import ExportSpec

SAO_PAULO = {"all": [{"field": "city", "op": "eq", "value": "São Paulo"}]}


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need to read UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(data: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(data)).active
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


@pytest.fixture
def people(ana):
    """Three people in São Paulo (one with accents, custom values and tags), two elsewhere."""
    contacts.create_custom_field(
        actor=ana.actor,
        data={
            "object_type": "person",
            "key": "segmento",
            "label": "Segmento de mercado",
            "field_type": "choice",
            "choices": [{"value": "varejo", "label": "Varejo"}, {"value": "b2b", "label": "B2B"}],
        },
    )
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "key": "limite", "label": "Limite", "field_type": "money"},
    )
    contacts.create_custom_field(
        actor=ana.actor,
        data={
            "object_type": "person",
            "key": "desde",
            "label": "Cliente desde",
            "field_type": "date",
        },
    )
    made = {
        "joao": contacts.create_person(
            actor=ana.actor,
            data={
                "first_name": "João",
                "last_name": "Conceição",
                "email": "joao@acucar.com.br",
                "phone": "(11) 98765-4321",
                "city": "São Paulo",
                "job_title": '=HYPERLINK("x")',
                "tags": ["feira", "açaí"],
                "custom_fields": {"segmento": "varejo", "limite": "1234.5", "desde": "2024-03-01"},
            },
        ),
        "bia": contacts.create_person(
            actor=ana.actor, data={"first_name": "Bia", "city": "São Paulo"}
        ),
        "caio": contacts.create_person(
            actor=ana.actor,
            data={"first_name": "Caio", "city": "São Paulo", "custom_fields": {"segmento": "b2b"}},
        ),
        "rio": contacts.create_person(actor=ana.actor, data={"first_name": "Rita", "city": "Rio"}),
        "bh": contacts.create_person(actor=ana.actor, data={"first_name": "Beto", "city": "BH"}),
    }
    return made


@pytest.fixture
def sp_view(ana, people):
    return core_services.save_view(
        actor=ana.actor,
        data={"object_type": "person", "name": "Capital", "filter": SAO_PAULO, "shared": False},
    )


def _download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def test_a_saved_view_exports_exactly_its_rows_with_custom_field_columns(ana, people, sp_view):
    client = ana.client()
    created = send(
        client, "post", "/api/v1/quality/exports", {"object_type": "person", "view_id": sp_view.pk}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "done" and body["row_count"] == 3
    rows = read_csv(_download(client, body["download_url"]))
    assert {int(r["ID"]) for r in rows} == {people[k].pk for k in ("joao", "bia", "caio")}
    joao = next(r for r in rows if r["First name"] == "João")
    # One column per custom field, headed by its label; choices by their label.
    assert joao["Segmento de mercado"] == "Varejo"
    assert joao["Limite"] == "1234.50"
    assert joao["Cliente desde"] == "2024-03-01"
    assert joao["Last name"] == "Conceição" and joao["City"] == "São Paulo"  # accents survive
    assert joao["Tags"] == "açaí, feira"
    assert joao["Owner"] == "ana@aurora.test"
    assert joao["Phone"] == "+5511987654321"  # a phone is not mistaken for a formula
    assert joao["Job title"] == '\'=HYPERLINK("x")'  # a formula is neutralised
    assert next(r for r in rows if r["First name"] == "Caio")["Segmento de mercado"] == "B2B"


def test_xlsx_has_typed_cells(ana, people):
    client = ana.client()
    created = send(
        client,
        "post",
        "/api/v1/quality/exports",
        {
            "object_type": "person",
            "filter": {"all": [{"field": "first_name", "op": "eq", "value": "João"}]},
            "columns": [
                "name",
                "email",
                "custom_fields.limite",
                "custom_fields.desde",
                "created_at",
            ],
            "format": "xlsx",
        },
    )
    assert created.status_code == 201, created.content
    rows = read_xlsx(_download(client, created.json()["download_url"]))
    assert rows == [
        {
            "Name": "João Conceição",
            "Email": "joao@acucar.com.br",
            "Limite": pytest.approx(1234.5),
            "Cliente desde": datetime(2024, 3, 1),  # noqa: DTZ001  (spreadsheets are naive)
            "Created": rows[0]["Created"],
        }
    ]
    assert isinstance(rows[0]["Created"], datetime)
    assert isinstance(rows[0]["Limite"], int | float)


def test_the_list_screen_exports_its_search_filter_and_columns(ana, people):
    client = ana.web()
    response = client.get("/people/export.csv?q=Bia&columns=name,city")
    rows = read_csv(b"".join(response.streaming_content))
    assert rows == [{"Name": "Bia", "City": "São Paulo"}]
    xlsx = client.get("/people/export.csv?" + "city=&format=xlsx&columns=name&sort=first_name")
    assert xlsx["Content-Disposition"].endswith('people.xlsx"')
    names = [r["Name"] for r in read_xlsx(b"".join(xlsx.streaming_content))]
    assert names == ["Beto", "Bia", "Caio", "João Conceição", "Rita"]


def test_headers_follow_the_users_language(ana, people):
    response = ana.web("pt-br").get("/people/export.csv?columns=email,city&q=Bia")
    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header == '"Nome","E-mail","Cidade"'


def test_companies_and_deals_export_through_the_same_path(ana):
    from vinculo.sales import services as sales

    acme = contacts.create_company(actor=ana.actor, data={"name": "Açúcar União", "city": "Recife"})
    contacts.create_company(actor=ana.actor, data={"name": "Outra"})
    sales.ensure_default_pipeline(actor=ana.actor)
    sales.create_deal(
        actor=ana.actor, data={"title": "Venda grande", "amount": "1500.75", "company_id": acme.pk}
    )
    client = ana.web()
    companies = read_csv(b"".join(client.get("/companies/export?q=União").streaming_content))
    assert [(c["Name"], c["City"]) for c in companies] == [("Açúcar União", "Recife")]
    deals = read_xlsx(b"".join(client.get("/deals/export.csv?format=xlsx").streaming_content))
    assert [(d["Title"], d["Amount"], d["Person / company"]) for d in deals] == [
        ("Venda grande", pytest.approx(1500.75), "Açúcar União")
    ]


def test_every_export_is_audited_with_its_row_count(ana, people, sp_view):
    send(
        ana.client(),
        "post",
        "/api/v1/quality/exports",
        {"object_type": "person", "view_id": sp_view.pk},
    )
    ana.web().get("/people/export.csv?q=Bia")
    entries = AuditEntry.objects.for_workspace(ana.workspace).filter(action__startswith="export.")
    by_action = {e.action: e for e in entries}
    assert by_action["export.completed"].changes["rows"] == 3
    assert by_action["export.completed"].changes["spec"]["view_id"] == sp_view.pk
    assert by_action["export.downloaded"].changes["rows"] == 1
    assert by_action["export.downloaded"].actor == ana.user


def test_the_background_path_writes_the_same_file_as_the_direct_path(
    ana, people, monkeypatch, django_capture_on_commit_callbacks
):
    spec = exports.check_spec(ana.actor, ExportSpec(object_type="person", sort="first_name"), "csv")
    direct = b"".join(exports.stream_csv(ana.actor, spec))
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 2)
    client = ana.web()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get("/people/export.csv?sort=first_name")
    assert response.status_code == 302 and "/quality/exports/?job=" in response["Location"]
    assert len(callbacks) == 1  # the task was enqueued once the job committed
    job = ExportJob.objects.for_workspace(ana.workspace).get()
    assert job.status == ExportStatus.QUEUED and job.total == 5
    page = client.get("/quality/exports/").content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    from django_tasks_db.models import DBTaskResult

    from vinculo.quality.tasks.exports import run_export_task

    queued = DBTaskResult.objects.get(task_path=run_export_task.module_path)
    assert queued.args_kwargs["args"] == [job.pk]
    run_export_task.call(job.pk)  # what the worker runs for that row
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE and job.row_count == 5 and job.percent == 100
    assert str(ana.workspace.pk) in job.file_path and job.expires_at > job.finished_at
    page = client.get("/quality/exports/").content.decode()
    assert f"/quality/exports/{job.pk}/download" in page and "<progress" not in page
    background = _download(client, f"/quality/exports/{job.pk}/download")
    assert background == direct
    assert AuditEntry.objects.filter(
        action="export.file_downloaded", object_id=str(job.pk)
    ).exists()


def test_api_large_export_is_queued_then_downloadable(ana, people, monkeypatch):
    monkeypatch.setattr(exports, "DIRECT_LIMIT", 1)
    client = ana.client()
    created = send(
        client, "post", "/api/v1/quality/exports", {"object_type": "person", "format": "xlsx"}
    )
    assert created.status_code == 202 and created.json()["download_url"] is None
    job_id = created.json()["id"]
    assert problem(client.get(f"/api/v1/quality/exports/{job_id}/download"), 404)
    exports.run_export_job(job_id)
    status = client.get(f"/api/v1/quality/exports/{job_id}").json()
    assert status["status"] == "done" and status["progress"] == 100 and status["row_count"] == 5
    assert len(read_xlsx(_download(client, status["download_url"]))) == 5
    listed = client.get("/api/v1/quality/exports").json()["items"]
    assert [j["id"] for j in listed] == [job_id]


def test_bad_export_requests_name_the_field(ana, people):
    client = ana.client()
    bad_column = send(
        client, "post", "/api/v1/quality/exports", {"object_type": "person", "columns": ["nope"]}
    )
    assert fields_of(problem(bad_column, 422)) == {"columns"}
    bad_sort = send(
        client, "post", "/api/v1/quality/exports", {"object_type": "person", "sort": "cpf"}
    )
    assert fields_of(problem(bad_sort, 422)) == {"sort"}
    bad_filter = send(
        client,
        "post",
        "/api/v1/quality/exports",
        {"object_type": "person", "filter": {"all": [{"field": "nope", "op": "eq", "value": 1}]}},
    )
    assert bad_filter.status_code in {400, 422}
    assert ExportJob.objects.count() == 0  # nothing half-written


def test_carla_cannot_export_or_download_anas_data(ana, carla, people, sp_view, monkeypatch):
    created = send(ana.client(), "post", "/api/v1/quality/exports", {"object_type": "person"})
    job_id = created.json()["id"]
    other = carla.client()
    assert problem(other.get(f"/api/v1/quality/exports/{job_id}"), 404)
    assert problem(other.get(f"/api/v1/quality/exports/{job_id}/download"), 404)
    assert other.get("/api/v1/quality/exports").json()["items"] == []
    view_export = send(
        other, "post", "/api/v1/quality/exports", {"object_type": "person", "view_id": sp_view.pk}
    )
    assert problem(view_export, 404)
    ui = carla.web()
    assert ui.get(f"/quality/exports/{job_id}/download").status_code == 404
    assert ui.get(f"/quality/exports/new?object_type=person&view={sp_view.pk}").status_code == 404
    # Carla's own export of everything holds none of Ana's people.
    mine = send(other, "post", "/api/v1/quality/exports", {"object_type": "person"}).json()
    assert mine["row_count"] == 0
    assert read_csv(_download(other, mine["download_url"])) == []


def test_viewer_has_no_export_right_and_sales_rep_has(ana, vera, bruno, people):
    # The matrix: viewers lack data.export; every working role (sales rep…) has it.
    refused = send(vera.client(), "post", "/api/v1/quality/exports", {"object_type": "person"})
    assert problem(refused, 403)
    assert problem(vera.client().get("/api/v1/quality/exports"), 403)
    assert vera.web().get("/people/export.csv").status_code == 403
    assert vera.web().get("/quality/exports/").status_code == 403
    allowed = send(bruno.client(), "post", "/api/v1/quality/exports", {"object_type": "person"})
    assert allowed.status_code == 201 and allowed.json()["row_count"] == 5


def test_expired_exports_lose_their_file(ana, people):
    created = send(ana.client(), "post", "/api/v1/quality/exports", {"object_type": "person"})
    job = ExportJob.objects.get(pk=created.json()["id"])
    ExportJob.objects.filter(pk=job.pk).update(expires_at=datetime(2020, 1, 1, tzinfo=UTC))
    assert exports.purge_expired_exports() == 1
    assert problem(ana.client().get(f"/api/v1/quality/exports/{job.pk}/download"), 404)


def test_export_of_an_audit_finding_holds_the_offending_records(ana, people):
    from vinculo.contacts.models import Person

    Person.objects.filter(pk=people["bia"].pk).update(cpf="11111111111")  # fails the check digits
    from vinculo.quality.services.audit import run_audit

    run = run_audit(actor=ana.actor)
    response = ana.web().get(
        f"/quality/exports/new?audit={run.pk}&finding=person:invalid.cpf&format=csv"
    )
    rows = read_csv(b"".join(response.streaming_content))
    assert [int(r["ID"]) for r in rows] == [people["bia"].pk]


def test_listing_exports_takes_a_fixed_number_of_queries(
    ana, people, django_assert_max_num_queries
):
    for _ in range(3):
        send(ana.client(), "post", "/api/v1/quality/exports", {"object_type": "person"})
    client = ana.client()
    with django_assert_max_num_queries(8):
        listed = client.get("/api/v1/quality/exports")
    assert len(listed.json()["items"]) == 3
    ui = ana.web()
    with django_assert_max_num_queries(12):
        page = ui.get("/quality/exports/")
    assert page.content.decode().count("/download") == 3
