"""Writes of data quality: importing people, companies and deals from CSV and XLSX files.

The pipeline: :func:`create_import` stores the upload and reads its headers; :func:`set_mapping`
takes the column mapping and options; :func:`dry_run_import` runs the real batches inside a
transaction that is rolled back; :func:`start_import` queues the background task, which calls
:func:`run_import`. Every write goes through the contacts and sales bulk services. Each batch
commits its records, its rejected rows and the job's checkpoint in ONE transaction, so a crash
loses at most the batch in flight and :func:`resume_import` continues right after the last
committed one.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.contacts import custom_fields as cf
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, CustomObject, FieldType, Person
from vinculo.core import audit, events
from vinculo.core.actor import Actor, Source
from vinculo.core.env import env_int
from vinculo.core.errors import (
    Conflict,
    FieldError,
    NotFound,
    PermissionDenied,
    ServiceError,
    ValidationFailed,
)
from vinculo.quality.models import (
    ImportDedupe,
    ImportJob,
    ImportObject,
    ImportRowError,
    ImportStatus,
    ImportTemplate,
)
from vinculo.sales import deals as sales_deals
from vinculo.workspaces.models import Membership
from vinculo.workspaces.permissions import require

for _name, _description in [
    ("import.created", "A file was uploaded for import."),
    ("import.started", "An import was queued to run (or resumed)."),
    ("import.finished", "An import finished (payload: counts)."),
]:
    events.register_event_type(_name, _description)

MAX_FILE_BYTES = 1024 * 1024 * 1024
SAMPLE_ROWS = 5
DRY_RUN_ROWS = 10_000
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
        rows = list(itertools.islice(csv.reader(io.StringIO(text), delimiter=delimiter), 50))
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
        from openpyxl import load_workbook

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

_ADDRESS = {
    "street": (TEXT, ["endereco", "rua", "logradouro", "street", "address", "address line 1"]),
    "number": (TEXT, ["numero", "number", "n", "no", "nro"]),
    "complement": (TEXT, ["complemento", "complement", "address line 2"]),
    "district": (TEXT, ["bairro", "district", "neighborhood", "neighbourhood"]),
    "city": (TEXT, ["cidade", "city", "municipio", "town"]),
    "state": (TEXT, ["uf", "estado", "state", "province"]),
    "postal_code": (TEXT, ["cep", "postal code", "zip", "zip code", "postcode"]),
    "country": (TEXT, ["pais", "country", "country code"]),
}
_COMMON = {
    "owner": (TEXT, ["responsavel", "owner", "dono", "vendedor", "owner email", "proprietario"]),
    "tags": (LIST, ["etiquetas", "tags", "tag", "marcadores", "etiquetas tags", "labels"]),
    "source": (TEXT, ["origem", "fonte", "source", "lead source", "canal de origem"]),
    "lifecycle_stage": (TEXT, ["ciclo de vida", "estagio do ciclo de vida", "lifecycle stage"]),
    "created_at": (DATETIME, ["criado em", "data de criacao", "data de cadastro", "created at"]),
}

# field → (kind, normalised header aliases in pt-BR and English)
FIELDS: dict[str, dict[str, tuple[str, list[str]]]] = {
    ImportObject.PEOPLE: {
        "first_name": (TEXT, ["nome", "primeiro nome", "first name", "firstname", "given name"]),
        "last_name": (TEXT, ["sobrenome", "ultimo nome", "last name", "lastname", "surname"]),
        "full_name": (TEXT, ["nome completo", "full name", "name", "contato", "contact"]),
        "email": (TEXT, ["e mail", "email", "email address", "endereco de e mail"]),
        "phone": (TEXT, ["telefone", "fone", "tel", "phone", "telephone", "telefone fixo"]),
        "mobile_phone": (
            TEXT,
            ["celular", "cel", "mobile", "mobile phone", "whatsapp", "telefone celular", "cell"],
        ),
        "cpf": (TEXT, ["cpf", "cpf do cliente"]),
        "job_title": (TEXT, ["cargo", "funcao", "job title", "title", "position", "role"]),
        "birth_date": (
            DATE,
            ["data de nascimento", "nascimento", "aniversario", "birth date", "birthday", "dob"],
        ),
        "gender": (TEXT, ["genero", "sexo", "gender"]),
        "preferred_channel": (TEXT, ["canal preferido", "preferred channel"]),
        "interests": (TEXT, ["interesses", "necessidades", "interests", "needs"]),
        "company": (TEXT, ["empresa", "company", "organizacao", "organization", "company name"]),
        **_ADDRESS,
        **_COMMON,
    },
    ImportObject.COMPANIES: {
        "name": (TEXT, ["nome", "nome fantasia", "empresa", "name", "company", "company name"]),
        "legal_name": (TEXT, ["razao social", "legal name"]),
        "cnpj": (TEXT, ["cnpj"]),
        "domain": (TEXT, ["dominio", "domain"]),
        "website": (TEXT, ["site", "website", "url", "pagina", "web site"]),
        "industry": (TEXT, ["setor", "segmento", "ramo", "industry"]),
        "employees": (
            INTEGER,
            ["funcionarios", "numero de funcionarios", "colaboradores", "employees"],
        ),
        "annual_revenue": (
            DECIMAL,
            ["faturamento", "faturamento anual", "receita anual", "annual revenue", "revenue"],
        ),
        "email": (TEXT, ["e mail", "email"]),
        "phone": (TEXT, ["telefone", "fone", "tel", "phone"]),
        "description": (TEXT, ["descricao", "observacoes", "description", "notes"]),
        **_ADDRESS,
        **_COMMON,
    },
    ImportObject.DEALS: {
        "title": (TEXT, ["titulo", "negocio", "nome do negocio", "oportunidade", "title", "deal"]),
        "amount": (DECIMAL, ["valor", "valor total", "amount", "value", "deal value"]),
        "currency": (TEXT, ["moeda", "currency"]),
        "expected_close_date": (
            DATE,
            ["previsao de fechamento", "data prevista", "expected close date", "close date"],
        ),
        "stage": (TEXT, ["etapa", "estagio", "fase", "stage", "deal stage"]),
        "pipeline": (TEXT, ["funil", "pipeline"]),
        "person": (TEXT, ["contato", "e mail do contato", "pessoa", "contact email", "person"]),
        "company": (TEXT, ["empresa", "company", "organization"]),
        "owner": _COMMON["owner"],
        "tags": _COMMON["tags"],
        "source": _COMMON["source"],
    },
}
_SPECIAL_TARGETS = {"full_name", "owner", "company", "stage", "pipeline", "person"}
_CF_OBJECT = {
    ImportObject.PEOPLE: CustomObject.PERSON,
    ImportObject.COMPANIES: CustomObject.COMPANY,
    ImportObject.DEALS: CustomObject.DEAL,
}


def normalise_header(text: str) -> str:
    """Accents, case and punctuation ignored: "E-mail" and "email " → "e mail" / "email"."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


def field_choices(actor: Actor, object_type: str) -> list[tuple[str, str]]:
    """The fields a column can be mapped to: standard ones, then ``cf:<key>`` custom fields."""
    _check_object_type(object_type)
    out = [(name, name) for name in FIELDS[object_type]]
    for key, definition in cf.definitions(actor, _CF_OBJECT[object_type]).items():
        out.append((f"{CF_PREFIX}{key}", definition.label))
    return out


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


def _check_object_type(object_type: str) -> None:
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
    allowed = {name for name, _label in field_choices(actor, object_type)}
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
                    % {"field": target, "column": seen[target]},
                    "duplicate",
                )
            )
            continue
        if target:
            seen[target] = header
        out[header] = target
    needed = {
        ImportObject.PEOPLE: ({"first_name", "full_name"}, _("first name or full name")),
        ImportObject.COMPANIES: ({"name"}, _("name")),
        ImportObject.DEALS: ({"title"}, _("title")),
    }[object_type]
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


# --- turning cells into service input ---------------------------------------------------------

_DATE_BR = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_SPLIT_LIST = re.compile(r"[,;|]")


def parse_date_text(text: str, *, with_time: bool = False) -> str:
    """dd/mm/aaaa (also with ``-`` or ``.``, optionally a time) → ISO; anything else as is,
    for the service to accept (ISO) or refuse with its message."""
    match = _DATE_BR.match(text)
    if not match:
        return text
    day, month, year, hour, minute, second = match.groups()
    iso = f"{year}-{int(month):02d}-{int(day):02d}"
    if with_time:
        iso += f"T{int(hour or 0):02d}:{minute or '00'}:{second or '00'}"
    return iso


def parse_decimal_text(text: str) -> str:
    """ "R$ 1.234,56" → "1.234,56" (the services read Brazilian decimals); "1.234" → "1234";
    "1,234.56" → "1234.56"."""
    text = text.replace("R$", "").replace("\u00a0", "").replace(" ", "").strip()
    if "," in text and "." in text and text.rfind(".") > text.rfind(","):
        return text.replace(",", "")
    if _THOUSANDS.match(text):
        return text.replace(".", "")
    return text


def _phone_key(value: str) -> str:
    """A cheap E.164 key for matching (the service does the full check on writes)."""
    digits = re.sub(r"\D", "", value)
    if not digits:
        return ""
    if value.strip().startswith("+") or (digits.startswith("55") and len(digits) in (12, 13)):
        return f"+{digits}"
    if len(digits) in (10, 11):
        return f"+55{digits}"
    return f"+{digits}"


def _email_key(value: str) -> str:
    return value.strip().lower()


def _cpf_key(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return digits if len(digits) in (11, 14) else ""


def _company_name_key(value: str) -> str:
    return normalise_header(value)


@dataclass
class Row:
    """One data row on its way: its number, original cells, service input and failures."""

    line: int
    cells: list[str]
    data: dict[str, Any]
    errors: list[dict[str, str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    company_name: str = ""


@dataclass
class Stats:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0


class Batcher:
    """What turning rows into service input needs, loaded once per import run."""

    def __init__(self, actor: Actor, job: ImportJob) -> None:
        self.actor = actor
        self.job = job
        self.object_type = job.object_type
        self.dedupe = (job.options or {}).get("dedupe") or ImportDedupe.UPDATE
        specs = FIELDS[job.object_type]
        defs = cf.definitions(actor, _CF_OBJECT[job.object_type])
        self.columns: list[tuple[int, str, str, Any]] = []
        index_of = {h: i for i, h in enumerate(job.headers)}
        self.column_of: dict[str, str] = {}
        for header, target in (job.mapping or {}).items():
            if not target or header not in index_of:
                continue
            if target.startswith(CF_PREFIX):
                definition = defs.get(target.removeprefix(CF_PREFIX))
                kind = _cf_kind(definition.field_type) if definition else TEXT
            else:
                kind = specs[target][0]
            self.columns.append((index_of[header], target, kind, None))
            self.column_of[target] = header
        # Plain text columns go straight into the row (the hot path of a big import).
        self.plain = [
            (i, t)
            for i, t, k, _u in self.columns
            if k == TEXT and not t.startswith(CF_PREFIX) and t not in _SPECIAL_TARGETS
        ]
        plain = set(self.plain)
        self.special = [c for c in self.columns if (c[0], c[1]) not in plain]
        members = Membership.objects.for_workspace(actor.workspace).filter(
            is_active=True, user__is_active=True
        )
        self.owners = {e.lower(): pk for pk, e in members.values_list("user_id", "user__email")}
        self._stages: dict[str, int] | None = None
        self._pipelines: dict[str, int] | None = None

    # service field → the column it came from, for the rejected-rows report
    def column_for(self, service_field: str) -> str:
        head = service_field.split(".")[0]
        if head == "custom_fields" and "." in service_field:
            target = CF_PREFIX + service_field.split(".")[1]
        else:
            target = {
                "owner_id": "owner",
                "companies": "company",
                "company_id": "company",
                "person_id": "person",
                "stage_id": "stage",
                "pipeline_id": "pipeline",
            }.get(head, head)
        if target == "first_name" and "first_name" not in self.column_of:
            target = "full_name"
        if target == "last_name" and "last_name" not in self.column_of:
            target = "full_name"
        return self.column_of.get(target, "")

    def reason(self, service_field: str, message: str) -> dict[str, str]:
        return {
            "column": self.column_for(service_field),
            "field": service_field,
            "message": message,
        }

    def transform(self, line: int, cells: list[str]) -> Row:
        """Cells → the bulk service's input; empty cells are left out (they never erase)."""
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        row = Row(line=line, cells=cells, data=data)
        width = len(cells)
        for index, target in self.plain:
            if index < width:
                text = cells[index].strip()
                if text:
                    data[target] = text
        for index, target, kind, _unused in self.special:
            text = cells[index].strip() if index < width else ""
            if not text:
                continue
            if kind == DATE:
                value: Any = parse_date_text(text)
            elif kind == DATETIME:
                value = parse_date_text(text, with_time=True)
            elif kind in (DECIMAL, INTEGER):
                value = parse_decimal_text(text)
            elif kind == LIST:
                value = [t.strip() for t in _SPLIT_LIST.split(text) if t.strip()]
            else:
                value = text
            if target.startswith(CF_PREFIX):
                custom[target.removeprefix(CF_PREFIX)] = value
            elif target == "full_name":
                first, _sep, last = " ".join(text.split()).partition(" ")
                data.setdefault("first_name", first)
                if last:
                    data.setdefault("last_name", last)
            elif target == "first_name":
                data["first_name"] = value
            elif target == "last_name":
                data["last_name"] = value
            elif target == "owner":
                owner_id = self.owners.get(text.lower())
                if owner_id is None:
                    row.errors.append(
                        self.reason(
                            "owner_id",
                            _("No active member with the email %(email)s.") % {"email": text},
                        )
                    )
                else:
                    data["owner_id"] = owner_id
            elif target == "company":
                row.company_name = text
            elif target in {"stage", "pipeline", "person"}:
                data[f"_{target}"] = text
            else:
                data[target] = value
        if custom:
            data["custom_fields"] = custom
        if self.object_type == ImportObject.PEOPLE:
            keys = row.keys
            if "cpf" in data and (cpf := _cpf_key(data["cpf"])):
                keys.append("cpf:" + cpf)
            if "email" in data:
                keys.append("email:" + _email_key(data["email"]))
            for name in ("phone", "mobile_phone"):
                if name in data and (number := _phone_key(data[name])):
                    keys.append("phone:" + number)
        elif self.object_type == ImportObject.COMPANIES:
            domain = str(data.get("domain") or "").lower().removeprefix("www.")
            row.keys = [
                k
                for k in (
                    "cnpj:" + _cpf_key(data.get("cnpj", "")),
                    "name:" + _company_name_key(data.get("name", "")),
                    "domain:" + domain,
                )
                if not k.endswith(":")
            ]
        return row

    # --- batch lookups (one query per kind per batch, never one per row) ---

    def existing_matches(self, rows: list[Row]) -> dict[str, int]:
        """Key → id of a live record in the workspace having it."""
        keys = {k for r in rows for k in r.keys}
        if not keys:
            return {}
        found: dict[str, int] = {}
        by_kind: dict[str, list[str]] = {}
        for key in keys:
            kind, _sep, value = key.partition(":")
            by_kind.setdefault(kind, []).append(value)
        if self.object_type == ImportObject.PEOPLE:
            live = Person.objects.for_workspace(self.actor.workspace).filter(
                deleted_at__isnull=True
            )
            # One query per column, not one OR: each can use its (workspace, column) index.
            for kind, column in (
                ("cpf", "cpf"),
                ("email", "email"),
                ("phone", "phone"),
                ("phone", "mobile_phone"),
            ):
                values = by_kind.get(kind)
                if not values:
                    continue
                # No ORDER BY: with one, SQLite walks the workspace's whole primary-key index
                # instead of the (workspace, column) one, and every batch of a 1,000,000-row
                # import gets slower than the one before.
                found_here = live.filter(**{f"{column}__in": values}).order_by()
                for pk, value in found_here.values_list("pk", column):
                    key = f"{kind}:{value}"  # the oldest record with the value wins
                    found[key] = min(found.get(key, pk), pk)
        else:
            live = Company.objects.for_workspace(self.actor.workspace).filter(
                deleted_at__isnull=True
            )
            names = {n.lower() for n in self._raw_names(rows)}
            q = Q()
            if by_kind.get("cnpj"):
                q |= Q(cnpj__in=by_kind["cnpj"])
            if by_kind.get("domain"):
                q |= Q(domain__in=by_kind["domain"])
            if names:
                q |= Q(lname__in=list(names))
            for pk, cnpj, name, domain in sorted(
                live.annotate(lname=Lower("name"))
                .filter(q)
                .order_by()
                .values_list("pk", "cnpj", "name", "domain")
            ):
                for key in (
                    f"cnpj:{cnpj}",
                    f"name:{_company_name_key(name)}",
                    f"domain:{domain}",
                ):
                    if key in keys:
                        found.setdefault(key, pk)
        return found

    @staticmethod
    def _raw_names(rows: list[Row]) -> set[str]:
        return {str(r.data.get("name", "")) for r in rows if r.data.get("name")}

    def resolve_companies(self, rows: list[Row]) -> None:
        """People's "Empresa" column: an existing company by CNPJ or name (case-insensitive),
        else a new one created through the companies bulk service."""
        wanted = {r.company_name for r in rows if r.company_name}
        if not wanted:
            return
        digits = {_cpf_key(n) for n in wanted} - {""}
        live = Company.objects.for_workspace(self.actor.workspace).filter(deleted_at__isnull=True)
        known: dict[str, int] = {}
        for pk, name, cnpj in sorted(
            live.annotate(lname=Lower("name"))
            .filter(Q(lname__in=[n.lower() for n in wanted]) | Q(cnpj__in=digits))
            .order_by()
            .values_list("pk", "name", "cnpj")
        ):
            known.setdefault(name.lower(), pk)
            if cnpj:
                known.setdefault(cnpj, pk)
        # In file order, so a new company gets the spelling of its first row.
        missing = [
            r.company_name
            for r in rows
            if r.company_name
            and r.company_name.lower() not in known
            and _cpf_key(r.company_name) not in known
        ]
        if missing:
            # Create a company only for a row that will itself be accepted: a rejected row
            # must leave nothing behind.
            ctx = contacts.Context(self.actor, CustomObject.PERSON)
            lowered = {n.lower() for n in missing}
            usable: set[str] = set()
            for row in rows:
                name = row.company_name.lower()
                if name in lowered and name not in usable:
                    try:
                        contacts.clean_person(ctx, row.data)
                    except ValidationFailed as exc:
                        # Rejected now, with the reasons the bulk service would give.
                        row.errors.extend(self.reason(e.field, str(e.message)) for e in exc.errors)
                        continue
                    usable.add(name)
            missing = [n for n in missing if n.lower() in usable]
        first_spelling = {}
        for name in missing:
            first_spelling.setdefault(name.lower(), name)
        if first_spelling:
            names = list(first_spelling.values())
            result = contacts.bulk_create_companies(
                actor=self.actor, rows=[{"name": n} for n in names], max_rows=None
            )
            for company in result.created:
                known[company.name.lower()] = company.pk
        for row in rows:
            if not row.company_name or row.errors:
                continue
            pk = known.get(row.company_name.lower()) or known.get(_cpf_key(row.company_name))
            if pk is None:
                row.errors.append(self.reason("company", _("This company name could not be used.")))
            else:
                row.data["companies"] = [{"company_id": pk, "is_primary": True}]

    def resolve_deal_refs(self, rows: list[Row]) -> None:
        """Deals: stage and pipeline by name, the person by email, the company by name."""
        from vinculo.sales.models import Pipeline, Stage

        if self._stages is None:
            self._pipelines = {
                p.name.lower(): p.pk for p in Pipeline.objects.for_workspace(self.actor.workspace)
            }
            self._stages = {}
            for stage in Stage.objects.for_workspace(self.actor.workspace).order_by(
                "pipeline__position", "pipeline_id", "position", "id"
            ):
                self._stages.setdefault(f"{stage.pipeline_id}:{stage.name.lower()}", stage.pk)
                self._stages.setdefault(stage.name.lower(), stage.pk)
        emails = {str(r.data.get("_person", "")).lower() for r in rows} - {""}
        people: dict[str, int] = {}
        for email, pk in (
            Person.objects.for_workspace(self.actor.workspace)
            .filter(deleted_at__isnull=True, email__in=emails)
            .order_by()
            .values_list("email", "pk")
        ):
            people[email] = min(people.get(email, pk), pk)  # the oldest person with the email
        names = {r.company_name.lower() for r in rows if r.company_name}
        companies: dict[str, int] = {}
        for lname, pk in (
            Company.objects.for_workspace(self.actor.workspace)
            .filter(deleted_at__isnull=True)
            .annotate(lname=Lower("name"))
            .filter(lname__in=names)
            .order_by()
            .values_list("lname", "pk")
        ):
            companies[lname] = min(companies.get(lname, pk), pk)
        for row in rows:
            data = row.data
            pipeline_name = data.pop("_pipeline", "")
            pipeline_id = None
            if pipeline_name:
                pipeline_id = (self._pipelines or {}).get(pipeline_name.lower())
                if pipeline_id is None:
                    row.errors.append(self.reason("pipeline_id", _("No pipeline with this name.")))
                else:
                    data["pipeline_id"] = pipeline_id
            stage_name = data.pop("_stage", "")
            if stage_name:
                key = f"{pipeline_id}:{stage_name.lower()}" if pipeline_id else stage_name.lower()
                stage_id = self._stages.get(key)
                if stage_id is None:
                    row.errors.append(self.reason("stage_id", _("No stage with this name.")))
                else:
                    data["stage_id"] = stage_id
            email = data.pop("_person", "")
            if email:
                person_id = people.get(email.lower())
                if person_id is None:
                    row.errors.append(self.reason("person_id", _("No person with this email.")))
                else:
                    data["person_id"] = person_id
            if row.company_name:
                company_id = companies.get(row.company_name.lower())
                if company_id is None:
                    row.errors.append(self.reason("company_id", _("No company with this name.")))
                else:
                    data["company_id"] = company_id


def _cf_kind(field_type: str) -> str:
    if field_type == FieldType.DATE:
        return DATE
    if field_type == FieldType.DATETIME:
        return DATETIME
    if field_type in {FieldType.NUMBER, FieldType.MONEY}:
        return DECIMAL
    if field_type == FieldType.MULTI_CHOICE:
        return LIST
    return TEXT


# --- one batch --------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    stats: Stats = field(default_factory=Stats)
    rejected: list[Row] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)


def process_batch(batcher: Batcher, rows: list[Row], outcome: BatchOutcome) -> None:
    """Write one batch through the services: dedupe, create, update or skip, reject with
    reasons. Runs inside the caller's transaction."""
    actor = batcher.actor
    if batcher.object_type == ImportObject.PEOPLE:
        batcher.resolve_companies([r for r in rows if not r.errors])
    elif batcher.object_type == ImportObject.DEALS:
        batcher.resolve_deal_refs(rows)
    for row in rows:
        if row.errors:
            outcome.rejected.append(row)
    rows = [r for r in rows if not r.errors]
    if len(outcome.preview) < 20:
        outcome.preview.extend(
            {"line": r.line, **r.data} for r in rows[: 20 - len(outcome.preview)]
        )
    if batcher.object_type == ImportObject.DEALS:
        _create(batcher, rows, outcome)
        return
    existing = batcher.existing_matches(rows)
    pending: list[Row] = []
    pending_keys: dict[str, Row] = {}
    for row in rows:
        match = next((existing[k] for k in row.keys if k in existing), None)
        earlier = next((pending_keys[k] for k in row.keys if k in pending_keys), None)
        if match is None and earlier is not None and batcher.dedupe != ImportDedupe.CREATE:
            if batcher.dedupe == ImportDedupe.SKIP:
                outcome.stats.skipped += 1
                continue
            # The same person twice in the batch: create the first, then update it.
            created = _create(batcher, pending, outcome)
            for key, pk in created.items():
                existing.setdefault(key, pk)
            pending, pending_keys = [], {}
            match = next((existing[k] for k in row.keys if k in existing), None)
            if match is None:  # the first one was rejected: this row stands on its own
                pending.append(row)
                pending_keys.update(dict.fromkeys(row.keys, row))
                continue
        if match is None or batcher.dedupe == ImportDedupe.CREATE:
            pending.append(row)
            for key in row.keys:
                pending_keys.setdefault(key, row)
            continue
        if batcher.dedupe == ImportDedupe.SKIP:
            outcome.stats.skipped += 1
            continue
        _update(batcher, actor, match, row, outcome)
    created = _create(batcher, pending, outcome)
    del created


def _create(batcher: Batcher, rows: list[Row], outcome: BatchOutcome) -> dict[str, int]:
    """Bulk-create ``rows``; returns key → new id for the rows created."""
    if not rows:
        return {}
    payload = [r.data for r in rows]
    if batcher.object_type == ImportObject.PEOPLE:
        result = contacts.bulk_create_people(actor=batcher.actor, rows=payload, max_rows=None)
    elif batcher.object_type == ImportObject.COMPANIES:
        result = contacts.bulk_create_companies(actor=batcher.actor, rows=payload, max_rows=None)
    else:
        result = sales_deals.bulk_create_deals(actor=batcher.actor, rows=payload, max_rows=None)
    failed = {e.index: e for e in result.errors}
    for index, error in failed.items():
        row = rows[index]
        row.errors.extend(batcher.reason(e.field, str(e.message)) for e in error.errors)
        outcome.rejected.append(row)
    made: dict[str, int] = {}
    good = [r for i, r in enumerate(rows) if i not in failed]
    for row, record in zip(good, result.created, strict=True):
        for key in row.keys:
            made.setdefault(key, record.pk)
    outcome.stats.created += len(result.created)
    return made


def _update(batcher: Batcher, actor: Actor, pk: int, row: Row, outcome: BatchOutcome) -> None:
    """Fill the matched record: file values win for mapped columns, empty cells never erase;
    tags and companies are added to the ones it has."""
    data = dict(row.data)
    data.pop("created_at", None)
    try:
        if batcher.object_type == ImportObject.PEOPLE:
            person = Person.objects.for_workspace(actor.workspace).get(pk=pk)
            if "tags" in data:
                have = list(person.tags.values_list("name", flat=True))
                data["tags"] = have + [
                    t for t in data["tags"] if t.lower() not in {h.lower() for h in have}
                ]
            if "companies" in data:
                links = [
                    {"company_id": c, "role": role, "is_primary": primary}
                    for c, role, primary in person.affiliations.values_list(
                        "company_id", "role", "is_primary"
                    )
                ]
                if data["companies"][0]["company_id"] in {lk["company_id"] for lk in links}:
                    data.pop("companies")
                else:
                    data["companies"] = [*links, {**data["companies"][0], "is_primary": not links}]
            if "custom_fields" in data:
                data["custom_fields"] = {**person.custom_fields, **data["custom_fields"]}
            contacts.update_person(actor=actor, person_id=pk, data=data)
        else:
            company = Company.objects.for_workspace(actor.workspace).get(pk=pk)
            if "tags" in data:
                have = list(company.tags.values_list("name", flat=True))
                data["tags"] = have + [
                    t for t in data["tags"] if t.lower() not in {h.lower() for h in have}
                ]
            if "custom_fields" in data:
                data["custom_fields"] = {**company.custom_fields, **data["custom_fields"]}
            contacts.update_company(actor=actor, company_id=pk, data=data)
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors or [FieldError("", exc.detail)]
        row.errors.extend(batcher.reason(e.field, str(e.message)) for e in errors)
        outcome.rejected.append(row)
        return
    outcome.stats.updated += 1


def _batches(
    batcher: Batcher, job: ImportJob, start: int, limit: int | None, size: int
) -> Iterator[tuple[int, list[Row]]]:
    """(index of the next data row, rows) batches from data-row index ``start``; the last
    batch may be empty, so the checkpoint reaches the end of the file."""
    rows: list[Row] = []
    next_index = start
    for index, cells in _data_rows(job, start):
        if limit is not None and index >= start + limit:
            break
        next_index = index + 1
        if cells is not None:
            rows.append(batcher.transform(index + 2, cells))
        if len(rows) >= size:
            yield next_index, rows
            rows = []
    yield next_index, rows


# --- services ---------------------------------------------------------------------------------


def _imports_dir(actor: Actor) -> Path:
    path = Path(settings.DATA_DIR) / "files" / "imports" / str(actor.workspace.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _get_job(actor: Actor, job_id: int, *, lock: bool = False) -> ImportJob:
    qs = ImportJob.objects.for_workspace(actor.workspace)
    if lock:
        qs = qs.select_for_update()
    job = qs.filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No import with id %(id)s in this workspace.") % {"id": job_id})
    return job


def _get_template(actor: Actor, template_id: int) -> ImportTemplate:
    template = ImportTemplate.objects.for_workspace(actor.workspace).filter(pk=template_id).first()
    if template is None:
        raise NotFound(
            _("No import template with id %(id)s in this workspace.") % {"id": template_id}
        )
    return template


def create_import(
    *,
    actor: Actor,
    object_type: str,
    file_name: str,
    content: IO[bytes],
    template_id: int | None = None,
    sheet: str = "",
) -> ImportJob:
    """Store an uploaded CSV/XLSX file under the data dir, detect its encoding, delimiter and
    headers, and suggest a mapping (from ``template_id`` when given).

    Refuses: no ``data.import`` permission, an unknown object type, an empty or unreadable file,
    old ``.xls`` files, files over 1 GiB, a missing sheet.
    """
    require(actor, "data.import")
    _check_object_type(object_type)
    template = _get_template(actor, template_id) if template_id else None
    if template is not None and template.object_type != object_type:
        raise ValidationFailed.field(
            "template_id", _("This template is for another kind of record."), "invalid"
        )
    suffix = Path(file_name or "").suffix.lower()
    if suffix == ".xls":
        raise ValidationFailed.field(
            "file", _("Old .xls files are not supported: save as .xlsx or CSV."), "invalid_format"
        )
    stored = _imports_dir(actor) / f"{uuid.uuid4().hex}{'.xlsx' if suffix == '.xlsx' else '.csv'}"
    size = 0
    head = b""
    with open(stored, "wb") as out:
        while chunk := content.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                out.close()
                stored.unlink(missing_ok=True)
                raise ValidationFailed.field("file", _("The file is larger than 1 GiB."), "too_big")
            if len(head) < 1024 * 1024:
                head += chunk[: 1024 * 1024 - len(head)]
            out.write(chunk)
    if size == 0:
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field("file", _("The file is empty."), "required")
    job = ImportJob(
        workspace=actor.workspace,
        created_by=actor.user,
        object_type=object_type,
        file_name=Path(file_name or "import").name[:255],
        file_path=str(stored.relative_to(Path(settings.DATA_DIR))),
        file_size=size,
        template=template,
        options=dict(template.options) if template else {"dedupe": ImportDedupe.UPDATE},
    )
    if head.startswith(b"PK\x03\x04"):
        job.file_format = "xlsx"
        job.sheet = sheet
    else:
        job.file_format = "csv"
        job.encoding = detect_encoding(head)
        text = head.decode(job.encoding, errors="replace")
        job.delimiter = detect_delimiter(text)
    try:
        with open_rows(job) as rows:
            first = next(rows, None)
            samples = list(itertools.islice(rows, SAMPLE_ROWS))
    except KeyError:
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field(
            "sheet", _("The workbook has no sheet named %(name)s.") % {"name": sheet}, "not_found"
        ) from None
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field(
            "file", _("The file could not be read: %(why)s") % {"why": exc}, "unreadable"
        ) from None
    if not first or not any(str(c).strip() for c in first):
        stored.unlink(missing_ok=True)
        raise ValidationFailed.field(
            "file", _("The first row must hold the column names."), "no_header"
        )
    job.headers = unique_headers(first)
    job.mapping = suggest_mapping(actor, object_type, job.headers, template)
    job.preview = {"samples": samples}
    with transaction.atomic():
        job.save()
        audit.record(actor, "import.created", job, changes={"file": job.file_name})
        events.emit("import.created", actor=actor, subject=job, payload={"file": job.file_name})
    return job


def set_mapping(*, actor: Actor, job_id: int, mapping: Any, options: Any = None) -> ImportJob:
    """Set the column mapping (header → field, ``""`` ignores the column) and options.

    Refuses unknown columns or fields, a field mapped twice, a mapping without the required
    name/title, bad options, and jobs already started.
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        if job.status != ImportStatus.DRAFT:
            raise Conflict(_("This import has already started."))
        # A partial mapping changes only the columns it names (the rest keep the suggestion).
        full = {h: (job.mapping or {}).get(h, "") for h in job.headers}
        if isinstance(mapping, dict):
            full.update(mapping)
        else:
            full = mapping
        job.mapping = clean_mapping(actor, job.object_type, job.headers, full)
        if isinstance(options, dict):
            options = {**(job.options or {}), **options}
        job.options = clean_options(job.object_type, job.options if options is None else options)
        job.save(update_fields=["mapping", "options", "updated_at"])
        audit.record(actor, "import.mapped", job, changes={"mapping": job.mapping})
    return job


def _actor_for_job(job: ImportJob) -> Actor:
    from vinculo.workspaces.selectors import actor_for

    actor = (
        actor_for(job.created_by, job.workspace, source=Source.IMPORT) if job.created_by else None
    )
    if actor is None:
        raise PermissionDenied(_("The person who started this import is no longer a member."))
    return actor


def _write_permission(object_type: str) -> str:
    return "deals.write" if object_type == ImportObject.DEALS else "records.write"


class _DryRunDone(Exception):
    """Raised to roll the dry run's writes back."""


def dry_run_import(*, actor: Actor, job_id: int, limit: int | None = DRY_RUN_ROWS) -> ImportJob:
    """Run the first ``limit`` rows (None: all) exactly as the import would, inside a
    transaction that is rolled back; keep the counts, the first rows as they will be imported
    and every rejected row with its reasons (``ImportRowError`` with ``dry_run``).

    Refuses: no ``data.import``/write permission, a job already started, a missing mapping.
    """
    require(actor, "data.import")
    job = _get_job(actor, job_id)
    require(actor, _write_permission(job.object_type))
    if job.status != ImportStatus.DRAFT:
        raise Conflict(_("This import has already started."))
    job.mapping = clean_mapping(actor, job.object_type, job.headers, job.mapping)
    actor = Actor(
        workspace=actor.workspace,
        user=actor.user,
        role=actor.role,
        source=Source.IMPORT,
        ip=actor.ip,
    )
    outcome = BatchOutcome()
    processed = 0
    try:
        with transaction.atomic():
            batcher = Batcher(actor, job)
            for next_index, rows in _batches(batcher, job, 0, limit, batch_size()):
                process_batch(batcher, rows, outcome)
                processed = next_index
            raise _DryRunDone
    except _DryRunDone:
        pass
    total = count_rows(job)
    stats = outcome.stats
    with transaction.atomic():
        ImportRowError.objects.filter(job=job, dry_run=True).delete()
        _save_rejected(job, outcome.rejected, dry_run=True)
        job.preview = {
            **(job.preview or {}),
            "rows": processed,
            "total_rows": total,
            "complete": processed >= total,
            "would_create": stats.created,
            "would_update": stats.updated,
            "would_skip": stats.skipped,
            "rejected": len(outcome.rejected),
            "first_rows": _jsonable(outcome.preview),
        }
        job.total_rows = total
        job.save(update_fields=["preview", "total_rows", "mapping", "updated_at"])
    return job


def _jsonable(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    return json.loads(json.dumps(rows, cls=DjangoJSONEncoder))


def _save_rejected(job: ImportJob, rows: list[Row], *, dry_run: bool = False) -> None:
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                workspace_id=job.workspace_id,
                job=job,
                line=r.line,
                values=r.cells,
                reasons=r.errors,
                dry_run=dry_run,
            )
            for r in sorted(rows, key=lambda r: r.line)
        ],
        batch_size=500,
    )


def start_import(*, actor: Actor, job_id: int, enqueue: bool = True) -> ImportJob:
    """Queue the import to run in the background (the task calls :func:`run_import`;
    ``enqueue=False``: the caller runs it itself, as ``vinculo import`` does).

    Refuses: no ``data.import``/write permission, a job already started, a bad mapping.
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        require(actor, _write_permission(job.object_type))
        if job.status != ImportStatus.DRAFT:
            raise Conflict(_("This import has already started."))
        job.mapping = clean_mapping(actor, job.object_type, job.headers, job.mapping)
        job.status = ImportStatus.QUEUED
        job.save(update_fields=["status", "mapping", "updated_at"])
        ImportRowError.objects.filter(job=job, dry_run=True).delete()
        audit.record(actor, "import.started", job)
        events.emit("import.started", actor=actor, subject=job, payload={"resumed": False})
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from vinculo.quality.tasks.imports import run_import_task

    run_import_task.enqueue(job_id)


def requeue_abandoned_imports() -> list[int]:
    """Enqueue every import whose worker died: still running, no checkpoint for longer than
    ``VINCULO_IMPORT_STALE_SECONDS``. Run by a schedule in every worker, so an import killed
    with its worker continues by itself; :func:`run_import` takes the job over from its last
    checkpoint (two enqueues of one job are harmless: the second finds it taken)."""
    cutoff = timezone.now() - stale_after()
    ids = list(
        ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for job_id in ids:
        _enqueue(job_id)
    return ids


def resume_import(*, actor: Actor, job_id: int, enqueue: bool = True) -> ImportJob:
    """Continue a failed or interrupted import right after its last committed batch.

    Refuses: no ``data.import`` permission; a job that is done, cancelled or not started; a
    job still running (a checkpoint less than ``VINCULO_IMPORT_STALE_SECONDS`` ago).
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        if job.status in {ImportStatus.DONE, ImportStatus.CANCELLED, ImportStatus.DRAFT}:
            raise Conflict(
                _("Only a failed or interrupted import can be resumed (this one is %(s)s).")
                % {"s": job.get_status_display()}
            )
        beat = job.heartbeat_at or job.updated_at
        if job.status in {ImportStatus.RUNNING, ImportStatus.QUEUED} and (
            beat and timezone.now() - beat < stale_after()
        ):
            raise Conflict(_("This import is still running."))
        job.status = ImportStatus.QUEUED
        job.error = ""
        job.heartbeat_at = None
        job.save(update_fields=["status", "error", "heartbeat_at", "updated_at"])
        audit.record(actor, "import.resumed", job, changes={"next_row": job.next_row})
        events.emit("import.started", actor=actor, subject=job, payload={"resumed": True})
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def cancel_import(*, actor: Actor, job_id: int) -> ImportJob:
    """Stop an import after its current batch; what was committed stays.

    Refuses: no ``data.import`` permission, a job already done or cancelled.
    """
    require(actor, "data.import")
    with transaction.atomic():
        job = _get_job(actor, job_id, lock=True)
        if job.status in {ImportStatus.DONE, ImportStatus.CANCELLED}:
            raise Conflict(_("This import has already finished."))
        job.status = ImportStatus.CANCELLED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at", "updated_at"])
        audit.record(actor, "import.cancelled", job)
    return job


ProgressCallback = Callable[[ImportJob], None]


def run_import(job_id: int, *, on_progress: ProgressCallback | None = None) -> ImportJob:
    """Run (or continue) a queued import, batch by batch, as the person who started it.

    Each batch commits its records, its rejected rows and the checkpoint together. Does
    nothing for a job that is not queued (done, cancelled, or taken by a live worker).
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        beat = job.heartbeat_at or job.updated_at
        # A job whose worker died (no checkpoint for a while) is taken over by the next task
        # that runs for it: the resume is automatic when a worker picks it up again.
        abandoned = job.status == ImportStatus.RUNNING and timezone.now() - beat >= stale_after()
        if job.status != ImportStatus.QUEUED and not abandoned:
            return job
        job.status = ImportStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.save(update_fields=["status", "started_at", "heartbeat_at", "updated_at"])
    user = job.created_by
    # Rejection reasons are stored text: in the language of the person who started it.
    language = (user.language if user else "") or job.workspace.locale or settings.LANGUAGE_CODE
    with translation.override(language):
        return _run(job, on_progress)


def _run(job: ImportJob, on_progress: ProgressCallback | None) -> ImportJob:
    try:
        actor = _actor_for_job(job)
        require(actor, "data.import")
        require(actor, _write_permission(job.object_type))
        if job.total_rows is None:
            job.total_rows = count_rows(job)
            ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows)
        batcher = Batcher(actor, job)
        if on_progress:
            on_progress(job)
        for next_index, rows in _batches(batcher, job, job.next_row, None, batch_size()):
            outcome = BatchOutcome()
            with transaction.atomic():
                current = ImportJob.objects.select_for_update().get(pk=job.pk)
                if current.status != ImportStatus.RUNNING:  # cancelled meanwhile
                    return current
                process_batch(batcher, rows, outcome)
                _save_rejected(job, outcome.rejected)
                s = outcome.stats
                job.next_row = next_index
                job.created_count += s.created
                job.updated_count += s.updated
                job.skipped_count += s.skipped
                job.rejected_count += len(outcome.rejected)
                job.heartbeat_at = timezone.now()
                job.save(
                    update_fields=[
                        "next_row",
                        "created_count",
                        "updated_count",
                        "skipped_count",
                        "rejected_count",
                        "heartbeat_at",
                        "updated_at",
                    ]
                )
            if on_progress:
                on_progress(job)
        with transaction.atomic():
            job.status = ImportStatus.DONE
            job.finished_at = timezone.now()
            job.next_row = max(job.next_row, job.total_rows or 0)
            job.save(update_fields=["status", "finished_at", "next_row", "updated_at"])
            counts = {
                "created": job.created_count,
                "updated": job.updated_count,
                "skipped": job.skipped_count,
                "rejected": job.rejected_count,
            }
            audit.record(actor, "import.finished", job, changes=counts)
            events.emit("import.finished", actor=actor, subject=job, payload=counts)
    except ServiceError as exc:
        _fail(job, exc.detail)
    except Exception as exc:
        _fail(job, f"{type(exc).__name__}: {exc}")
        raise
    job.refresh_from_db()
    return job


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=message[:2000], updated_at=timezone.now()
    )


# --- templates --------------------------------------------------------------------------------


def _clean_template(actor: Actor, data: dict[str, Any], instance: ImportTemplate | None) -> dict:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    from vinculo.core import validators

    if instance is None or "name" in data:
        try:
            out["name"] = validators.clean_name(
                data.get("name"), "name", required=True, max_length=80
            )
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    object_type = data.get("object_type", instance.object_type if instance else None)
    if instance is None or "object_type" in data:
        try:
            _check_object_type(object_type)
            out["object_type"] = object_type
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if "mapping" in data:
        mapping = data["mapping"]
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            errors.append(FieldError("mapping", _("Send an object of column → field.")))
        elif object_type in ImportObject.values:
            allowed = {n for n, _label in field_choices(actor, object_type)}
            for header, target in mapping.items():
                if target and target not in allowed:
                    errors.append(
                        FieldError(
                            f"mapping.{header}",
                            _("Unknown field %(field)r.") % {"field": target},
                            "unknown_field",
                        )
                    )
            out["mapping"] = mapping
    if "options" in data and object_type in ImportObject.values:
        try:
            out["options"] = clean_options(object_type, data["options"])
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(_("The template has problems."), errors=errors)
    name = out.get("name", instance.name if instance else "")
    clash = ImportTemplate.objects.for_workspace(actor.workspace).filter(
        object_type=out.get("object_type", object_type), name__iexact=name
    )
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationFailed.field(
            "name", _("A template with this name already exists."), "unique"
        )
    return out


def create_template(*, actor: Actor, data: dict[str, Any]) -> ImportTemplate:
    """Save a mapping (header → field) and options under a name for later files.

    Refuses: no ``data.import`` permission, a missing or taken name, unknown fields.
    """
    require(actor, "data.import")
    with transaction.atomic():
        fields = _clean_template(actor, data, None)
        template = ImportTemplate.objects.create(
            workspace=actor.workspace, created_by=actor.user, **fields
        )
        audit.record(actor, "import_template.created", template)
    return template


def update_template(*, actor: Actor, template_id: int, data: dict[str, Any]) -> ImportTemplate:
    """Rename a template or change its mapping/options (same checks as creating one)."""
    require(actor, "data.import")
    with transaction.atomic():
        template = _get_template(actor, template_id)
        fields = _clean_template(actor, data, template)
        for name, value in fields.items():
            setattr(template, name, value)
        template.save()
        audit.record(actor, "import_template.updated", template, changes={"fields": list(fields)})
    return template


def delete_template(*, actor: Actor, template_id: int) -> None:
    """Delete a template; imports that used it keep their own copy of the mapping."""
    require(actor, "data.import")
    with transaction.atomic():
        template = _get_template(actor, template_id)
        audit.record(actor, "import_template.deleted", template)
        template.delete()


def save_job_as_template(*, actor: Actor, job_id: int, name: str) -> ImportTemplate:
    """Save an import's current mapping and options as a template named ``name``."""
    job = _get_job(actor, job_id)
    return create_template(
        actor=actor,
        data={
            "name": name,
            "object_type": job.object_type,
            "mapping": job.mapping,
            "options": job.options,
        },
    )


def rejected_csv_lines(job: ImportJob) -> Iterable[str]:
    """The rejected rows as CSV text: the original columns, then row number and reasons
    (UTF-8 with BOM, so Excel opens accents right). Streams from ``ImportRowError``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    width = len(job.headers)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([*job.headers, _("row"), _("reason")])
    yield "\ufeff" + flush()
    qs = ImportRowError.objects.filter(job=job, dry_run=False).order_by("line", "id")
    for error in qs.iterator(chunk_size=2000):
        cells = list(error.values)[:width] + [""] * max(0, width - len(error.values))
        reasons = "; ".join(
            f"{r.get('column') or r.get('field') or ''}: {r.get('message')}".lstrip(": ")
            for r in error.reasons
        )
        writer.writerow([*cells, error.line, reasons])
        if buffer.tell() > 64 * 1024:
            yield flush()
    yield flush()
