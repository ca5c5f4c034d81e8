"""A killed import resumes after its last committed batch: nothing duplicated, nothing lost;
and ``vinculo import`` refuses bad arguments clearly."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from vinculo.contacts.models import Person
from vinculo.quality.models import ImportJob, ImportRowError, ImportStatus

ROOT = Path(__file__).resolve().parents[2]
ROWS = 6000
BATCH = 40


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = f"{user}:{s['PASSWORD']}" if s.get("PASSWORD") else user
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "VINCULO_DATA_DIR": str(tmp_path / "data"),
        "VINCULO_IMPORT_BATCH_SIZE": str(BATCH),
        # This checkout's code, not whichever one the virtualenv's editable install points at.
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        **extra,
    }
    env.pop("VINCULO_TEST_DATABASE_URL", None)
    return env


@pytest.fixture(autouse=True)
def english(ana):
    """The CLI speaks its user's language; these tests read its English messages."""
    ana.user.language = "en"
    ana.user.save(update_fields=["language"])


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "vinculo", "import", *args, "--no-progress"]


def _people_file(path: Path) -> Path:
    """ROWS people; every 10th row repeats the email of row i-7 (a duplicate within the file)
    and every 97th has a bad CPF."""
    with open(path, "w", encoding="cp1252", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["Nome", "Sobrenome", "E-mail", "Celular", "CPF", "Cidade"])
        for i in range(ROWS):
            email = f"pessoa{i - 7 if i % 10 == 0 and i else i}@exemplo.com.br"
            document = "123.456.789-00" if i % 97 == 5 else _cpf(i)
            out.writerow(
                [f"José{i}", "Araújo", email, f"(11) 9{i:04d}-{i % 7:04d}", document, "Goiânia"]
            )
    return path


def _cpf(i: int) -> str:
    """A valid CPF, different for every ``i``."""
    digits = [int(d) for d in f"{100_000_000 + i:09d}"]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    return "".join(map(str, digits))


def _expected() -> tuple[int, int, int]:
    """(created, updated, rejected) of the generated file."""
    rejected = {i for i in range(ROWS) if i % 97 == 5}
    updated = {
        i for i in range(ROWS) if i % 10 == 0 and i and i not in rejected and i - 7 not in rejected
    }
    return ROWS - len(rejected) - len(updated), len(updated), len(rejected)


def _snapshot(workspace) -> list[tuple[str, str, str, str]]:
    return sorted(
        Person.objects.for_workspace(workspace).values_list(
            "first_name", "last_name", "email", "city"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_killed_import_resumes_to_the_same_result_as_a_clean_one(ana, carla, tmp_path):
    data = _people_file(tmp_path / "pessoas.csv")
    ws_a = str(ana.workspace.pk)
    process = subprocess.Popen(
        _cli(str(data), "--workspace", ws_a, "--user", ana.user.email, "--type", "people"),
        env=_env(tmp_path),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    # Kill it (SIGKILL: no cleanup) as soon as a checkpoint past the first batch is committed.
    deadline = time.monotonic() + 120
    job = None
    while time.monotonic() < deadline and process.poll() is None:
        job = ImportJob.objects.filter(workspace=ana.workspace).first()
        if job is not None and job.next_row >= 2 * BATCH:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, process.stderr.read()
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING, "the import finished before it could be killed"
    assert 0 < job.next_row < ROWS
    assert job.next_row % BATCH == 0  # only whole batches were committed
    # What was committed matches the checkpoint exactly.
    assert Person.objects.for_workspace(ana.workspace).count() == job.created_count
    assert ImportRowError.objects.filter(job=job).count() == job.rejected_count

    resumed = subprocess.run(
        _cli("--workspace", ws_a, "--user", ana.user.email, "--resume", str(job.pk)),
        env=_env(tmp_path, VINCULO_IMPORT_STALE_SECONDS="0"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert resumed.returncode == 0, resumed.stderr
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE

    clean = subprocess.run(
        _cli(
            str(data),
            "--workspace",
            str(carla.workspace.pk),
            "--user",
            carla.user.email,
            "--type",
            "people",
        ),
        env=_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert clean.returncode == 0, clean.stderr
    reference = ImportJob.objects.get(workspace=carla.workspace)

    for imported in (job, reference):
        counts = (imported.created_count, imported.updated_count, imported.rejected_count)
        assert counts == _expected()
    assert (job.created_count, job.updated_count, job.rejected_count) == (
        reference.created_count,
        reference.updated_count,
        reference.rejected_count,
    )
    assert _snapshot(ana.workspace) == _snapshot(carla.workspace)
    emails = list(Person.objects.for_workspace(ana.workspace).values_list("email", flat=True))
    assert len(emails) == len(set(emails))  # each person once
    assert sorted(ImportRowError.objects.filter(job=job).values_list("line", flat=True)) == sorted(
        ImportRowError.objects.filter(job=reference).values_list("line", flat=True)
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.csv", "--type", "people"], "No such file"),
        (["--type", "people"], "No such file"),
        (["{file}"], "--type people|companies|deals"),
        (["{file}", "--type", "people", "--map", "Nome"], "COLUMN=FIELD"),
        (["{file}", "--type", "people", "--map", "Nome=shoe_size"], "Unknown field"),
        (["{file}", "--type", "people", "--template", "Nada"], "No people template named"),
    ],
)
def test_cli_refuses_bad_arguments_with_a_clear_message(ana, tmp_path, args, message):
    data = tmp_path / "p.csv"
    data.write_text("Nome;E-mail\nAna;ana@x.com.br\n", encoding="utf-8")
    args = [a.replace("{file}", str(data)) for a in args]
    done = subprocess.run(
        _cli(*args, "--workspace", str(ana.workspace.pk), "--user", ana.user.email),
        env=_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert message in done.stderr
    assert not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_cli_refuses_a_viewer_and_a_stranger(ana, vera, carla, tmp_path):
    data = tmp_path / "p.csv"
    data.write_text("Nome;E-mail\nAna;ana@x.com.br\n", encoding="utf-8")
    for email in (vera.user.email, carla.user.email):
        done = subprocess.run(
            _cli(
                str(data), "--type", "people", "--workspace", str(ana.workspace.pk), "--user", email
            ),
            env=_env(tmp_path),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 1, done.stderr
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_cli_dry_run_then_import_with_a_template(ana, tmp_path):
    from vinculo.quality.services import imports as svc

    svc.create_template(
        actor=ana.actor,
        data={
            "name": "Loja",
            "object_type": "people",
            "mapping": {"Nome": "full_name"},
            "options": {"dedupe": "skip"},
        },
    )
    data = tmp_path / "p.csv"
    data.write_text(
        "Nome;E-mail;CPF\nAna Lima;ana@x.com.br;\nBia Reis;bia@x.com.br;123\n", encoding="utf-8"
    )
    base = ["--type", "people", "--workspace", str(ana.workspace.pk), "--user", ana.user.email]
    dry = subprocess.run(
        _cli(str(data), *base, "--template", "loja", "--dry-run"),
        env=_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert dry.returncode == 0, dry.stderr
    assert "would create 1, update 0, skip 0; 1 rejected" in dry.stdout
    assert "row 3: CPF:" in dry.stdout
    assert not Person.objects.exists()
    report = tmp_path / "rejected.csv"
    real = subprocess.run(
        _cli(str(data), *base, "--template", "loja", "--rejected-csv", str(report)),
        env=_env(tmp_path),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert real.returncode == 0, real.stderr
    assert "1 created, 0 updated, 0 skipped, 1 rejected of 2 rows" in real.stdout
    person = Person.objects.get()
    assert (person.first_name, person.last_name) == ("Ana", "Lima")
    lines = report.read_text(encoding="utf-8").splitlines()  # the upload's ";", with a BOM
    assert lines[0] == "\ufeffNome;E-mail;CPF;row;reason"
    assert lines[1].startswith("Bia Reis;bia@x.com.br;123;3;CPF: ")
