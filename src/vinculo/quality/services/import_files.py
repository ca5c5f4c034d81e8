"""Imports, part one: reading a CSV or XLSX file as a stream of rows, and the column mapping
(the fields an import can fill, suggestions from pt-BR and English headers, validation).

The services that use it are in :mod:`vinculo.quality.services.imports`.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from vinculo.contacts import custom_fields as cf
from vinculo.contacts.contract import ADDRESS_FIELDS, COMPANY, PERSON
from vinculo.contacts.models import Company, CustomObject, FieldType, Person
from vinculo.core.actor import Actor
from vinculo.core.contracts import Kind, WriteContract
from vinculo.core.env import env_int
from vinculo.core.errors import (
    FieldError,
    ValidationFailed,
)
from vinculo.quality.models import (
    ImportDedupe,
    ImportJob,
    ImportObject,
    ImportTemplate,
)
from vinculo.sales.contract import DEAL
from vinculo.sales.models import Deal

DELIMITERS = (",", ";", "\t", "|")
IGNORE = ""  # a column mapped to "" is ignored
CF_PREFIX = "cf:"

# --- reading files ----------------------------------------------------------------------------


def batch_size() -> int:
    """Rows per committed batch (``VINCULO_IMPORT_BATCH_SIZE``; tests use small ones)."""
    return max(1, env_int("VINCULO_IMPORT_BATCH_SIZE", 2000))


def stale_after() -> timedelta:
    """How long a running import may go without a checkpoint before a resume may take it over."""
    return timedelta(seconds=env_int("VINCULO_IMPORT_STALE_SECONDS", 120))


def detect_encoding(head: bytes) -> str:
    """utf-8-sig (BOM), utf-8, else cp1252 (Brazilian Excel), else latin-1 (never fails)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # Incremental: a sample cut in the middle of a multi-byte character is still UTF-8.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def detect_delimiter(text: str) -> str:
    """The delimiter (``,`` ``;`` tab ``|``) giving the widest header that most rows agree on."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        # newline="": a file with CR-only line ends (old Mac exports) splits into rows too.
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = list(itertools.islice(reader, 50))
        if len(rows) > 2:
            rows = rows[:-1]  # the sample may cut the last row short
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths or widths[0] < 2:
            continue
        score = (sum(1 for w in widths if w == widths[0]), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _cell_text(value: Any) -> str:
    """An XLSX cell as the text a CSV would hold (dates ISO, whole floats without ``.0``)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@contextmanager
def open_rows(job: ImportJob) -> Iterator[Iterator[list[str]]]:
    """Every row of the file (the header first) as a list of strings, streamed."""
    path = Path(settings.DATA_DIR) / job.file_path
    if job.file_format == "xlsx":
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book[job.sheet] if job.sheet else book.worksheets[0]
            yield ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        finally:
            book.close()
        return
    with open(path, encoding=job.encoding or "utf-8", newline="", errors="replace") as fh:
        yield csv.reader(fh, delimiter=job.delimiter or ",")


def unique_headers(raw: list[str]) -> list[str]:
    """Trimmed headers; blanks named by position, repeats numbered ("Telefone (2)")."""
    seen: dict[str, int] = {}
    out = []
    for i, header in enumerate(raw):
        name = " ".join(str(header or "").split()) or f"column_{i + 1}"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _data_rows(job: ImportJob, start: int = 0) -> Iterator[tuple[int, list[str] | None]]:
    """(0-based data-row index, cells) from index ``start``; blank rows come as ``None`` (they
    keep their number and move the checkpoint). Resuming skips ``start`` rows of the stream."""
    with open_rows(job) as rows:
        next(rows, None)
        for index, cells in enumerate(rows):
            if index < start:
                continue
            yield index, cells if any(c.strip() for c in cells) else None


def count_rows(job: ImportJob) -> int:
    with open_rows(job) as rows:
        next(rows, None)
        return sum(1 for _ in rows)


# --- mapping ----------------------------------------------------------------------------------

TEXT = "text"
DATE = "date"
DATETIME = "datetime"
DECIMAL = "decimal"
INTEGER = "integer"
LIST = "list"

_KINDS = {
    Kind.DATE: DATE,
    Kind.MOMENT: DATETIME,
    Kind.WHOLE: INTEGER,
    Kind.MONEY: DECIMAL,
    Kind.TAGS: LIST,
}
_OWNER = (TEXT, ["responsavel", "owner", "dono", "vendedor", "owner email", "proprietario"])


def _from_contract(
    contract: WriteContract, extra: dict[str, dict[str, tuple[str, list[str]]]]
) -> dict[str, tuple[str, list[str]]]:
    """The import targets of a record's write contract (kind and header aliases, in the
    contract's order), with the import's own targets (``extra``) after the field they follow."""
    targets: dict[str, tuple[str, list[str]]] = {}
    for name, (kind, aliases) in contract.import_targets().items():
        targets[name] = (_KINDS.get(kind, TEXT), list(aliases))
        targets.update(extra.get(name, {}))
    return targets


# field → (kind, normalised header aliases in pt-BR and English), from the records' write
# contracts (vinculo.contacts.contract, vinculo.sales.contract); the import adds a full name to
# split, the company by name (or CNPJ, for people), the owner by email, and a deal's stage and
# pipeline by name and person by email.
FIELDS: dict[str, dict[str, tuple[str, list[str]]]] = {
    ImportObject.PEOPLE: _from_contract(
        PERSON,
        {
            "last_name": {
                "full_name": (TEXT, ["nome completo", "full name", "name", "contato", "contact"])
            },
            "interests": {
                "company": (
                    TEXT,
                    ["empresa", "company", "organizacao", "organization", "company name"],
                ),
                "owner": _OWNER,
            },
        },
    ),
    ImportObject.COMPANIES: _from_contract(COMPANY, {"description": {"owner": _OWNER}}),
    ImportObject.DEALS: _from_contract(
        DEAL,
        {
            "expected_close_date": {
                "stage": (TEXT, ["etapa", "estagio", "fase", "stage", "deal stage"]),
                "pipeline": (TEXT, ["funil", "pipeline"]),
                "person": (
                    TEXT,
                    ["contato", "e mail do contato", "pessoa", "contact email", "person"],
                ),
                "company": (TEXT, ["empresa", "company", "organization"]),
                "owner": _OWNER,
            }
        },
    ),
}
_SPECIAL_TARGETS = {"full_name", "owner", "company", "stage", "pipeline", "person"}
_CF_OBJECT: dict[str, CustomObject] = {
    ImportObject.PEOPLE: CustomObject.PERSON,
    ImportObject.COMPANIES: CustomObject.COMPANY,
    ImportObject.DEALS: CustomObject.DEAL,
}


def cf_kind(field_type: str) -> str:
    """The kind of cell a custom field of this type reads."""
    if field_type == FieldType.DATE:
        return DATE
    if field_type == FieldType.DATETIME:
        return DATETIME
    if field_type in {FieldType.NUMBER, FieldType.MONEY}:
        return DECIMAL
    if field_type == FieldType.MULTI_CHOICE:
        return LIST
    return TEXT


def normalise_header(text: str) -> str:
    """Accents, case and punctuation ignored: "E-mail" and "email " → "e mail" / "email"."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


_ADDRESS_FIELDS = frozenset((*ADDRESS_FIELDS, "country"))
_MODEL: dict[str, Any] = {
    ImportObject.PEOPLE: Person,
    ImportObject.COMPANIES: Company,
    ImportObject.DEALS: Deal,
}


def field_label(object_type: str, name: str) -> str:
    """A target field's label in the active language (``cf:`` keys: see :func:`field_groups`)."""
    explicit = {
        "full_name": _("Full name (split into first and last name)"),
        "owner": _("Owner (a member's email)"),
        "company": _("Company (name or CNPJ)")
        if object_type == ImportObject.PEOPLE
        else _("Company (name)"),
        "person": _("Person (email)"),
        "stage": _("Stage (name)"),
        "pipeline": _("Pipeline (name)"),
        "tags": _("Tags"),
        "created_at": _("Created"),
        "lifecycle_stage": _("Lifecycle stage"),
    }
    if name in explicit:
        return str(explicit[name])
    try:
        return capfirst(str(_MODEL[object_type]._meta.get_field(name).verbose_name))
    except (KeyError, FieldDoesNotExist):
        return name


def field_groups(actor: Actor, object_type: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The fields a column can be mapped to, labelled in the active language and grouped for
    the mapping's ``<optgroup>``: the record's own fields, its address, the linked records,
    then custom fields (``cf:<key>``)."""
    _check_object_type(object_type)
    own, address, linked = [], [], []
    for name in FIELDS[object_type]:
        choice = (name, field_label(object_type, name))
        if name in _ADDRESS_FIELDS:
            address.append(choice)
        elif name in {"company", "person"} and object_type != ImportObject.COMPANIES:
            linked.append(choice)
        else:
            own.append(choice)
    records: dict[str, str] = {
        ImportObject.PEOPLE: _("Person"),
        ImportObject.COMPANIES: _("Company"),
        ImportObject.DEALS: _("Deal"),
    }
    groups = [(records[object_type], own), (str(_("Address")), address)]
    for name, label in (("person", _("Person")), ("company", _("Company"))):
        groups.append((str(label), [c for c in linked if c[0] == name]))
    custom = [
        (f"{CF_PREFIX}{key}", str(definition.label))
        for key, definition in cf.definitions(actor, _CF_OBJECT[object_type]).items()
    ]
    groups.append((str(_("Custom fields")), custom))
    return [(label, choices) for label, choices in groups if choices]


def field_choices(actor: Actor, object_type: str) -> list[tuple[str, str]]:
    """The fields a column can be mapped to: standard ones, then ``cf:<key>`` custom fields."""
    return [choice for _group, choices in field_groups(actor, object_type) for choice in choices]


def suggest_mapping(
    actor: Actor, object_type: str, headers: list[str], template: ImportTemplate | None = None
) -> dict[str, str]:
    """Header → suggested field (``""`` = ignore), from a template's mapping first, else the
    pt-BR/English aliases and custom field labels/keys; each field suggested once."""
    _check_object_type(object_type)
    aliases: dict[str, str] = {}
    for name, (_kind, names) in FIELDS[object_type].items():
        for alias in names:
            aliases.setdefault(alias, name)
        aliases.setdefault(normalise_header(name), name)
    for key, definition in cf.definitions(actor, _CF_OBJECT[object_type]).items():
        aliases[normalise_header(definition.label)] = f"{CF_PREFIX}{key}"
        aliases[normalise_header(key)] = f"{CF_PREFIX}{key}"
    saved = template.mapping if template is not None else {}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        if header in saved:
            mapping[header] = saved[header]
            used.add(saved[header])
    for header in headers:
        if header in mapping:
            continue
        guess = aliases.get(normalise_header(header), IGNORE)
        if guess and guess in used:
            guess = IGNORE
        mapping[header] = guess
        used.add(guess)
    # A lone "Nome" with no surname column is a full name ("Maria da Silva").
    if object_type == ImportObject.PEOPLE and "last_name" not in used and "full_name" not in used:
        for header, name in mapping.items():
            if name == "first_name":
                mapping[header] = "full_name"
    return mapping


def _check_object_type(object_type: Any) -> None:
    """Refuses anything but an import object type (what a client sent, of any JSON type)."""
    if object_type not in ImportObject.values:
        raise ValidationFailed.field(
            "object_type",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(ImportObject.values)},
            "invalid_choice",
        )


def clean_mapping(
    actor: Actor, object_type: str, headers: list[str], mapping: Any
) -> dict[str, str]:
    """Validate a header → field mapping: known headers and fields, each field at most once."""
    if not isinstance(mapping, dict):
        raise ValidationFailed.field("mapping", _("Send an object of column → field."))
    labels = dict(field_choices(actor, object_type))
    allowed = set(labels)
    errors: list[FieldError] = []
    seen: dict[str, str] = {}
    out: dict[str, str] = {}
    for header, target in mapping.items():
        target = str(target or "")
        if header not in headers:
            errors.append(
                FieldError(f"mapping.{header}", _("The file has no such column."), "unknown")
            )
            continue
        if target and target not in allowed:
            errors.append(
                FieldError(
                    f"mapping.{header}",
                    _("Unknown field %(field)r.") % {"field": target},
                    "unknown_field",
                )
            )
            continue
        if target and target in seen:
            errors.append(
                FieldError(
                    f"mapping.{header}",
                    _("%(field)s is already mapped from column %(column)s.")
                    % {"field": labels[target], "column": seen[target]},
                    "duplicate",
                )
            )
            continue
        if target:
            seen[target] = header
        out[header] = target
    needs: dict[str, tuple[set[str], str]] = {
        ImportObject.PEOPLE: ({"first_name", "full_name"}, _("first name or full name")),
        ImportObject.COMPANIES: ({"name"}, _("name")),
        ImportObject.DEALS: ({"title"}, _("title")),
    }
    needed = needs[object_type]
    if not errors and not needed[0] & set(seen):
        errors.append(
            FieldError(
                "mapping",
                _("Map a column to the %(field)s.") % {"field": needed[1]},
                "required",
            )
        )
    if errors:
        raise ValidationFailed(_("The column mapping has problems."), errors=errors)
    return out


def clean_options(object_type: str, options: Any) -> dict[str, Any]:
    """``dedupe`` (update, skip or create; default update) and ``sheet`` (XLSX)."""
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ValidationFailed.field("options", _("Send an object."), "invalid_type")
    out: dict[str, Any] = {}
    dedupe = options.get("dedupe") or ImportDedupe.UPDATE
    if dedupe not in ImportDedupe.values:
        raise ValidationFailed.field(
            "options.dedupe",
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(ImportDedupe.values)},
            "invalid_choice",
        )
    out["dedupe"] = dedupe
    return out
