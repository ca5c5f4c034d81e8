"""Imports, cells: reading one spreadsheet cell as a date, a number, a matching key, or a full
name split into first and last name the Brazilian way.

Used by :mod:`vinculo.quality.services.import_rows`.
"""

from __future__ import annotations

import re
from datetime import date, time

from vinculo.quality.services.import_files import normalise_header

_DATE_BR = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


class NoSuchDate(ValueError):
    """A cell written as a date (dd/mm/aaaa or ISO) that is not a day of the calendar."""


def parse_date_text(text: str, *, with_time: bool = False) -> str:
    """dd/mm/aaaa (also with ``-`` or ``.``, optionally a time) → ISO; anything else as is,
    for the service to accept (ISO) or refuse with its message.

    Raises :class:`NoSuchDate` for a date in either format that does not exist (31/02/1990).
    """
    iso = _DATE_ISO.match(text)
    if iso:
        _check_date(int(iso[1]), int(iso[2]), int(iso[3]))
        return text
    match = _DATE_BR.match(text)
    if not match:
        return text
    day, month, year, hour, minute, second = match.groups()
    _check_date(int(year), int(month), int(day))
    out = f"{year}-{int(month):02d}-{int(day):02d}"
    if with_time:
        try:
            time(int(hour or 0), int(minute or 0), int(second or 0))
        except ValueError:
            raise NoSuchDate(text) from None
        out += f"T{int(hour or 0):02d}:{minute or '00'}:{second or '00'}"
    return out


def looks_like_date(text: str) -> bool:
    """Whether a cell is written in a date format the import reads (dd/mm/aaaa or ISO)."""
    return bool(_DATE_ISO.match(text) or _DATE_BR.match(text))


def _check_date(year: int, month: int, day: int) -> None:
    try:
        date(year, month, day)
    except ValueError:
        raise NoSuchDate(f"{day:02d}/{month:02d}/{year}") from None


def parse_decimal_text(text: str) -> str:
    """ "R$ 1.234,56" → "1.234,56" (the services read Brazilian decimals); "1.234" → "1234";
    "1,234.56" → "1234.56"."""
    text = text.replace("R$", "").replace("\u00a0", "").replace(" ", "").strip()
    if "," in text and "." in text and text.rfind(".") > text.rfind(","):
        return text.replace(",", "")
    if _THOUSANDS.match(text):
        return text.replace(".", "")
    return text


# --- matching keys ----------------------------------------------------------------------------


def phone_key(value: str) -> str:
    """A cheap E.164 key for matching (the service does the full check on writes)."""
    digits = re.sub(r"\D", "", value)
    if not digits:
        return ""
    if value.strip().startswith("+") or (digits.startswith("55") and len(digits) in (12, 13)):
        return f"+{digits}"
    if len(digits) in (10, 11):
        return f"+55{digits}"
    return f"+{digits}"


def email_key(value: str) -> str:
    return value.strip().lower()


def document_key(value: str) -> str:
    """The digits of a CPF (11) or CNPJ (14); "" for anything else."""
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) in (11, 14) else ""


def company_name_key(value: str) -> str:
    return normalise_header(value)


# --- names ------------------------------------------------------------------------------------

# Common Brazilian compound first names (accents, case ignored). A full name starting with one
# of these keeps it whole as the first name: "Ana Paula Gonçalves" → "Ana Paula" + "Gonçalves".
COMPOUND_FIRST_NAMES = frozenset(
    normalise_header(name)
    for name in (
        "Ana Beatriz",
        "Ana Carolina",
        "Ana Clara",
        "Ana Cláudia",
        "Ana Cristina",
        "Ana Júlia",
        "Ana Laura",
        "Ana Lúcia",
        "Ana Luiza",
        "Ana Luísa",
        "Ana Maria",
        "Ana Paula",
        "Ana Sofia",
        "Ana Vitória",
        "Antônio Carlos",
        "Carlos Alberto",
        "Carlos Eduardo",
        "Carlos Henrique",
        "Francisco José",
        "João Carlos",
        "João Gabriel",
        "João Guilherme",
        "João Lucas",
        "João Miguel",
        "João Paulo",
        "João Pedro",
        "João Victor",
        "João Vitor",
        "José Antônio",
        "José Carlos",
        "José Luiz",
        "José Maria",
        "José Paulo",
        "José Roberto",
        "Luiz Carlos",
        "Luiz Eduardo",
        "Luiz Felipe",
        "Luiz Fernando",
        "Luiz Gustavo",
        "Luiz Henrique",
        "Luis Fernando",
        "Luís Felipe",
        "Maria Alice",
        "Maria Aparecida",
        "Maria Cecília",
        "Maria Clara",
        "Maria Eduarda",
        "Maria Fernanda",
        "Maria Helena",
        "Maria Isabel",
        "Maria José",
        "Maria Júlia",
        "Maria Laura",
        "Maria Luiza",
        "Maria Luísa",
        "Maria Paula",
        "Maria Sofia",
        "Maria Tereza",
        "Maria Teresa",
        "Maria Vitória",
        "Maria de Fátima",
        "Maria de Lourdes",
        "Maria do Carmo",
        "Maria do Socorro",
        "Maria da Conceição",
        "Maria da Glória",
        "Maria das Graças",
        "Maria da Penha",
        "Paulo César",
        "Paulo Henrique",
        "Paulo Roberto",
        "Pedro Henrique",
        "Pedro Lucas",
        "Luiz Otávio",
        "Marco Antônio",
        "Marcos Vinícius",
        "Vitor Hugo",
        "Victor Hugo",
    )
)
_LONGEST_COMPOUND = max(len(n.split()) for n in COMPOUND_FIRST_NAMES)


def split_full_name(text: str) -> tuple[str, str]:
    """A full name → (first name, last name): a known compound first name stays whole when a
    surname follows ("Ana Paula Gonçalves", "Maria das Graças Souza"); particles (da, de, do,
    das, dos, e) go with the last name; a single word is a first name."""
    words = text.split()
    if not words:
        return "", ""
    # Longest known compound first, never taking every word (a surname must remain).
    for size in range(min(_LONGEST_COMPOUND, len(words) - 1), 1, -1):
        if normalise_header(" ".join(words[:size])) in COMPOUND_FIRST_NAMES:
            return " ".join(words[:size]), " ".join(words[size:])
    return words[0], " ".join(words[1:])
