"""Generated Brazilian companies for the duplicate-detection benchmark (see
:mod:`bench.dedupe_data`): trade names and legal names (with and without Ltda/ME/S.A.), CNPJ
(often present, sometimes missing or one digit wrong), email, domain, phone and address; 0-4
damaged copies per company: typos, suffixes written another way or dropped, abbreviations
(Comércio → Com.), the legal name used as the trade name, capitals, accents dropped, CNPJ
missing / mistyped / reformatted, another mailbox of the same domain, phone reformatted, address
damages and missing fields. Reproducible from its seed.
"""

from __future__ import annotations

import random

from bench.dedupe_data import (
    COMPANY_COLUMNS,
    DDDS,
    Dataset,
    address,
    ascii_text,
    columns_of,
    damage_address,
    digit_typo,
    grow,
    pools,
    slug,
    typo,
)

ACTIVITIES = (
    "Comércio de Alimentos", "Indústria Metalúrgica", "Serviços de Limpeza", "Transportes",
    "Construções", "Engenharia", "Tecnologia", "Consultoria Empresarial",
    "Distribuidora de Bebidas",
    "Materiais de Construção", "Informática", "Logística", "Representações Comerciais",
    "Auto Peças", "Farmácia", "Padaria e Confeitaria", "Confecções", "Móveis", "Agropecuária",
    "Contabilidade", "Imóveis", "Turismo", "Educação", "Clínica Médica", "Veículos", "Embalagens",
    "Química", "Papelaria", "Comércio de Calçados", "Serviços Gráficos", "Odontologia",
    "Indústria de Plásticos", "Comércio de Tecidos", "Segurança Patrimonial", "Academia",
)  # fmt: skip
BRANDS = (
    "Nova", "Real", "Brasil", "Estrela", "Sol", "Alfa", "Central", "Paulista", "Mineira", "União",
    "Progresso", "Ideal", "Líder", "Master", "Prime", "Bela Vista", "Boa Esperança", "Aliança",
    "Horizonte", "Vitória", "Primavera", "Continental", "Nacional", "Atlântico", "Sul", "Norte",
    "Delta", "Ômega", "Globo", "Imperial", "Sertão", "Planalto", "Cristal", "Diamante", "Águia",
)  # fmt: skip
SUFFIXES = ("Ltda.", "Ltda", "LTDA", "ME", "- ME", "EIRELI", "S.A.", "S/A", "EPP", "- EPP")
ABBREVIATIONS = {
    "Comércio": "Com.", "Indústria": "Ind.", "Serviços": "Serv.", "Distribuidora": "Distrib.",
    "Materiais": "Mat.", "Construção": "Const.", "Construções": "Constr.", "Representações": "Rep.",
    "Transportes": "Transp.", "Engenharia": "Eng.", "Comerciais": "Com.", " e ": " & ",
}  # fmt: skip


def _cnpj(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(8)] + [0, 0, 0, 1]
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if rest < 2 else 11 - rest)
    text = "".join(map(str, digits))
    if rng.random() < 0.5:
        return f"{text[:2]}.{text[2:5]}.{text[5:8]}/{text[8:12]}-{text[12:]}"
    return text


def _landline(rng: random.Random) -> str:
    ddd = rng.choice(DDDS)
    number = f"{rng.randint(2, 5)}{rng.randint(0, 9_999_999):07d}"
    return rng.choice((f"({ddd}) {number[:4]}-{number[4:]}", f"+55{ddd}{number}", f"{ddd}{number}"))


def _abbreviate(rng: random.Random, text: str) -> str:
    spots = [k for k in ABBREVIATIONS if k in text]
    if not spots:
        return text
    key = rng.choice(spots)
    return text.replace(key, ABBREVIATIONS[key])


def _suffix(name: str) -> tuple[str, str]:
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(" " + suffix):
            return name[: -len(suffix) - 1], suffix
    return name, ""


def companies(n: int, seed: int) -> Dataset:
    rng = random.Random(seed)
    p = pools(seed)

    def original() -> dict[str, str]:
        activity = rng.choice(ACTIVITIES)
        owner = rng.choice(p.lasts)
        if rng.random() < 0.4:
            owner = f"{owner} {rng.choice(('e', '&'))} {rng.choice(p.lasts)}"
        brand = rng.choice(BRANDS) if rng.random() < 0.5 else rng.choice(p.lasts)
        if rng.random() < 0.3:
            brand = f"{brand} {rng.choice(p.firsts)}"
        short = activity.split(" de ")[-1].split()[0]
        trade = f"{brand} {short}" if rng.random() < 0.7 else f"{brand} {activity}"
        legal = f"{owner} {activity} {rng.choice(SUFFIXES)}"
        site = f"{slug(trade)}.com.br"
        email = ""
        if rng.random() < 0.6:
            local = rng.choice(("contato", "vendas", slug(owner.split()[0]), "financeiro"))
            email = f"{local}@{site}" if rng.random() < 0.8 else f"{slug(trade)}@gmail.com"
        return {
            "name": trade if rng.random() < 0.85 else f"{trade} {rng.choice(SUFFIXES)}",
            "legal_name": legal if rng.random() < 0.8 else "",
            "cnpj": _cnpj(rng) if rng.random() < 0.8 else "",
            "email": email,
            "domain": site if rng.random() < 0.4 else "",
            "phone": _landline(rng) if rng.random() < 0.75 else "",
            **address(rng, p),
        }

    kinds = (
        ["typo"] * 4 + ["suffix"] * 3 + ["abbreviate"] * 3 + ["missing"] * 4
        + ["legal_as_name", "upper", "accents", "cnpj_missing", "cnpj_typo", "cnpj_format",
           "other_email", "phone_format", "cep_typo", "city_typo", "street_short", "cep_format"]
    )  # fmt: skip
    missing_fields = (
        "legal_name", "email", "domain", "phone", "number", "complement", "district",
        "postal_code", "street",
    )  # fmt: skip
    typo_fields = ("name", "legal_name", "street", "district", "city")

    def damage(rng: random.Random, row: dict[str, str]) -> dict[str, str]:
        dup = dict(row)
        for kind in rng.sample(kinds, k=rng.choice((1, 1, 2, 2, 3, 4))):
            if damage_address(rng, dup, kind):
                continue
            if kind == "typo":
                key = rng.choice(typo_fields)
                if dup[key]:
                    dup[key] = typo(rng, dup[key])
            elif kind == "suffix":  # Ltda. written another way, added or dropped
                key = rng.choice(("name", "legal_name"))
                if dup[key]:
                    base, suffix = _suffix(dup[key])
                    new = rng.choice([s for s in (*SUFFIXES, "", "") if s != suffix])
                    dup[key] = f"{base} {new}".strip()
            elif kind == "abbreviate":
                key = rng.choice(("name", "legal_name"))
                dup[key] = _abbreviate(rng, dup[key])
            elif kind == "legal_as_name" and dup["legal_name"]:
                dup["name"] = dup["legal_name"]
            elif kind == "upper":
                dup["name"], dup["legal_name"] = dup["name"].upper(), dup["legal_name"].upper()
            elif kind == "accents":
                for key in typo_fields:
                    dup[key] = ascii_text(dup[key])
            elif kind == "cnpj_missing":
                dup["cnpj"] = ""
            elif kind == "cnpj_typo" and dup["cnpj"]:
                dup["cnpj"] = digit_typo(rng, dup["cnpj"])
            elif kind == "cnpj_format" and dup["cnpj"]:
                dup["cnpj"] = "".join(c for c in dup["cnpj"] if c.isdigit())
            elif kind == "other_email" and dup["email"]:
                dup["email"] = (
                    f"{rng.choice(('comercial', 'adm', 'compras'))}@" + (dup["email"].split("@")[1])
                )
            elif kind == "phone_format" and dup["phone"]:
                digits = "".join(c for c in dup["phone"] if c.isdigit())[-10:]
                dup["phone"] = f"0{digits[:2]} {digits[2:6]}-{digits[6:]}"
            elif kind == "missing":
                dup[rng.choice(missing_fields)] = ""
        return dup

    rows, entity = grow(n, rng, original, damage)
    return Dataset(
        "companies",
        "company",
        columns_of(rows, COMPANY_COLUMNS),
        entity,
        about="generated Brazilian companies: trade and legal names (Ltda/ME/S.A. or not, "
        "abbreviations), CNPJ, email, domain, phone, address; 0-4 damaged copies per company",
    )
