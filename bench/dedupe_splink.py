"""splink (DuckDB) on the benchmark's data sets, set up the way its documentation recommends.

The records are cleaned in DuckDB SQL the same way Vínculo's matcher normalises them (lower case,
accents and punctuation dropped, street words written in full, company suffixes dropped,
identifiers reduced to letters and digits, emails without ``+tags`` or Gmail dots, phones to
their last ten digits, dates to ``YYYYMMDD``), plus derived blocking keys (first three letters,
initials, birth year, email mailbox, metaphone keys and first letters of the names).

* Comparisons, one per field Vínculo compares: names with Jaro-Winkler levels (splink's
  ``NameComparison``) and term-frequency adjustments; the birth date with
  ``DateOfBirthComparison``; identifiers (CPF, CNPJ, RG, SSN) exact / one edit (Levenshtein:
  DuckDB's Damerau-Levenshtein is eight times slower); email exact / same mailbox or one edit
  (Vínculo's levels, see :func:`_email`); phones exact / one edit; places with Jaro-Winkler levels
  (term frequencies on district and city); house numbers exact / one edit; the state exact; the
  postal code exact / one edit / same area (a CEP's first five digits).
* Blocking: the same rules as Vínculo's (identifiers alone, names that sound alike, names,
  birth dates and address parts two at a time), each used only when at least 5 % of the records
  have its key and its blocks hold at most ``max(100,000, 10 N)`` pairs, as Vínculo decides.
  (Vínculo also skips single blocks above 50 records; splink has no such cap and compares every
  pair of a rule's blocks.)
* Training: the prior from deterministic rules (identifiers, or names with the birth date or
  the postal code) with an assumed recall of 0.7; ``u`` by random sampling of a million pairs
  (splink's default; ten million gave the same F1 at 10,000 records and took 1.7-6 times longer);
  ``m`` by two EM sessions, one blocked on the names and one on another key (at most 2 million
  pairs each, as Vínculo's sessions).
* Prediction: every blocked pair scoring ``match_probability >= 0.01``; the benchmark takes
  ``>= 0.5`` as splink's answer.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import jellyfish
import numpy as np
import pyarrow as pa
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

MIN_FILL = 0.05
U_PAIRS = 1e6
EM_PAIRS = 2e6
PRIOR_RECALL = 0.7
KEEP = 0.01

ACCENTED = "áàâãäéèêëíìîïóòôõöúùûüçñ"
PLAIN = "aaaaaeeeeiiiiooooouuuucn"


def _plain(col: str) -> str:
    """Lower case, accents dropped (``translate``: DuckDB's ``strip_accents`` is slower),
    anything but letters and digits a single space."""
    lowered = f"translate(lower({col}), '{ACCENTED}', '{PLAIN}')"
    return f"trim(regexp_replace({lowered}, '[^a-z0-9]+', ' ', 'g'))"


def _null(expr: str) -> str:
    return f"nullif({expr}, '')"


STREET_WORDS = {"r": "rua", "av": "avenida", "tv": "travessa", "al": "alameda", "pca": "praca"}
COMPANY_SUFFIX = r"\b(ltda|me|epp|sa|s a|eireli|cia|mei|limitada)\b"
PARTICLES = r"\b(da|de|do|das|dos|e)\b"


def _place(col: str) -> str:
    expr = _plain(col)
    for short, full in STREET_WORDS.items():
        expr = f"regexp_replace({expr}, '^{short} ', '{full} ')"
    return expr


def _squeeze(expr: str) -> str:
    return f"trim(regexp_replace({expr}, ' +', ' ', 'g'))"


def _clean_sql(columns: list[str]) -> list[str]:
    """SELECT expressions of the cleaned table."""
    out = ["unique_id"]
    for c in columns:
        if c in ("first_name", "last_name"):
            expr = _squeeze(f"regexp_replace({_plain(c)}, '{PARTICLES}', '', 'g')")
        elif c in ("name", "legal_name"):
            expr = _squeeze(f"regexp_replace({_plain(c)}, '{COMPANY_SUFFIX}', '', 'g')")
        elif c in ("street", "complement", "district", "city"):
            expr = _place(c)
        elif c == "number":
            expr = f"replace({_plain(c)}, ' ', '')"
        elif c == "state":
            expr = _plain(c)
        elif c == "birth_date":
            digits = "regexp_replace(birth_date, '[^0-9]', '', 'g')"
            expr = f"CASE WHEN length({digits}) = 8 THEN {digits} END"
        elif c == "email":
            address = "lower(trim(email))"
            domain = f"split_part({address}, '@', 2)"
            local = f"split_part(split_part({address}, '@', 1), '+', 1)"
            gmail = f"replace({local}, '.', '')"
            local = f"CASE WHEN {domain} = 'gmail.com' THEN {gmail} ELSE {local} END"
            expr = f"CASE WHEN email LIKE '%@%' THEN {local} || '@' || {domain} END"
        elif c == "phone":
            digits = "regexp_replace(phone, '[^0-9]', '', 'g')"
            expr = f"CASE WHEN length({digits}) >= 8 THEN right({digits}, 10) END"
        elif c == "domain":
            expr = "regexp_replace(lower(trim(domain)), '^www[.]', '')"
        else:  # identifiers, postal codes: letters and digits
            expr = f"regexp_replace(upper({c}), '[^A-Z0-9]', '', 'g')"
        out.append(f"{_null(expr)} AS {c}")
    return out


@lru_cache(maxsize=200_000)
def _sound(token: str) -> str:
    return jellyfish.metaphone(token) if token else ""


def _name_keys(con: Any, table: str, kind: str) -> dict[str, np.ndarray]:
    """Name keys for blocking, as Vínculo's (metaphone from jellyfish, as splink's documentation
    suggests for phonetic blocking). People: ``name_sound``, the sorted sounds of the first word
    of each name field; ``name_sound_all``, the sorted sounds of every name word;
    ``name_starts``, the sorted first three letters of the first word of each name field.
    Companies: ``name_sound``, the sounds of the first two name words."""
    if kind == "person":
        query = f"SELECT first_name, last_name FROM {table} ORDER BY unique_id"
        sound, sound_all, starts = [], [], []
        for first, last in con.execute(query).fetchall():
            a, b = (first or "").split(), (last or "").split()
            if not (a and b):
                sound.append(None)
                sound_all.append(None)
                starts.append(None)
                continue
            sound.append(" ".join(sorted((_sound(a[0]), _sound(b[0])))))
            sound_all.append(" ".join(sorted(_sound(t) for t in a + b)))
            starts.append(" ".join(sorted((a[0][:3], b[0][:3]))))
        return {
            "name_sound": np.asarray(sound, dtype=object),
            "name_sound_all": np.asarray(sound_all, dtype=object),
            "name_starts": np.asarray(starts, dtype=object),
        }
    rows = con.execute(f"SELECT name FROM {table} ORDER BY unique_id").fetchall()
    keys = [" ".join(_sound(t) for t in name.split()[:2]) if name else None for (name,) in rows]
    return {"name_sound": np.asarray(keys, dtype=object)}


DERIVED = {
    "first3_first_name": "substr(first_name, 1, 3)",
    "first3_last_name": "substr(last_name, 1, 3)",
    "initial_first_name": "substr(first_name, 1, 1)",
    "initial_last_name": "substr(last_name, 1, 1)",
    "year_birth_date": "substr(birth_date, 1, 4)",
    "mailbox_email": "CASE WHEN length(split_part(email, '@', 1)) >= 5 AND split_part(email, "
    "'@', 1) NOT IN ('contato', 'vendas', 'financeiro', 'comercial', 'atendimento', "
    "'contact', 'info', 'admin', 'suporte') THEN split_part(email, '@', 1) END",
    "first3_name": "substr(name, 1, 3)",
}

PERSON_RULES = [
    ("email",), ("phone",), ("cpf",), ("mailbox_email",), ("name_sound",), ("name_sound_all",),
    ("name_starts", "city"), ("name_starts", "year_birth_date"),
    ("first_name", "first3_last_name"), ("first3_first_name", "last_name"),
    ("birth_date", "postal_code"), ("birth_date", "city"), ("birth_date", "initial_first_name"),
    ("birth_date", "initial_last_name"), ("birth_date", "number"),
    ("postal_code", "number"), ("street", "number"), ("first_name", "postal_code"),
    ("last_name", "postal_code"), ("last_name", "year_birth_date"),
    ("first_name", "year_birth_date"), ("first_name", "city"), ("last_name", "city"),
]  # fmt: skip
COMPANY_RULES = [
    ("cnpj",), ("email",), ("domain",), ("phone",), ("name_sound",), ("name",), ("legal_name",),
    ("first3_name", "city"), ("postal_code", "number"), ("street", "number"),
    ("first3_name", "postal_code"), ("name", "state"),
]  # fmt: skip


def _comparisons(present: set[str], kind: str, custom: list[str], area: int) -> list[Any]:
    out: list[Any] = []
    if kind == "person":
        for c in ("first_name", "last_name"):
            if c in present:
                out.append(cl.NameComparison(c).configure(term_frequency_adjustments=True))
        if "birth_date" in present:
            out.append(
                cl.DateOfBirthComparison(
                    "birth_date",
                    input_is_string=True,
                    datetime_format="%Y%m%d",
                    invalid_dates_as_null=False,
                )
            )
        ids = ["cpf", *custom]
    else:
        if "name" in present:
            out.append(cl.NameComparison("name").configure(term_frequency_adjustments=True))
        if "legal_name" in present:
            out.append(cl.NameComparison("legal_name"))
        ids = ["cnpj", *custom]
    out += [cl.LevenshteinAtThresholds(c, [1]) for c in ids if c in present]
    if "email" in present:
        out.append(_email())
    if "domain" in present:
        out.append(cl.ExactMatch("domain"))
    if "phone" in present:
        out.append(cl.LevenshteinAtThresholds("phone", [1]))
    for c in ("street", "complement", "district", "city"):
        if c in present:
            comparison = cl.JaroWinklerAtThresholds(c, [0.92, 0.8])
            if c in ("district", "city"):
                comparison = comparison.configure(term_frequency_adjustments=True)
            out.append(comparison)
    if "number" in present:
        out.append(cl.LevenshteinAtThresholds("number", [1]))
    if "state" in present:
        out.append(cl.ExactMatch("state"))
    if "postal_code" in present:
        out.append(
            cl.CustomComparison(
                [
                    cll.NullLevel("postal_code"),
                    cll.ExactMatchLevel("postal_code"),
                    cll.LevenshteinLevel("postal_code", 1),
                    cll.CustomLevel(
                        f"substr(postal_code_l, 1, {area}) = substr(postal_code_r, 1, {area})",
                        label_for_charts="same area",
                    ),
                    cll.ElseLevel(),
                ],
                output_column_name="postal_code",
            )
        )
    return out


def _email() -> Any:
    """Exact address / same mailbox name on another domain or one edit apart / else: the levels
    Vínculo uses. (splink's ``EmailComparison`` also has Jaro-Winkler levels on the whole
    address, which score ``ana.silva12@…`` and ``ana.silva87@…`` alike: two namesakes.)"""
    username = "split_part(email_{side}, '@', 1)"
    return cl.CustomComparison(
        [
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email"),
            cll.Or(
                cll.CustomLevel(
                    f"{username.format(side='l')} = {username.format(side='r')}",
                    label_for_charts="same username",
                ),
                cll.LevenshteinLevel("email", 1),
            ),
            cll.ElseLevel(),
        ],
        output_column_name="email",
    )


def _rule_cost(con: Any, parts: tuple[str, ...], n: int) -> tuple[float, int]:
    """(share of records having every part, pairs its blocks hold)."""
    having = " AND ".join(f"{p} IS NOT NULL" for p in parts)
    keys = ", ".join(parts)
    fill, pairs = con.execute(
        f"SELECT (SELECT count(*) FROM clean WHERE {having}), "
        f"(SELECT coalesce(sum(c * (c - 1) / 2), 0) FROM (SELECT count(*) AS c FROM clean "
        f"WHERE {having} GROUP BY {keys}))"
    ).fetchall()[0]
    return fill / max(n, 1), int(pairs)


def run(payload: dict[str, Any], seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """``(left, right, probability, info)`` of every pair scored at least :data:`KEEP`."""
    kind = payload["kind"]
    columns = payload["columns"]
    custom = [key for key, _type in payload["custom"]]
    n = len(next(iter(columns.values())))
    arrays = {"unique_id": pa.array(np.arange(n, dtype=np.int64))}
    for c, values in columns.items():
        arrays[c] = pa.array(values, type=pa.string())
    db = DuckDBAPI()
    con = db.duckdb_con
    con.execute("SET enable_progress_bar = false")
    con.register("raw", pa.table(arrays))
    have = set(columns)
    derived = [
        f"{expr} AS {name}" for name, expr in DERIVED.items() if name.split("_", 1)[1] in have
    ]
    con.execute(f"CREATE TABLE clean0 AS SELECT {', '.join(_clean_sql(list(columns)))} FROM raw")
    con.unregister("raw")
    con.execute(f"CREATE TABLE clean1 AS SELECT {', '.join(['*', *derived])} FROM clean0")
    con.execute("DROP TABLE clean0")
    keys = _name_keys(con, "clean1", kind)
    con.register("sound", pa.table({"unique_id": arrays["unique_id"], **keys}))
    chosen_keys = ", ".join(f"s.{k}" for k in keys)
    con.execute(
        f"CREATE TABLE clean AS SELECT c.*, {chosen_keys} FROM clean1 c "
        "JOIN sound s USING (unique_id) ORDER BY unique_id"
    )
    con.unregister("sound")
    con.execute("DROP TABLE clean1")
    fill = {
        c: v / max(n, 1)
        for c, v in zip(
            list(columns),
            con.execute(
                "SELECT " + ", ".join(f"count({c})" for c in columns) + " FROM clean"
            ).fetchall()[0],
            strict=True,
        )
    }
    present = {c for c, share in fill.items() if share >= MIN_FILL}
    budget = max(100_000, 10 * n)
    rules = PERSON_RULES if kind == "person" else COMPANY_RULES
    rules = [*rules, *[(c,) for c in custom]]
    table_cols = {r[0] for r in con.execute("DESCRIBE clean").fetchall()}
    chosen, report = [], []
    for parts in rules:
        if not all(p in table_cols for p in parts):
            continue
        share, pairs = _rule_cost(con, parts, n)
        entry = {"rule": "+".join(parts), "fill": round(share, 4), "comparisons": pairs}
        entry["used"] = share >= MIN_FILL and pairs <= budget
        report.append(entry)
        if entry["used"]:
            chosen.append(parts)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=_comparisons(present, kind, [c for c in custom if c in present],
                                 payload.get("postal_area", 5)),
        blocking_rules_to_generate_predictions=[block_on(*parts) for parts in chosen],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )  # fmt: skip
    linker = Linker(db.register("clean"), settings, log_level=logging.ERROR)
    deterministic = _deterministic(present, kind, custom)
    linker.training.estimate_probability_two_random_records_match(
        [block_on(*parts) for parts in deterministic], recall=PRIOR_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=seed)
    for parts in _em_rules(con, present, kind, custom, n):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*parts), max_pairs=EM_PAIRS
        )
    predicted = linker.inference.predict(threshold_match_probability=KEEP, warning_mode="never")
    found = (
        predicted.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, match_probability")
        .fetchnumpy()
    )
    info = {"blocking": report, "rules_used": len(chosen)}
    return (
        np.asarray(found["unique_id_l"], dtype=np.int64),
        np.asarray(found["unique_id_r"], dtype=np.int64),
        np.asarray(found["match_probability"], dtype=np.float64),
        info,
    )


def _deterministic(present: set[str], kind: str, custom: list[str]) -> list[tuple[str, ...]]:
    ids = [c for c in (*custom, "cpf", "cnpj", "email") if c in present]
    out: list[tuple[str, ...]] = [(c,) for c in ids]
    names = ("first_name", "last_name") if kind == "person" else ("name",)
    for other in ("birth_date", "postal_code", "city"):
        if other in present and all(c in present for c in names):
            out.append((*names, other))
            break
    return out


def _em_rules(con: Any, present: set[str], kind: str, custom: list[str], n: int) -> list[tuple]:
    """Two sessions: one blocked on the names (trains every other field), one on another key
    that pairs at least a hundred records (trains the names)."""
    names = ("first_name", "last_name") if kind == "person" else ("name",)
    others = (
        ("birth_date",), ("postal_code", "number"), *[(c,) for c in custom],
        ("cpf",), ("cnpj",), ("phone",), ("email",), ("street", "number"),
    )  # fmt: skip
    for parts in others:
        if all(p in present for p in parts) and _rule_cost(con, parts, n)[1] >= 100:
            return [names, parts]
    return [names]
