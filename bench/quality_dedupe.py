"""Duplicate detection benchmark: precision, recall, F1 and time at N people.

A generator makes N people of whom a known share (default 15 %) are extra copies of another
person, each copy damaged the way CRM data gets damaged: typos in names, first and last name
swapped, accents dropped, phone written another way, email in capitals / with Gmail dots or a
``+tag`` / replaced by another address, fields missing, city missing. The ground truth is every
pair of records that describe the same person.

Two modes run the product's own matcher (``vinculo.quality.services.duplicates``):

* ``db``: a fresh SQLite database, the people loaded through
  ``contacts.services.bulk_create_people(max_rows=None)``, then the ``detect_duplicates`` service
  (streaming from the database, scoring, clustering, storing candidates) is timed;
* ``memory``: the same rows as tuples fed to ``person_record`` + ``find_pairs`` (no database):
  used for 1,000,000 people, where seeding through the ORM would dominate the run.

Run: ``.venv/bin/python -m bench.quality_dedupe --sizes 10000 100000 --mode db`` and
``--sizes 1000000 --mode memory``. Writes ``bench/results/<date>-quality_dedupe.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
import unicodedata
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET = {"n": 100_000, "f1": 0.95, "seconds": 60.0}

DDDS = ("11", "21", "31", "41", "47", "51", "61", "71", "81", "85", "91", "27", "62", "19")
DOMAINS = ("gmail.com", "hotmail.com", "yahoo.com.br", "uol.com.br", "outlook.com", "bol.com.br")


# --- generator ---------------------------------------------------------------------------------


def _pools(seed: int) -> tuple[list[str], list[str], list[str]]:
    from faker import Faker

    fake = Faker("pt_BR")
    fake.seed_instance(seed)
    firsts = sorted({fake.first_name() for _ in range(4000)})
    lasts = sorted({fake.last_name() for _ in range(4000)})
    cities = sorted({fake.city() for _ in range(3000)})
    return firsts, lasts, cities


def _cpf(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=False))
        check = (total * 10) % 11
        digits.append(0 if check == 10 else check)
    return "".join(map(str, digits))


def _phone(rng: random.Random) -> str:
    return f"+55{rng.choice(DDDS)}9{rng.randint(6, 9)}{rng.randint(0, 9_999_999):07d}"


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _slug(text: str) -> str:
    return "".join(c for c in _ascii(text).lower() if c.isalnum())


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.33:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.66:  # drop a letter
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiourstnml") + word[i + 1 :]  # wrong letter


def _reformat_phone(rng: random.Random, phone: str) -> str:
    national = phone[3:]
    ddd, number = national[:2], national[2:]
    return rng.choice(
        (
            f"({ddd}) {number[:5]}-{number[5:]}",
            f"0{ddd} {number}",
            f"+55 {ddd} {number[:5]} {number[5:]}",
            f"{ddd}{number}",
        )
    )


def _damage(rng: random.Random, row: dict[str, str], firsts: list[str]) -> dict[str, str]:
    dup = dict(row)
    dup["cpf"] = ""  # a CPF is unique per workspace: a second record with it cannot exist
    damages = rng.sample(
        ["typo", "swap", "accents", "phone", "email_form", "missing", "other_email", "city"],
        k=rng.randint(1, 3),
    )
    for damage in damages:
        if damage == "typo":
            key = rng.choice(("first_name", "last_name"))
            dup[key] = _typo(rng, dup[key])
        elif damage == "swap":
            dup["first_name"], dup["last_name"] = dup["last_name"], dup["first_name"]
        elif damage == "accents":
            dup["first_name"], dup["last_name"] = (
                _ascii(dup["first_name"]),
                _ascii(dup["last_name"]),
            )
        elif damage == "phone" and dup["phone"]:
            dup["phone"] = _reformat_phone(rng, dup["phone"])
        elif damage == "email_form" and dup["email"]:
            local, domain = dup["email"].split("@")
            if domain == "gmail.com" and rng.random() < 0.5:
                dup["email"] = f"{local.replace('.', '')}+crm@{domain}"
            else:
                dup["email"] = dup["email"].upper()
        elif damage == "missing":
            dup[rng.choice(("email", "phone", "city"))] = ""
        elif damage == "other_email":
            dup["email"] = f"{_slug(dup['first_name'])}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"
        elif damage == "city":
            dup["city"] = ""
    return dup


def generate(n: int, dup_share: float, seed: int) -> tuple[list[dict[str, str]], list[int]]:
    """``n`` people and, for each, the id of the real person it describes (its entity)."""
    rng = random.Random(seed)
    firsts, lasts, cities = _pools(seed)
    originals = round(n * (1 - dup_share))
    rows: list[dict[str, str]] = []
    entity: list[int] = []
    used: set[str] = set()
    for i in range(originals):
        first = rng.choice(firsts)
        last = rng.choice(lasts)
        if rng.random() < 0.3:
            last = f"{last} {rng.choice(lasts)}"
        local = f"{_slug(first)}.{_slug(last.split()[-1])}"
        if rng.random() < 0.7 or local in used:
            local += str(rng.randint(1, 99999))
        used.add(local)  # two people rarely share a mailbox
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "email": f"{local}@{rng.choice(DOMAINS)}" if rng.random() < 0.85 else "",
                "phone": _phone(rng) if rng.random() < 0.75 else "",
                "cpf": _cpf(rng) if rng.random() < 0.5 else "",
                "city": rng.choice(cities) if rng.random() < 0.8 else "",
            }
        )
        entity.append(i)
    for _ in range(n - originals):
        source = rng.randrange(originals)
        rows.append(_damage(rng, rows[source], firsts))
        entity.append(source)
    order = list(range(n))
    rng.shuffle(order)
    return [rows[i] for i in order], [entity[i] for i in order]


def truth_pairs(entity: list[int]) -> set[tuple[int, int]]:
    groups: dict[int, list[int]] = {}
    for index, e in enumerate(entity):
        groups.setdefault(e, []).append(index)
    return {pair for members in groups.values() for pair in combinations(sorted(members), 2)}


def _metrics(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> dict[str, float]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "pairs_found": len(found),
        "true_pairs": len(truth),
    }


# --- modes -------------------------------------------------------------------------------------


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_memory(rows: list[dict[str, str]], threshold: float) -> tuple[set, dict[str, Any]]:
    from vinculo.quality.services.duplicates import find_pairs, person_record

    started = time.perf_counter()
    records = (
        person_record(
            (i, r["first_name"], r["last_name"], r["email"], r["phone"], "", r["cpf"], r["city"])
        )
        for i, r in enumerate(rows)
    )
    matches = find_pairs(records, threshold=threshold)
    seconds = time.perf_counter() - started
    return {(m.left, m.right) for m in matches}, {"detect_seconds": round(seconds, 2)}


def run_db(rows: list[dict[str, str]]) -> tuple[set, dict[str, Any]]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from vinculo.contacts.services import bulk_create_people
    from vinculo.core.actor import Actor, Source
    from vinculo.quality.models import DuplicateCandidate
    from vinculo.quality.services.duplicates import detect_duplicates, get_settings
    from vinculo.workspaces import services as workspaces

    new = workspaces.create_workspace(
        name="Bench",
        owner_email="bench@example.com",
        owner_password="bench-password-123",  # noqa: S106
    )
    actor = Actor.system(new.workspace, source=Source.IMPORT)
    started = time.perf_counter()
    index_of: dict[int, int] = {}
    refused = 0
    for start in range(0, len(rows), 5000):
        batch = rows[start : start + 5000]
        result = bulk_create_people(actor=actor, rows=batch, max_rows=None)
        bad = {e.index for e in result.errors}
        refused += len(bad)
        good = [start + i for i in range(len(batch)) if i not in bad]
        for index, person in zip(good, result.created, strict=True):
            index_of[person.pk] = index
    seed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    run = detect_duplicates(actor=actor, object_type="person")
    seconds = time.perf_counter() - started
    threshold = get_settings(actor).review_threshold
    found = set()
    for left, right in (
        DuplicateCandidate.objects.filter(workspace=new.workspace, probability__gte=threshold)
        .values_list("left_id", "right_id")
        .iterator()
    ):
        a, b = index_of[left], index_of[right]
        found.add((min(a, b), max(a, b)))
    return found, {
        "seed_seconds": round(seed_seconds, 2),
        "rows_refused_by_validation": refused,
        "detect_seconds": round(seconds, 2),
        "clusters": run.clusters_found,
    }


def _setup_django(data_dir: str) -> None:
    os.environ["VINCULO_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vinculo.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--mode", choices=["db", "memory"], default="db")
    parser.add_argument("--dup-share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--threshold", type=float, default=None, help="default: the product's review threshold"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    from bench.run import machine

    data_dir = tempfile.mkdtemp(prefix="vinculo-dedupe-")
    _setup_django(data_dir)
    if args.threshold is None:
        from vinculo.quality.models import DuplicateSettings

        args.threshold = DuplicateSettings._meta.get_field("review_threshold").default
    results = []
    for n in args.sizes:
        gen_started = time.perf_counter()
        rows, entity = generate(n, args.dup_share, args.seed)
        truth = truth_pairs(entity)
        gen_seconds = time.perf_counter() - gen_started
        if args.mode == "db":
            found, timing = run_db(rows)
        else:
            found, timing = run_memory(rows, args.threshold)
        result = {
            "n": n,
            "mode": args.mode,
            "dup_share": args.dup_share,
            "generate_seconds": round(gen_seconds, 2),
            **timing,
            **_metrics(found, truth),
            "peak_rss_mib": _peak_mib(),
        }
        results.append(result)
        print(json.dumps(result))
    if not args.no_write:
        _write(results, machine(), args)
    return 0


def _write(results: list[dict[str, Any]], host: dict[str, Any], args: argparse.Namespace) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).date().isoformat()
    stem = RESULTS / f"{today}-quality_dedupe-{args.mode}"
    payload = {
        "benchmark": "quality_dedupe",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": host,
        "target": TARGET,
        "results": results,
    }
    stem.with_suffix(".json").write_text(json.dumps(payload, indent=2) + "\n")
    lines = [
        f"# Duplicate detection ({args.mode}) — {today}",
        "",
        f"Machine: {host['cpu_model']}, {host['cpu_count']} cores, {host['ram_gb']} GB RAM, "
        f"Python {host['python']}. Duplicates: {args.dup_share:.0%} of N. Target: F1 ≥ "
        f"{TARGET['f1']} at N = {TARGET['n']:,} in under {TARGET['seconds']:.0f} s.",
        "",
        "| N | mode | precision | recall | F1 | pairs found | true pairs | detect s | peak MiB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['n']:,} | {r['mode']} | {r['precision']} | {r['recall']} | {r['f1']} | "
            f"{r['pairs_found']:,} | {r['true_pairs']:,} | {r['detect_seconds']} | "
            f"{r['peak_rss_mib']} |"
        )
    stem.with_suffix(".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
