"""Importing messy spreadsheets: every bad row rejected with its reason, every good row kept."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.errors import Conflict, PermissionDenied, ValidationFailed
from vinculo.core.worker import run_burst
from vinculo.quality.models import ImportJob, ImportRowError, ImportStatus
from vinculo.quality.services import imports as svc
from vinculo.quality.services.import_messages import reasons_out

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quality"
CP1252 = FIXTURES / "people_cp1252_semicolon.csv"
BOM = FIXTURES / "people_utf8_bom_quoted_newlines.csv"


@pytest.fixture(autouse=True)
def english(ana):
    """Messages in English: the importer's language (the dry run follows the request's)."""
    ana.user.language = "en"
    ana.user.save(update_fields=["language"])
    with translation.override("en"):
        yield


def upload(persona, path_or_bytes, *, object_type="people", name=None, **kw) -> ImportJob:
    if isinstance(path_or_bytes, Path):
        content, name = path_or_bytes.read_bytes(), name or path_or_bytes.name
    else:
        content, name = path_or_bytes, name or "file.csv"
    return svc.create_import(
        actor=persona.actor,
        object_type=object_type,
        file_name=name,
        content=io.BytesIO(content),
        **kw,
    )


def run(persona, job, mapping=None, **options) -> ImportJob:
    svc.set_mapping(actor=persona.actor, job_id=job.pk, mapping=mapping or {}, options=options)
    svc.start_import(actor=persona.actor, job_id=job.pk)
    return svc.run_import(job.pk)


def reasons(job) -> dict[int, list[tuple[str, str]]]:
    return {
        e.line: [(r["column"], r["message"]) for r in reasons_out(e.reasons)]
        for e in ImportRowError.objects.filter(job=job, dry_run=False)
    }


def person(ana, email) -> Person:
    return Person.objects.for_workspace(ana.workspace).get(email=email)


# --- reading ----------------------------------------------------------------------------------


def test_cp1252_semicolon_file_is_detected_and_mapped_from_portuguese_headers(ana):
    job = upload(ana, CP1252)
    assert (job.encoding, job.delimiter, job.file_format) == ("cp1252", ";", "csv")
    assert job.headers[11] == "Responsável"
    assert job.mapping == {
        "Nome": "first_name",
        "Sobrenome": "last_name",
        "E-mail": "email",
        "Celular": "mobile_phone",
        "Telefone": "phone",
        "CPF": "cpf",
        "Empresa": "company",
        "Cidade": "city",
        "UF": "state",
        "Data de nascimento": "birth_date",
        "Etiquetas": "tags",
        "Responsável": "owner",
        "Observação": "",
    }
    assert job.preview["samples"][0][12] == "primeiro contato \u2013 \u201cVIP\u201d"
    assert (Path(svc.settings.DATA_DIR) / job.file_path).parent.name == str(ana.workspace.pk)


def test_bom_file_with_quoted_newlines_keeps_multiline_cells(ana):
    job = upload(ana, BOM)
    assert (job.encoding, job.delimiter) == ("utf-8-sig", ",")
    assert job.headers[0] == "Nome completo"
    assert job.mapping["Nome completo"] == "full_name"
    assert job.mapping["Aniversário"] == "birth_date"
    assert job.preview["samples"][1][4] == "Linha 1\nLinha 2, com vírgula\nLinha 3"


@pytest.mark.parametrize("delimiter", ["\t", "|", ",", ";"])
def test_every_delimiter_is_detected(ana, delimiter):
    text = delimiter.join(["Name", "Email", "City"]) + "\n"
    text += delimiter.join(["Ana Lima", "ana@x.com.br", "Rio, RJ" if delimiter != "," else "Rio"])
    job = upload(ana, text.encode("latin-1"))
    assert job.delimiter == delimiter
    assert job.headers == ["Name", "Email", "City"]


def test_suggestions_ignore_accents_case_punctuation_and_know_custom_fields(ana):
    contacts.create_custom_field(
        actor=ana.actor,
        data={
            "object_type": "person",
            "key": "plano",
            "label": "Plano contratado",
            "field_type": "text",
        },
    )
    headers = [
        "FIRST NAME",
        "Last-Name",
        "e-mail",
        "WhatsApp",
        "cep",
        "plano contratado",
        "plano",
        "Owner",
        "Etiquetas/Tags",
        "Data de Nascimento",
    ]
    mapping = svc.suggest_mapping(ana.actor, "people", headers)
    assert mapping == {
        "FIRST NAME": "first_name",
        "Last-Name": "last_name",
        "e-mail": "email",
        "WhatsApp": "mobile_phone",
        "cep": "postal_code",
        "plano contratado": "cf:plano",
        "plano": "",  # already suggested once
        "Owner": "owner",
        "Etiquetas/Tags": "tags",
        "Data de Nascimento": "birth_date",
    }


# --- importing --------------------------------------------------------------------------------


def test_cp1252_people_every_bad_row_rejected_with_reason_every_good_row_kept(ana, bruno):
    job = run(ana, upload(ana, CP1252))

    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count, job.skipped_count, job.rejected_count) == (
        3,
        1,
        0,
        6,
    )
    assert job.next_row == job.total_rows == 11
    people = Person.objects.for_workspace(ana.workspace)
    assert sorted(people.values_list("email", flat=True)) == [
        "erica@exemplo.com.br",
        "joao@exemplo.com.br",
        "maria.araujo@exemplo.com.br",
    ]
    joao = person(ana, "joao@exemplo.com.br")
    assert (joao.first_name, joao.last_name, joao.cpf) == ("João", "Conceição", "94580730224")
    assert (joao.mobile_phone, joao.phone) == ("+5511987654321", "+551133334444")  # row 8 filled
    assert joao.birth_date == date(1985, 3, 5)
    assert (joao.city, joao.state, joao.owner_id) == ("São Paulo", "SP", bruno.user.pk)
    assert sorted(joao.tags.values_list("name", flat=True)) == ["cliente", "novo", "vip"]
    maria = person(ana, "maria.araujo@exemplo.com.br")
    assert maria.phone == "+552134567890"
    assert maria.owner_id == ana.user.pk  # no owner given: the importer
    # "Padaria Pão Quente" and "padaria pão quente" are one company.
    # Lúcia's row (rejected) named "Oficina Ágil": a rejected row leaves no company behind.
    assert sorted(Company.objects.for_workspace(ana.workspace).values_list("name", flat=True)) == [
        "Padaria Pão Quente"
    ]
    padaria = Company.objects.for_workspace(ana.workspace).get(name="Padaria Pão Quente")
    assert set(padaria.people.values_list("email", flat=True)) == {
        "joao@exemplo.com.br",
        "maria.araujo@exemplo.com.br",
    }
    assert person(ana, "erica@exemplo.com.br").mobile_phone == "+5511988887777"

    got = reasons(job)
    assert sorted(got) == [4, 5, 6, 7, 11, 12]
    assert got[4][0][0] == "E-mail" and "not a valid email" in got[4][0][1]
    assert got[5] == [("CPF", "This CPF is not valid.")]
    assert got[6][0][0] == "Data de nascimento"
    assert got[7] == [("Responsável", "No active member with the email fulano@naoexiste.test.")]
    assert got[11][0][0] == "Celular" and "not a valid phone" in got[11][0][1]
    assert got[12] == [("Nome", "This field is required.")]
    row = ImportRowError.objects.get(job=job, line=5)
    assert row.values[:2] == ["Ana", "Beatriz"]


def test_duplicates_in_file_and_database_update_mode(ana):
    denise = contacts.create_person(
        actor=ana.actor,
        data={
            "first_name": "Denise",
            "last_name": "Prado",
            "cpf": "64056224102",
            "email": "denise@exemplo.com",
            "city": "Ouro Preto",
            "tags": ["antiga"],
        },
    )
    job = upload(ana, BOM)
    job = run(ana, job, {"Aniversário": "birth_date", "Tags": "tags", "Interesses": "interests"})

    assert (job.created_count, job.updated_count, job.skipped_count, job.rejected_count) == (
        3,
        3,
        0,
        1,
    )
    people = Person.objects.for_workspace(ana.workspace)
    assert people.count() == 4
    denise.refresh_from_db()
    # File values win for mapped columns; unmapped or empty ones are never erased.
    assert (denise.email, denise.job_title, denise.city) == (
        "denise.nova@exemplo.com",
        "Analista",
        "Ouro Preto",
    )
    assert list(denise.tags.values_list("name", flat=True)) == ["antiga"]
    carlos = people.get(cpf="22453832301")
    assert (carlos.first_name, carlos.last_name) == ("Carlos", "Lima")
    assert carlos.interests == "Gosta de pão\nde fermentação natural"
    assert carlos.birth_date == date(1979, 7, 12)
    assert sorted(carlos.tags.values_list("name", flat=True)) == ["fiel", "novo", "vip"]
    gabi = people.get(cpf="54990951409")
    assert (gabi.first_name, gabi.email) == ("Gabi", "gabriela@outro.com")
    assert list(reasons(job)) == [6]  # Fábio: spreadsheet rows, multi-line cells count once


def test_duplicates_skip_mode(ana):
    contacts.create_person(actor=ana.actor, data={"first_name": "Denise", "cpf": "64056224102"})
    job = run(ana, upload(ana, BOM), dedupe="skip")
    assert (job.created_count, job.updated_count, job.skipped_count, job.rejected_count) == (
        3,
        0,
        3,
        1,
    )
    assert Person.objects.for_workspace(ana.workspace).get(cpf="64056224102").email == ""


def test_duplicates_create_mode_rejects_document_clashes(ana):
    contacts.create_person(actor=ana.actor, data={"first_name": "Denise", "cpf": "64056224102"})
    job = run(ana, upload(ana, BOM), dedupe="create")
    assert (job.created_count, job.updated_count, job.skipped_count, job.rejected_count) == (
        4,
        0,
        0,
        3,
    )
    got = reasons(job)
    assert got[5] == [("CPF", "Another record has this CPF.")]
    assert got[8][0][0] == "CPF" and got[8][0][1].startswith("Same CPF as row")
    assert (
        Person.objects.for_workspace(ana.workspace).filter(email="carlos@exemplo.com").count() == 2
    )


def test_xlsx_companies_with_brazilian_numbers_and_duplicate_cnpj(ana):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Razão Social",
            "Nome Fantasia",
            "CNPJ",
            "Faturamento anual",
            "Funcionários",
            "Site",
            "Data de cadastro",
        ]
    )
    sheet.append(
        [
            "Aurora Pães LTDA",
            "Aurora",
            "40.560.865/6907-19",
            "1.234.567,89",
            "1.200",
            "www.aurora.com.br",
            "15/01/2020",
        ]
    )
    sheet.append(["Brasa Oficina ME", "Brasa", "02931375858480", 98000.5, 12, "", None])
    sheet.append(["Aurora Pães LTDA", "Aurora Filial", "40560865690719", "", "", "", ""])
    sheet.append(["Sem CNPJ", "Ruim", "11.111.111/1111-11", "abc", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    job = upload(ana, buffer.getvalue(), object_type="companies", name="empresas.xlsx")
    assert job.file_format == "xlsx"
    assert job.mapping["Nome Fantasia"] == "name" and job.mapping["CNPJ"] == "cnpj"
    job = run(ana, job)
    assert (job.created_count, job.updated_count, job.rejected_count) == (2, 1, 1)
    aurora = Company.objects.for_workspace(ana.workspace).get(cnpj="40560865690719")
    assert aurora.name == "Aurora Filial"  # the second row updated the first
    assert aurora.annual_revenue == Decimal("1234567.89")
    assert aurora.employees == 1200
    assert aurora.domain == "aurora.com.br"
    assert aurora.created_at.date() == date(2020, 1, 15)
    brasa = Company.objects.for_workspace(ana.workspace).get(cnpj="02931375858480")
    assert brasa.annual_revenue == Decimal("98000.50")
    got = reasons(job)
    assert {c for c, _m in got[5]} == {"CNPJ", "Faturamento anual"}


def test_deals_link_people_companies_and_stages_by_name(ana):
    from vinculo.sales.models import Deal

    contacts.create_person(actor=ana.actor, data={"first_name": "Rita", "email": "rita@x.com.br"})
    text = "Título;Valor;Contato;Etapa\nPão de queijo;R$ 1.500,00;rita@x.com.br;\n"
    text += "Sem contato;10;ninguem@x.com.br;\n;5;;\n"
    job = run(ana, upload(ana, text.encode("utf-8"), object_type="deals"))
    assert (job.created_count, job.rejected_count) == (1, 2)
    deal = Deal.objects.for_workspace(ana.workspace).get()
    assert (deal.title, deal.amount, deal.person.email) == (
        "Pão de queijo",
        Decimal("1500.00"),
        "rita@x.com.br",
    )
    assert reasons(job)[3] == [("Contato", "No person with this email.")]


# --- dry run, checkpoint, report ----------------------------------------------------------------


def test_dry_run_lists_every_problem_and_writes_nothing(ana):
    job = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    job = svc.dry_run_import(actor=ana.actor, job_id=job.pk)
    p = job.preview
    assert (p["would_create"], p["would_update"], p["would_skip"], p["rejected"]) == (3, 1, 0, 6)
    assert p["complete"] is True and p["rows"] == p["total_rows"] == 11
    first = p["first_rows"][0]
    assert first["action"] == "create" and first["line"] == 2
    assert first["values"]["first_name"] == "João"
    assert first["values"]["birth_date"] == "1985-03-05"
    assert Person.objects.for_workspace(ana.workspace).count() == 0
    assert Company.objects.for_workspace(ana.workspace).count() == 0
    assert sorted(
        ImportRowError.objects.filter(job=job, dry_run=True).values_list("line", flat=True)
    ) == [4, 5, 6, 7, 11, 12]
    assert job.status == ImportStatus.DRAFT
    # The real run then does exactly what the dry run said.
    svc.start_import(actor=ana.actor, job_id=job.pk)
    job = svc.run_import(job.pk)
    assert (job.created_count, job.updated_count, job.rejected_count) == (3, 1, 6)
    assert not ImportRowError.objects.filter(job=job, dry_run=True).exists()


def test_small_batches_give_the_same_result_and_move_the_checkpoint(ana, monkeypatch):
    monkeypatch.setenv("VINCULO_IMPORT_BATCH_SIZE", "2")
    seen = []
    job = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    svc.start_import(actor=ana.actor, job_id=job.pk)
    job = svc.run_import(job.pk, on_progress=lambda j: seen.append(j.next_row))
    assert (job.created_count, job.updated_count, job.rejected_count) == (3, 1, 6)
    assert seen == [0, 2, 4, 6, 9, 11, 11]  # the blank row 9 moves the checkpoint too
    assert sorted(reasons(job)) == [4, 5, 6, 7, 11, 12]


def test_rejected_csv_has_original_columns_row_and_reason_in_the_uploads_dialect(ana):
    job = run(ana, upload(ana, CP1252))
    report = svc.rejected_csv(job)
    assert (report.charset, report.delimiter) == ("windows-1252", ";")
    text = b"".join(report.chunks).decode("cp1252")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [*job.headers, "row", "reason"]
    assert len(rows) == 7
    assert rows[2][:2] == ["Ana", "Beatriz"]
    assert rows[2][-2:] == ["5", "CPF: This CPF is not valid."]


def test_resume_continues_after_the_checkpoint_without_duplicates(ana, monkeypatch):
    monkeypatch.setenv("VINCULO_IMPORT_BATCH_SIZE", "3")
    job = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    svc.start_import(actor=ana.actor, job_id=job.pk)

    class Crash(Exception):
        pass

    def crash_after_first_batch(j):
        if j.next_row >= 3:
            raise Crash

    with pytest.raises(Crash):
        svc.run_import(job.pk, on_progress=crash_after_first_batch)
    job.refresh_from_db()
    assert (job.status, job.next_row, job.created_count) == (ImportStatus.FAILED, 3, 2)
    assert "Crash" in job.error
    svc.resume_import(actor=ana.actor, job_id=job.pk, enqueue=False)
    job = svc.run_import(job.pk)
    assert (job.status, job.created_count, job.updated_count, job.rejected_count) == (
        ImportStatus.DONE,
        3,
        1,
        6,
    )
    assert Person.objects.for_workspace(ana.workspace).count() == 3
    assert ImportRowError.objects.filter(job=job).count() == 6


def test_a_running_import_is_resumable_only_once_its_checkpoint_is_stale(ana, monkeypatch):
    job = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    with pytest.raises(Conflict):  # a worker may still hold it
        svc.resume_import(actor=ana.actor, job_id=job.pk)
    assert svc.run_import(job.pk).status == ImportStatus.RUNNING  # not queued: left alone
    monkeypatch.setenv("VINCULO_IMPORT_STALE_SECONDS", "0")
    svc.resume_import(actor=ana.actor, job_id=job.pk, enqueue=False)
    assert svc.run_import(job.pk).created_count == 3


def test_a_worker_picking_up_an_abandoned_import_takes_it_over(ana, monkeypatch):
    job = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    job = svc.run_import(job.pk)
    assert (job.status, job.created_count, job.rejected_count) == (ImportStatus.DONE, 3, 6)


@pytest.mark.django_db(transaction=True)
def test_an_import_whose_worker_died_is_continued_by_the_schedule(ana):
    job = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=5)
    )
    fresh = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=fresh.pk, mapping={})
    ImportJob.objects.filter(pk=fresh.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now()
    )
    assert svc.requeue_abandoned_imports() == [job.pk]  # a live worker keeps the fresh one
    run_burst(mode="db")
    job.refresh_from_db()
    assert (job.status, job.created_count, job.rejected_count) == (ImportStatus.DONE, 3, 6)
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportStatus.RUNNING


def test_cancel_stops_between_batches(ana):
    job = upload(ana, CP1252)
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={})
    svc.start_import(actor=ana.actor, job_id=job.pk)
    svc.cancel_import(actor=ana.actor, job_id=job.pk)
    job = svc.run_import(job.pk)
    assert job.status == ImportStatus.CANCELLED
    assert Person.objects.for_workspace(ana.workspace).count() == 0
    with pytest.raises(Conflict):
        svc.resume_import(actor=ana.actor, job_id=job.pk)


# --- refusals ---------------------------------------------------------------------------------


def test_bad_mapping_is_refused_naming_the_column(ana):
    job = upload(ana, CP1252)
    with pytest.raises(ValidationFailed) as exc:
        svc.set_mapping(
            actor=ana.actor,
            job_id=job.pk,
            mapping={
                "Nome": "first_name",
                "Sobrenome": "first_name",
                "CPF": "shoe_size",
                "Nope": "email",
            },
        )
    fields = {e.field for e in exc.value.errors}
    assert fields == {"mapping.Sobrenome", "mapping.CPF", "mapping.Nope"}
    with pytest.raises(ValidationFailed) as exc:
        svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={"Nome": "", "Sobrenome": ""})
    assert [e.field for e in exc.value.errors] == ["mapping"]
    with pytest.raises(ValidationFailed) as exc:
        svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={}, options={"dedupe": "merge"})
    assert [e.field for e in exc.value.errors] == ["options.dedupe"]


def test_unreadable_files_are_refused(ana):
    with pytest.raises(ValidationFailed) as exc:
        upload(ana, b"")
    assert exc.value.errors[0].field == "file"
    with pytest.raises(ValidationFailed) as exc:
        upload(ana, b"PK\x03\x04garbage", name="x.xlsx")
    assert exc.value.errors[0].field == "file"
    with pytest.raises(ValidationFailed) as exc:
        upload(ana, b"anything", name="old.xls")
    assert exc.value.errors[0].field == "file"
    with pytest.raises(ValidationFailed) as exc:
        upload(ana, b"x", object_type="tickets")
    assert exc.value.errors[0].field == "object_type"
    assert not ImportJob.objects.exists()


def test_viewer_cannot_import_and_other_workspaces_see_nothing(ana, vera, carla):
    with pytest.raises(PermissionDenied):
        upload(vera, CP1252)
    job = upload(ana, CP1252)
    from vinculo.core.errors import NotFound

    for call in (
        lambda: svc.set_mapping(actor=carla.actor, job_id=job.pk, mapping={}),
        lambda: svc.dry_run_import(actor=carla.actor, job_id=job.pk),
        lambda: svc.start_import(actor=carla.actor, job_id=job.pk),
        lambda: svc.cancel_import(actor=carla.actor, job_id=job.pk),
    ):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(PermissionDenied):
        svc.start_import(actor=vera.actor, job_id=job.pk)


def test_templates_round_trip_and_prefill_the_next_upload(ana):
    job = upload(ana, CP1252)
    svc.set_mapping(
        actor=ana.actor,
        job_id=job.pk,
        mapping={"Observação": "interests"},
        options={"dedupe": "skip"},
    )
    template = svc.save_job_as_template(actor=ana.actor, job_id=job.pk, name="Planilha da loja")
    assert template.mapping["Observação"] == "interests"
    with pytest.raises(ValidationFailed) as exc:
        svc.create_template(
            actor=ana.actor, data={"name": "planilha da loja", "object_type": "people"}
        )
    assert exc.value.errors[0].field == "name"
    again = upload(ana, CP1252, template_id=template.pk)
    assert again.mapping["Observação"] == "interests"
    assert again.options == {"dedupe": "skip"}
    svc.update_template(actor=ana.actor, template_id=template.pk, data={"name": "Loja"})
    svc.delete_template(actor=ana.actor, template_id=template.pk)
    again.refresh_from_db()
    assert again.template_id is None and again.mapping["Observação"] == "interests"
