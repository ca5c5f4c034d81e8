"""The import API and screens: the whole flow; Carla never sees Ana's imports; Vera cannot
import."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.api import fields_of, problem, send
from vinculo.contacts.models import Person
from vinculo.core.worker import run_burst
from vinculo.quality.models import ImportJob, ImportStatus, ImportTemplate
from vinculo.quality.services import imports as svc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quality"
CP1252 = FIXTURES / "people_cp1252_semicolon.csv"


@pytest.fixture(autouse=True)
def english_importer(ana):
    ana.user.language = "en"
    ana.user.save(update_fields=["language"])


def _upload(client: Client, path: Path = CP1252, object_type: str = "people"):
    return client.post(
        "/api/v1/quality/imports",
        {"file": SimpleUploadedFile(path.name, path.read_bytes()), "object_type": object_type},
    )


def _draft(persona) -> ImportJob:
    return svc.create_import(
        actor=persona.actor,
        object_type="people",
        file_name=CP1252.name,
        content=io.BytesIO(CP1252.read_bytes()),
    )


@pytest.mark.django_db(transaction=True)
def test_api_flow_upload_map_dry_run_start_report(ana):
    client = ana.client()
    response = _upload(client)
    assert response.status_code == 201, response.content
    job = response.json()
    assert (job["status"], job["encoding"], job["delimiter"]) == ("draft", "cp1252", ";")
    assert job["mapping"]["Responsável"] == "owner"
    url = f"/api/v1/quality/imports/{job['id']}"

    body = problem(send(client, "put", f"{url}/mapping", {"mapping": {"CPF": "shoe"}}), 422)
    assert fields_of(body) == {"mapping.CPF"}
    mapped = send(
        client,
        "put",
        f"{url}/mapping",
        {"mapping": {"Observação": "interests"}, "options": {"dedupe": "update"}},
    )
    assert mapped.status_code == 200
    assert mapped.json()["mapping"]["Observação"] == "interests"

    dry = send(client, "post", f"{url}/dry-run", {"limit": None}).json()
    assert (dry["preview"]["would_create"], dry["preview"]["rejected"]) == (3, 6)
    page = client.get(f"{url}/rejected?dry_run=true&limit=4").json()
    assert [r["line"] for r in page["items"]] == [4, 5, 6, 7]
    rest = client.get(f"{url}/rejected?dry_run=true&cursor={page['next_cursor']}").json()
    assert [r["line"] for r in rest["items"]] == [11, 12]
    assert Person.objects.count() == 0

    started = send(client, "post", f"{url}/start")
    assert started.status_code == 202 and started.json()["status"] == "queued"
    problem(send(client, "post", f"{url}/start"), 409)
    run_burst(mode="db")
    done = client.get(url).json()
    assert (done["status"], done["created_count"], done["updated_count"]) == ("done", 3, 1)
    assert done["rejected_count"] == 6 and done["percent"] == 100
    rows = client.get(f"{url}/rejected").json()["items"]
    assert rows[1]["line"] == 5
    assert rows[1]["reasons"] == [
        {
            "column": "CPF",
            "field": "cpf",
            "code": "invalid_cpf",
            "message": "This CPF is not valid.",
        }
    ]
    assert rows[1]["values"][:2] == ["Ana", "Beatriz"]
    download = client.get(f"{url}/rejected.csv")
    assert download["Content-Type"] == "text/csv; charset=windows-1252"  # as uploaded
    text = b"".join(download.streaming_content).decode("cp1252")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(table) == 7 and table[0][-2:] == ["row", "reason"]
    listing = client.get("/api/v1/quality/imports").json()["items"]
    assert [j["id"] for j in listing] == [job["id"]]
    problem(send(client, "post", f"{url}/resume"), 409)
    problem(send(client, "post", f"{url}/cancel"), 409)


@pytest.mark.django_db(transaction=True)
def test_api_resume_and_cancel(ana):
    job = _draft(ana)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    svc.start_import(actor=ana.actor, job_id=job.pk, enqueue=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error="boom")
    url = f"/api/v1/quality/imports/{job.pk}"
    resumed = send(ana.client(), "post", f"{url}/resume")
    assert resumed.status_code == 202 and resumed.json()["status"] == "queued"
    cancelled = send(ana.client(), "post", f"{url}/cancel").json()
    assert cancelled["status"] == "cancelled"
    run_burst(mode="db")
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.CANCELLED
    assert Person.objects.count() == 0


def test_api_upload_refuses_bad_input_by_field(ana):
    client = ana.client()
    body = problem(
        client.post(
            "/api/v1/quality/imports",
            {"file": SimpleUploadedFile("x.csv", b"Nome\nAna\n"), "object_type": "tickets"},
        ),
        422,
    )
    assert fields_of(body) == {"object_type"}
    body = problem(
        client.post(
            "/api/v1/quality/imports",
            {"file": SimpleUploadedFile("x.csv", b""), "object_type": "people"},
        ),
        422,
    )
    assert fields_of(body) == {"file"}


def test_api_suggest_mapping_and_templates_crud(ana):
    client = ana.client()
    suggested = send(
        client,
        "post",
        "/api/v1/quality/imports/suggest-mapping",
        {"object_type": "companies", "headers": ["Razão social", "CNPJ", "Faturamento", "X"]},
    ).json()
    assert suggested["mapping"] == {
        "Razão social": "legal_name",
        "CNPJ": "cnpj",
        "Faturamento": "annual_revenue",
        "X": "",
    }
    assert "name" in suggested["fields"]
    base = "/api/v1/quality/import-templates"
    created = send(
        client,
        "post",
        base,
        {"name": "ERP", "object_type": "companies", "mapping": {"Razão social": "legal_name"}},
    )
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    body = problem(
        send(client, "post", base, {"name": "erp", "object_type": "companies", "mapping": {}}),
        422,
    )
    assert fields_of(body) == {"name"}
    body = problem(send(client, "patch", f"{base}/{tid}", {"mapping": {"A": "shoe_size"}}), 422)
    assert fields_of(body) == {"mapping.A"}
    renamed = send(client, "patch", f"{base}/{tid}", {"name": "ERP antigo"}).json()
    assert renamed["name"] == "ERP antigo"
    assert [t["name"] for t in client.get(f"{base}?object_type=companies").json()] == ["ERP antigo"]
    assert client.get(f"{base}/{tid}").json()["mapping"] == {"Razão social": "legal_name"}
    again = send(
        client,
        "post",
        "/api/v1/quality/imports/suggest-mapping",
        {"object_type": "companies", "headers": ["Razão social"], "template_id": tid},
    ).json()
    assert again["mapping"] == {"Razão social": "legal_name"}
    assert send(client, "delete", f"{base}/{tid}").status_code == 204
    assert not ImportTemplate.objects.exists()


def _job_urls(job_id: int) -> list[tuple[str, str, object]]:
    url = f"/api/v1/quality/imports/{job_id}"
    return [
        ("get", url, None),
        ("put", f"{url}/mapping", {"mapping": {}}),
        ("post", f"{url}/dry-run", {}),
        ("post", f"{url}/start", None),
        ("post", f"{url}/resume", None),
        ("post", f"{url}/cancel", None),
        ("get", f"{url}/rejected", None),
        ("get", f"{url}/rejected.csv", None),
    ]


def _template_urls(template_id: int) -> list[tuple[str, str, object]]:
    url = f"/api/v1/quality/import-templates/{template_id}"
    return [("get", url, None), ("patch", url, {"name": "Outro"}), ("delete", url, None)]


def test_carla_gets_404_for_every_import_and_template_of_ana(ana, carla):
    job = _draft(ana)
    template = svc.create_template(actor=ana.actor, data={"name": "T", "object_type": "people"})
    for method, url, data in _job_urls(job.pk) + _template_urls(template.pk):
        problem(send(carla.client(), method, url, data), 404)
    assert carla.client().get("/api/v1/quality/imports").json()["items"] == []
    assert carla.client().get("/api/v1/quality/import-templates").json() == []
    job.refresh_from_db()
    assert job.status == ImportStatus.DRAFT and ImportTemplate.objects.count() == 1


def test_vera_the_viewer_is_refused_everything(ana, vera):
    job = _draft(ana)
    template = svc.create_template(actor=ana.actor, data={"name": "T", "object_type": "people"})
    client = vera.client()
    problem(_upload(client), 403)
    for method, url, data in _job_urls(job.pk) + _template_urls(template.pk):
        problem(send(client, method, url, data), 403)
    problem(client.get("/api/v1/quality/imports"), 403)
    problem(client.get("/api/v1/quality/import-templates"), 403)
    problem(
        send(
            client,
            "post",
            "/api/v1/quality/import-templates",
            {"name": "x", "object_type": "people"},
        ),
        403,
    )
    problem(
        send(
            client,
            "post",
            "/api/v1/quality/imports/suggest-mapping",
            {"object_type": "people", "headers": ["Nome"]},
        ),
        403,
    )


# --- screens ----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_screens_upload_map_dry_run_start_progress_result(ana):
    client = ana.web()
    assert "No imports yet." in client.get("/quality/imports/").content.decode()
    form = client.get("/quality/imports/new/")
    assert form.status_code == 200
    bad = client.post("/quality/imports/new/", {"object_type": "people"})
    assert bad.status_code == 422 and "Choose a file." in bad.content.decode()
    response = client.post(
        "/quality/imports/new/",
        {"object_type": "people", "file": SimpleUploadedFile(CP1252.name, CP1252.read_bytes())},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quality/imports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Responsável" in page and "bruno@aurora.test" in page
    assert '<option value="owner" selected>' in page

    posted = {f"map_{i}": job.mapping[h] for i, h in enumerate(job.headers)}
    wrong = client.post(
        f"/quality/imports/{job.pk}/mapping/",
        {**posted, "map_1": "first_name", "action": "dry_run"},
    )
    assert wrong.status_code == 422
    assert "First name is already mapped from column Nome." in wrong.content.decode()

    dry = client.post(
        f"/quality/imports/{job.pk}/mapping/", {**posted, "action": "dry_run"}, follow=True
    )
    assert dry.redirect_chain == [(f"/quality/imports/{job.pk}/", 302)]  # a reload posts nothing
    text = dry.content.decode()
    assert dry.status_code == 200 and "11 of 11 rows tried" in text
    assert "This CPF is not valid." in text and 'data-chart="import-counts-data"' in text
    saved = client.post(
        f"/quality/imports/{job.pk}/mapping/",
        {**posted, "action": "template", "template_name": "Planilha"},
    )
    assert saved.status_code == 302 and ImportTemplate.objects.get().name == "Planilha"

    start = client.post(f"/quality/imports/{job.pk}/mapping/", {**posted, "action": "start"})
    assert start.status_code == 302
    running = client.get(f"/quality/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in running
    run_burst(mode="db")
    fragment = client.get(f"/quality/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body and "hx-trigger" not in body and "3 created" in body
    assert fragment["HX-Refresh"] == "true"  # finished: the page reloads with the results
    result = client.get(f"/quality/imports/{job.pk}/").content.decode()
    assert "Download rejected rows (CSV)" in result and "This CPF is not valid." in result
    csv_response = client.get(f"/quality/imports/{job.pk}/rejected.csv")
    content = b"".join(csv_response.streaming_content).decode("cp1252")
    assert content.startswith("Nome;Sobrenome;")
    listing = client.get("/quality/imports/").content.decode()
    assert CP1252.name in listing and "Planilha" in listing
    template = ImportTemplate.objects.get()
    assert client.post(f"/quality/imports/templates/{template.pk}/delete/").status_code == 302
    assert not ImportTemplate.objects.exists()


def test_screens_are_404_for_carla_and_403_for_vera(ana, carla, vera):
    job = _draft(ana)
    template = svc.create_template(actor=ana.actor, data={"name": "T", "object_type": "people"})
    gets = [
        f"/quality/imports/{job.pk}/",
        f"/quality/imports/{job.pk}/rejected.csv",
        f"/quality/imports/{job.pk}/progress/",
    ]
    posts = [
        f"/quality/imports/{job.pk}/mapping/",
        f"/quality/imports/{job.pk}/resume/",
        f"/quality/imports/{job.pk}/cancel/",
        f"/quality/imports/templates/{template.pk}/delete/",
    ]
    c = carla.web()
    for url in gets:
        assert c.get(url).status_code == 404, url
    for url in posts:
        assert c.post(url, {"action": "start"}).status_code == 404, url
    assert CP1252.name not in c.get("/quality/imports/").content.decode()
    v = vera.web()
    for url in ["/quality/imports/", "/quality/imports/new/", *gets]:
        assert v.get(url).status_code == 403, url
    for url in posts:
        assert v.post(url, {"action": "start"}).status_code == 403, url
    upload = v.post(
        "/quality/imports/new/",
        {"object_type": "people", "file": SimpleUploadedFile("a.csv", b"Nome\nA\n")},
    )
    assert upload.status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.DRAFT and ImportJob.objects.count() == 1


def test_import_lists_do_not_grow_queries_with_rows(ana, django_assert_max_num_queries):
    for _ in range(3):
        _draft(ana)
    svc.create_template(actor=ana.actor, data={"name": "A", "object_type": "people"})
    svc.create_template(actor=ana.actor, data={"name": "B", "object_type": "people"})
    client = ana.client()
    client.get("/api/v1/quality/imports")  # warm the token cache
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/quality/imports").json()["items"]) == 3
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/quality/import-templates").json()) == 2
    with django_assert_max_num_queries(8):
        rows = client.get(f"/api/v1/quality/imports/{ImportJob.objects.first().pk}/rejected")
        assert rows.status_code == 200
