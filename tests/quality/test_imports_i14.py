"""Imports as a new user meets them (issue 14): the dry run's preview table and chart, the
mapping's labels, reasons in the reader's language, the rejected-rows file, names, dates."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.api import send
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.worker import run_burst
from vinculo.quality.models import ImportJob, ImportRowError

PEOPLE_CSV = (
    "Nome;E-mail;Empresa;Data de nascimento;CPF;Celular\n"
    "Ana Paula Gonçalves;ana.paula@exemplo.com.br;Padaria Aurora;05/03/1985;;71 98206-1917\n"
    "Maria das Graças Souza;graca@exemplo.com.br;;;;\n"
    "José da Silva;jose@exemplo.com.br;;;;\n"
    "Existente Pereira;existe@exemplo.com.br;;;;\n"
    "Bia Bad;bia@exemplo.com.br;;31/02/1990;;\n"
    "Carla CPF;carla@exemplo.com.br;;;111.111.111-11;\n"
    "Ana P. Gonçalves;ana.paula@exemplo.com.br;;;;\n"
).encode("cp1252")


def _upload_web(client, content: bytes, name: str = "pessoas.csv"):
    response = client.post(
        "/quality/imports/new/",
        {"object_type": "people", "file": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 302, response.content
    return ImportJob.objects.latest("pk")


def _posted(job: ImportJob, **changes: str) -> dict[str, str]:
    mapping = {**job.mapping, **changes}
    return {f"map_{i}": mapping.get(h, "") for i, h in enumerate(job.headers)}


def _existing(ana) -> Person:
    return contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Existente", "last_name": "Pereira", "email": "existe@exemplo.com.br"},
    )


# --- item 6: the dry run is a table, the chart's numbers are not localised -------------------


@pytest.mark.django_db(transaction=True)
def test_dry_run_page_in_pt_br_is_a_table_of_labelled_formatted_values_with_actions(ana):
    existing = _existing(ana)
    client = ana.web("pt-br")
    job = _upload_web(client, PEOPLE_CSV)
    page = client.post(  # the dry run redirects to the job's page (post/redirect/get)
        f"/quality/imports/{job.pk}/mapping/", {**_posted(job), "action": "dry_run"}, follow=True
    ).content.decode()

    # Never a Python repr of the rows ({'line': 2, 'companies': [{'company_id': …}]}).
    assert "{'" not in page and "'line'" not in page and "company_id" not in page
    table = page.split('id="dry-run-rows"')[1].split("</table>")[0]
    heads = re.findall(r"<th>(.*?)</th>", table)
    assert heads[:2] == ["Linha", "Ação"]
    assert {"Nome", "Sobrenome", "E-mail", "Data de nascimento"} <= set(heads)
    assert "first_name" not in table and "birth_date" not in table
    # Values as stored, formatted for the reader: the date in pt-BR, the company by its name.
    assert "05/03/1985" in table and "Padaria Aurora" in table
    assert "(71) 98206-1917" in table and "+5571" not in table
    assert "Criar" in table
    assert f'href="/people/{existing.pk}/">Atualizar</a>' in table
    # Row 8 updates the person row 2 creates: rolled back with the dry run, so no link.
    assert re.search(r"<td>8</td>\s*<td>Atualizar\s*</td>", table)
    assert "Rejeitar" in table and "A data 31/02/1990 não existe." in table
    assert "CPF: Este CPF não é válido." in table

    # The chart: 3 created, 2 updated, 2 rejected, as plain numbers for ECharts (never "3,0").
    data = page.split('id="import-counts-data" type="application/json">')[1].split("</script>")[0]
    assert [s["values"] for s in json.loads(data)["series"]] == [[3], [2], [0], [2]]
    for style in re.findall(r'style="([^"]*)"', page):
        assert not re.search(r"\d,\d", style), style


# --- item 8: the mapping offers labels in the reader's language, grouped ----------------------


def test_mapping_offers_labels_in_the_users_language_grouped_with_optgroups(ana):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "key": "plano", "label": "Plano", "field_type": "text"},
    )
    client = ana.web("pt-br")
    job = _upload_web(client, PEOPLE_CSV)
    page = client.get(f"/quality/imports/{job.pk}/").content.decode()
    select = page.split('id="map-0"')[1].split("</select>")[0]
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups == ["Pessoa", "Endereço", "Empresa", "Campos personalizados"]
    labels = re.findall(r"<option value=\"([^\"]*)\"[^>]*>([^<]*)</option>", select)
    shown = dict(labels)
    assert shown["mobile_phone"] == "Celular"
    assert shown["created_at"] == "Data de criação"
    assert shown["full_name"].startswith("Nome completo")
    assert shown["cf:plano"] == "Plano"
    assert not any(label in {"full_name", "mobile_phone", "created_at"} for label in shown.values())
    # The template's name and its button sit on one line, the button a button.
    assert 'class="toolbar"' in page.split('id="mapping-template"')[1].split("</section>")[0]


def test_api_suggestion_gives_the_fields_labels_in_the_requests_language(ana):
    suggested = send(
        ana.client("pt-br"),
        "post",
        "/api/v1/quality/imports/suggest-mapping",
        {"object_type": "people", "headers": ["WhatsApp"]},
    ).json()
    assert suggested["mapping"] == {"WhatsApp": "mobile_phone"}
    assert suggested["labels"]["mobile_phone"] == "Celular"
    assert list(suggested["labels"]) == suggested["fields"]


# --- item 10: reasons are codes, shown in the reader's language --------------------------------


@pytest.mark.django_db(transaction=True)
def test_reasons_stored_by_a_portuguese_run_read_in_english_on_screen_api_and_csv(ana):
    client = ana.web("pt-br")
    job = _upload_web(client, PEOPLE_CSV)
    client.post(f"/quality/imports/{job.pk}/mapping/", {**_posted(job), "action": "start"})
    run_burst(mode="db")  # runs as Ana, whose language is pt-BR
    stored = ImportRowError.objects.get(job=job, line=7).reasons
    assert "Este CPF" not in str(stored) and stored[0]["msgid"] == "This CPF is not valid."

    english = ana.web("en")
    screen = english.get(f"/quality/imports/{job.pk}/").content.decode()
    assert "This CPF is not valid." in screen and "The date 31/02/1990 does not exist." in screen
    assert "Este CPF" not in screen and "não existe" not in screen
    items = ana.client("en").get(f"/api/v1/quality/imports/{job.pk}/rejected").json()["items"]
    assert [r["message"] for i in items for r in i["reasons"]] == [
        "The date 31/02/1990 does not exist.",
        "This CPF is not valid.",
    ]
    assert items[0]["reasons"][0]["code"] == "invalid"
    body = b"".join(english.get(f"/quality/imports/{job.pk}/rejected.csv").streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("cp1252")), delimiter=";"))
    assert rows[0][-2:] == ["row", "reason"]
    assert rows[2][-2:] == ["7", "CPF: This CPF is not valid."]
    # The same rows in Portuguese, from the API.
    pt = ana.client("pt-br").get(f"/api/v1/quality/imports/{job.pk}/rejected").json()["items"]
    assert pt[0]["reasons"][0]["message"] == "A data 31/02/1990 não existe."


@pytest.mark.django_db(transaction=True)
def test_old_rows_stored_as_portuguese_text_are_shown_in_english(ana):
    job = _upload_web(ana.web("pt-br"), PEOPLE_CSV)
    ImportRowError.objects.create(
        workspace=ana.workspace,
        job=job,
        line=3,
        values=["x"],
        reasons=[{"column": "CPF", "field": "cpf", "message": "No máximo 11 caracteres."}],
    )
    items = ana.client("en").get(f"/api/v1/quality/imports/{job.pk}/rejected").json()["items"]
    assert items[0]["reasons"][0]["message"] == "At most 11 characters."


@pytest.mark.django_db(transaction=True)
def test_an_imports_stored_error_is_shown_in_the_readers_language(ana):
    job = _upload_web(ana.web("pt-br"), PEOPLE_CSV)
    ImportJob.objects.filter(pk=job.pk).update(
        status="failed", error="A pessoa que iniciou esta importação não é mais membro."
    )
    body = ana.client("en").get(f"/api/v1/quality/imports/{job.pk}").json()
    assert body["error"] == "The person who started this import is no longer a member."
    page = ana.web("en").get(f"/quality/imports/{job.pk}/").content.decode()
    assert "The person who started this import is no longer a member." in page


# --- item 15: the rejected-rows file in the upload's dialect, formulas escaped -----------------


@pytest.mark.django_db(transaction=True)
def test_rejected_csv_keeps_semicolon_latin1_and_escapes_formulas(ana):
    content = (
        'Nome;E-mail;Observação\n=HYPERLINK("http://x");a@b;Ação\n+cmd;mal@;@SUM(A1)\n'
    ).encode("cp1252")
    client = ana.web("pt-br")
    job = _upload_web(client, content)
    job.refresh_from_db()
    client.post(
        f"/quality/imports/{job.pk}/mapping/",
        {**_posted(job, **{"Observação": "interests"}), "action": "start"},
    )
    run_burst(mode="db")
    response = client.get(f"/quality/imports/{job.pk}/rejected.csv")
    assert response["Content-Type"] == "text/csv; charset=windows-1252"
    body = b"".join(response.streaming_content)
    assert not body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("cp1252")), delimiter=";"))
    assert rows[0] == ["Nome", "E-mail", "Observação", "row", "reason"]
    assert rows[1][0] == '\'=HYPERLINK("http://x")' and rows[1][2] == "Ação"
    assert rows[2][0] == "'+cmd" and rows[2][2] == "'@SUM(A1)"


@pytest.mark.django_db(transaction=True)
def test_rejected_csv_of_an_xlsx_upload_is_utf8_bom_with_semicolons_in_portuguese(ana):
    book = Workbook()
    sheet = book.active
    sheet.append(["Nome", "E-mail"])
    sheet.append(["Zé", "ze@"])
    buffer = io.BytesIO()
    book.save(buffer)
    client = ana.web("pt-br")
    job = _upload_web(client, buffer.getvalue(), "pessoas.xlsx")
    client.post(f"/quality/imports/{job.pk}/mapping/", {**_posted(job), "action": "start"})
    run_burst(mode="db")
    body = b"".join(client.get(f"/quality/imports/{job.pk}/rejected.csv").streaming_content)
    assert body.startswith(b"\xef\xbb\xbfNome;E-mail;row;reason")
    api = ana.client("en").get(f"/api/v1/quality/imports/{job.pk}/rejected.csv")
    assert b"".join(api.streaming_content).startswith(b"\xef\xbb\xbfNome,E-mail,row,reason")


# --- item 16: Brazilian names, separate name columns; impossible dates -------------------------


@pytest.mark.django_db(transaction=True)
def test_full_names_keep_compound_first_names_and_particles_go_with_the_surname(ana):
    content = (
        "Nome\n"
        "Ana Paula Gonçalves\n"
        "Maria das Graças Souza\n"
        "José da Silva\n"
        "João Pedro de Oliveira Santos\n"
        "Luiz Fernando\n"
        "Cher\n"
    ).encode()
    client = ana.web("en")
    job = _upload_web(client, content)
    assert job.mapping == {"Nome": "full_name"}
    client.post(f"/quality/imports/{job.pk}/mapping/", {**_posted(job), "action": "start"})
    run_burst(mode="db")
    names = set(Person.objects.for_workspace(ana.workspace).values_list("first_name", "last_name"))
    assert names == {
        ("Ana Paula", "Gonçalves"),
        ("Maria das Graças", "Souza"),
        ("José", "da Silva"),
        ("João Pedro", "de Oliveira Santos"),
        ("Luiz", "Fernando"),
        ("Cher", ""),
    }


@pytest.mark.django_db(transaction=True)
def test_separate_first_and_last_name_columns_are_mapped_and_kept_as_they_are(ana):
    content = "Nome;Sobrenome\nAna Paula;Gonçalves\nMaria;da Silva Souza\n".encode()
    client = ana.web("en")
    job = _upload_web(client, content)
    assert job.mapping == {"Nome": "first_name", "Sobrenome": "last_name"}
    client.post(f"/quality/imports/{job.pk}/mapping/", {**_posted(job), "action": "start"})
    run_burst(mode="db")
    names = set(Person.objects.for_workspace(ana.workspace).values_list("first_name", "last_name"))
    assert names == {("Ana Paula", "Gonçalves"), ("Maria", "da Silva Souza")}


@pytest.mark.django_db(transaction=True)
def test_an_impossible_date_is_said_not_to_exist_not_to_be_in_the_wrong_format(ana):
    content = "Nome;Nascimento\nBia;31/02/1990\nCadu;1990-02-30\nDani;ontem\nEli;29/02/2000\n"
    client = ana.web("en")
    job = _upload_web(client, content.encode())
    client.post(f"/quality/imports/{job.pk}/mapping/", {**_posted(job), "action": "start"})
    run_burst(mode="db")
    items = ana.client("en").get(f"/api/v1/quality/imports/{job.pk}/rejected").json()["items"]
    messages = {i["line"]: i["reasons"][0]["message"] for i in items}
    assert messages == {
        2: "The date 31/02/1990 does not exist.",
        3: "The date 1990-02-30 does not exist.",
        4: "ontem is not a date: write dd/mm/yyyy or yyyy-mm-dd.",
    }
    assert str(Person.objects.get(first_name="Eli").birth_date) == "2000-02-29"
