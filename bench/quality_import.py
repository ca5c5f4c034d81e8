"""Import speed and memory: ``vinculo import`` against django-import-export, same file, same run.

Generates a realistic people CSV (pt-BR names, emails, phones in mixed formats, valid CPFs,
city/state, tags; cp1252 with ``;`` like a Brazilian Excel export) of each ``--rows`` size, then
in a fresh database:

1. runs ``vinculo import FILE --type people`` (the real CLI/task code path, validation on) in a
   subprocess and reads its peak RSS with ``os.wait4``;
2. imports the same file into the same ``Person`` model with django-import-export (a
   ``ModelResource``, ``use_bulk=True``: its fastest set-up) in another subprocess;

and writes ``bench/results/<date>-quality_import[-postgres].json`` and ``.md``.

``python -m bench.quality_import --rows 100000 1000000 [--database postgres] [--die-max-rows N]``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import Any

from bench.run import ROOT, machine, vinculo_bin

RESULTS = ROOT / "bench" / "results"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_quality_import"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
OWNER = "bench-import@vinculo.test"
PASSWORD = "bench-import-senha-1"  # noqa: S105 (a throwaway bench database)

FIRST = [
    "Ana",
    "João",
    "Maria",
    "José",
    "Antônio",
    "Francisca",
    "Carlos",
    "Paulo",
    "Lúcia",
    "Pedro",
    "Luiz",
    "Marcos",
    "Luís",
    "Gabriel",
    "Rafael",
    "Márcia",
    "Fernanda",
    "Patrícia",
    "Aline",
    "Sandra",
    "Juliana",
    "Camila",
    "Bruno",
    "Letícia",
    "Otávio",
    "Érica",
    "Conceição",
    "Raimundo",
    "Sebastião",
    "Tatiane",
    "Vinícius",
    "Júlia",
    "Beatriz",
    "Larissa",
    "Thiago",
    "Caio",
    "Helena",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Araújo",
    "Brandão",
]
CITIES = [
    ("São Paulo", "SP", "11"),
    ("Rio de Janeiro", "RJ", "21"),
    ("Belo Horizonte", "MG", "31"),
    ("Porto Alegre", "RS", "51"),
    ("Salvador", "BA", "71"),
    ("Recife", "PE", "81"),
    ("Goiânia", "GO", "62"),
    ("Curitiba", "PR", "41"),
    ("Fortaleza", "CE", "85"),
    ("Belém", "PA", "91"),
]
TAGS = ["cliente", "vip", "lead", "newsletter", "evento 2026", "indicação"]


def cpf(i: int) -> str:
    """A valid CPF, different for every ``i``, formatted half the time."""
    digits = [int(d) for d in f"{100_000_000 + i:09d}"]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=True))
        digits.append(0 if total % 11 < 2 else 11 - total % 11)
    text = "".join(map(str, digits))
    return f"{text[:3]}.{text[3:6]}.{text[6:9]}-{text[9:]}" if i % 2 else text


def phone(i: int, ddd: str, rng: random.Random) -> str:
    """A mobile number in one of the formats people type."""
    n = f"9{8000_0000 + (i * 7919) % 1999_9999:08d}"
    style = rng.randrange(5)
    if style == 0:
        return f"({ddd}) {n[:5]}-{n[5:]}"
    if style == 1:
        return f"+55 {ddd} {n[:5]}-{n[5:]}"
    if style == 2:
        return f"{ddd}{n}"
    if style == 3:
        return f"0{ddd} {n[:5]} {n[5:]}"
    return f"+55{ddd}{n}"


def ascii_lower(name: str) -> str:
    """What an email address makes of a name: "Conceição" → "conceicao"."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """``rows`` distinct people in a cp1252, ``;``-delimited file."""
    rng = random.Random(seed)
    with open(path, "w", encoding="cp1252", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(["Nome", "Sobrenome", "E-mail", "Celular", "CPF", "Cidade", "UF", "Etiquetas"])
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            city, state, ddd = CITIES[i % len(CITIES)]
            email = f"{ascii_lower(first)}.{ascii_lower(last)}.{i}@exemplo.com.br"
            tags = ", ".join(rng.sample(TAGS, rng.randrange(3)))
            out.writerow([first, last, email, phone(i, ddd, rng), cpf(i), city, state, tags])


# --- environment ------------------------------------------------------------------------------


def env_for(data_dir: Path, database: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VINCULO_", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(
        VINCULO_DATA_DIR=str(data_dir),
        VINCULO_TASKS="db",
        VINCULO_LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    if database == "postgres":
        env["DATABASE_URL"] = PG_URL
    return env


def reset_postgres() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5) as conn:
        conn.execute('DROP DATABASE IF EXISTS "bench_quality_import" WITH (FORCE)')
        conn.execute('CREATE DATABASE "bench_quality_import"')


def check(cmd: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def run_peak(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd``: wall time and that process's own peak RSS (``os.wait4`` on its pid)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{stderr[-3000:]}")
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "output": stdout.strip().splitlines()[-1] if stdout.strip() else "",
    }


# --- django-import-export (in its own process) --------------------------------------------------


def die_worker(path: str, workspace: str, max_rows: int | None) -> None:
    """Import ``path`` with django-import-export into workspace ``workspace``'s people."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import django
    from django.conf import settings

    settings.INSTALLED_APPS  # noqa: B018  (load settings before changing them)
    if "import_export" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "import_export"]
    django.setup()
    import tablib
    from import_export import fields, resources

    from vinculo.contacts.models import Person
    from vinculo.core.tenancy import Workspace

    ws = Workspace.objects.get(slug=workspace)

    class PersonResource(resources.ModelResource):
        first_name = fields.Field(attribute="first_name", column_name="Nome")
        last_name = fields.Field(attribute="last_name", column_name="Sobrenome")
        email = fields.Field(attribute="email", column_name="E-mail")
        mobile_phone = fields.Field(attribute="mobile_phone", column_name="Celular")
        cpf = fields.Field(attribute="cpf", column_name="CPF")
        city = fields.Field(attribute="city", column_name="Cidade")
        state = fields.Field(attribute="state", column_name="UF")

        class Meta:
            model = Person
            fields = ("first_name", "last_name", "email", "mobile_phone", "cpf", "city", "state")
            import_id_fields: tuple[str, ...] = ()
            use_bulk = True
            batch_size = 1000
            force_init_instance = True
            skip_diff = True
            report_skipped = False

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.workspace = ws
            # The model's columns are 11 digits / 20 characters: keep the cells as they fit.
            instance.cpf = "".join(c for c in instance.cpf if c.isdigit())[:11]
            instance.mobile_phone = instance.mobile_phone[:20]

    with open(path, encoding="cp1252", newline="") as fh:
        text = fh.read()
    dataset = tablib.Dataset().load(text, format="csv", delimiter=";")
    if max_rows is not None and len(dataset) > max_rows:
        del dataset[max_rows:]
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    print(json.dumps({"rows": len(dataset), "errors": result.has_errors()}))


# --- the raw write floor (SQLite; in its own process) ------------------------------------------


def floor_worker(path: str, workspace: str, max_rows: int | None) -> None:
    """What the database alone costs: read ``path`` with ``csv`` and write, per person, the rows a
    created person needs (person, "created" timeline entry, domain event, lifecycle change, tag
    link) with ``executemany`` on the app's own SQLite connection, 2,000 rows per transaction —
    no validation, no normalisation beyond CPF digits, no duplicate look-ups, no ORM. An import
    cannot be faster than this on the same machine and schema."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    import re

    import django

    django.setup()
    from django.db import connection

    from vinculo.contacts.models import LifecycleStage, Tag
    from vinculo.core.tenancy import Workspace

    ws = Workspace.objects.get(slug=workspace)
    stage = LifecycleStage.objects.filter(workspace=ws).order_by("position", "pk").first()
    stage_id = stage.pk if stage else None
    tag = Tag.objects.create(workspace=ws, name="floor")
    connection.ensure_connection()
    con = connection.connection
    digits = re.compile(r"\D")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    def flush(batch: list[list[str]]) -> None:
        con.execute("BEGIN IMMEDIATE")
        cursor = con.executemany(
            "INSERT INTO contacts_person (created_at, updated_at, street, number, complement, "
            "district, city, state, postal_code, country, source, custom_fields, first_name, "
            "last_name, email, phone, mobile_phone, cpf, job_title, gender, preferred_channel, "
            "interests, lifecycle_stage_id, lifecycle_changed_at, workspace_id) VALUES "
            "(?, ?, '', '', '', '', ?, ?, '', 'BR', 'import', '{}', ?, ?, ?, '', ?, ?, '', '', "
            "'', '[]', ?, ?, ?)",
            [
                (
                    now,
                    now,
                    r[5],
                    r[6],
                    r[0],
                    r[1],
                    r[2].lower(),
                    r[3],
                    digits.sub("", r[4]),
                    stage_id,
                    now,
                    ws.pk,
                )
                for r in batch
            ],
        )
        last = con.execute("SELECT last_insert_rowid()").fetchone()[0]
        ids = range(last - len(batch) + 1, last + 1)
        con.executemany(
            "INSERT INTO activities_timelineentry (created_at, updated_at, kind, occurred_at, "
            "summary, data, source, person_id, workspace_id) VALUES "
            "(?, ?, 'person.created', ?, ?, '{}', 'import', ?, ?)",
            [
                (now, now, now, f"{r[0]} {r[1]} was added", i, ws.pk)
                for r, i in zip(batch, ids, strict=True)
            ],
        )
        con.executemany(
            "INSERT INTO core_domainevent (name, subject_type, subject_id, payload, source, "
            "occurred_at, workspace_id) VALUES ('person.created', 'person', ?, ?, 'import', ?, ?)",
            [
                (str(i), json.dumps({"name": f"{r[0]} {r[1]}", "email": r[2]}), now, ws.pk)
                for r, i in zip(batch, ids, strict=True)
            ],
        )
        if stage_id:
            con.executemany(
                "INSERT INTO contacts_lifecyclechange (created_at, updated_at, person_id, "
                "to_stage_id, changed_at, source, workspace_id) "
                "VALUES (?, ?, ?, ?, ?, 'import', ?)",
                [(now, now, i, stage_id, now, ws.pk) for i in ids],
            )
        con.executemany(
            "INSERT INTO contacts_person_tags (person_id, tag_id) VALUES (?, ?)",
            [(i, tag.pk) for r, i in zip(batch, ids, strict=True) if r[7]],
        )
        con.execute("COMMIT")
        del cursor

    rows = 0
    with open(path, encoding="cp1252", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        next(reader)
        batch: list[list[str]] = []
        for row in reader:
            if max_rows is not None and rows >= max_rows:
                break
            batch.append(row)
            rows += 1
            if len(batch) == 2000:
                flush(batch)
                batch = []
        if batch:
            flush(batch)
    print(json.dumps({"rows": rows}))


# --- the benchmark ----------------------------------------------------------------------------


def bench_size(rows: int, database: str, work: Path, die_max: int | None) -> dict[str, Any]:
    data_dir = work / f"data-{rows}"
    data_dir.mkdir(parents=True, exist_ok=True)
    env = env_for(data_dir, database)
    if database == "postgres":
        reset_postgres()
    path = work / f"pessoas-{rows}.csv"
    started = time.perf_counter()
    generate(path, rows)
    generate_s = time.perf_counter() - started
    vinculo = vinculo_bin()
    check([*vinculo, "migrate"], env)
    for slug, name in (
        ("bench-import", "Bench import"),
        ("bench-die", "Bench DIE"),
        ("bench-floor", "Bench floor"),
    ):
        check(
            [
                *vinculo,
                "createworkspace",
                name,
                "--owner",
                OWNER,
                "--password",
                PASSWORD,
                "--slug",
                slug,
            ],
            env,
        )
    ours = run_peak(
        [
            *vinculo,
            "import",
            str(path),
            "--workspace",
            "bench-import",
            "--user",
            OWNER,
            "--type",
            "people",
            "--no-progress",
        ],
        env,
    )
    ours["rows_per_s"] = round(rows / ours["seconds"])
    die_rows = rows if die_max is None else min(rows, die_max)
    die = run_peak(
        [
            sys.executable,
            "-m",
            "bench.quality_import",
            "--die-worker",
            str(path),
            "--die-workspace",
            "bench-die",
            *(["--die-max-rows", str(die_max)] if die_max else []),
        ],
        env,
    )
    die["rows"] = die_rows
    die["rows_per_s"] = round(die_rows / die["seconds"])
    floor = None
    if database == "sqlite":
        floor = run_peak(
            [
                sys.executable,
                "-m",
                "bench.quality_import",
                "--floor-worker",
                str(path),
                "--die-workspace",
                "bench-floor",
            ],
            env,
        )
        floor["rows_per_s"] = round(rows / floor["seconds"])
    return {
        "rows": rows,
        "file_mib": round(path.stat().st_size / 1024 / 1024, 1),
        "generate_s": round(generate_s, 1),
        "vinculo": ours,
        "django_import_export": die,
        "ratio_rows_per_s": round(ours["rows_per_s"] / die["rows_per_s"], 2),
        "raw_write_floor": floor,
        "share_of_floor": round(ours["rows_per_s"] / floor["rows_per_s"], 2) if floor else None,
    }


def table(report: dict[str, Any]) -> str:
    def f(part: dict[str, Any] | None, key: str) -> str:
        return f"{part[key]:,}" if part else "—"

    m = report["machine"]
    lines = [
        f"# Import benchmark ({report['date']}, {report['database']})",
        "",
        f"Machine: {m['cpu_model']}, {m['cpu_count']} CPUs, {m['ram_gb']} GB RAM, "
        f"Python {m['python']}; load at start {m['load_average_at_start']}.",
        "File: people, cp1252, `;`, pt-BR names, mixed phone formats, valid CPFs, tags.",
        "",
        "| rows | vinculo import rows/s | time s | peak RSS MiB | django-import-export rows "
        "| DIE rows/s | DIE peak RSS MiB | ratio | raw write floor rows/s | share of floor |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["sizes"]:
        v, d = r["vinculo"], r["django_import_export"]
        lines.append(
            f"| {r['rows']:,} | {v['rows_per_s']:,} | {v['seconds']} | {v['peak_rss_mib']} "
            f"| {d['rows']:,} | {d['rows_per_s']:,} | {d['peak_rss_mib']} "
            f"| {r['ratio_rows_per_s']}x "
            f"| {f(r.get('raw_write_floor'), 'rows_per_s')} | {r.get('share_of_floor') or '—'} |"
        )
    lines += [
        "",
        "vinculo: `vinculo import` (validation of every field, E.164 phones, CPF check digits, "
        "tags, duplicate matching, timeline entries, events, audit, checkpoints per batch). "
        "django-import-export: `ModelResource` with `use_bulk=True`, no validation beyond the "
        "model's field lengths. Raw write floor (SQLite only): the same file read with `csv` and "
        "the five rows a created person needs (person, timeline entry, domain event, lifecycle "
        "change, tag link) written with `executemany`, 2,000 per transaction, without any "
        "validation: no import on this machine and schema can beat it.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--die-max-rows",
        type=int,
        default=None,
        help="Give django-import-export only the first N rows (it loads the file in memory).",
    )
    parser.add_argument("--die-worker", help=argparse.SUPPRESS)
    parser.add_argument("--floor-worker", help=argparse.SUPPRESS)
    parser.add_argument("--die-workspace", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.die_worker:
        die_worker(args.die_worker, args.die_workspace, args.die_max_rows)
        return
    if args.floor_worker:
        floor_worker(args.floor_worker, args.die_workspace, None)
        return
    report: dict[str, Any] = {
        "benchmark": "quality_import",
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "database": args.database,
        "machine": machine(),
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="vinculo-import-bench-") as tmp:
        for rows in args.rows:
            result = bench_size(rows, args.database, Path(tmp), args.die_max_rows)
            report["sizes"].append(result)
            print(json.dumps(result), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{report['date'][:10]}-quality_import" + (
        "-postgres" if args.database == "postgres" else ""
    )
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{stem}.md").write_text(table(report))
    print(table(report))


if __name__ == "__main__":
    main()
