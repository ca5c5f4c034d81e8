"""Imports, part two: turning mapped cells into the input of the contacts and sales bulk
services, matching duplicates per batch, and processing one batch.

The services that use it are in :mod:`vinculo.quality.services.imports`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_noop as N_

from vinculo.contacts import custom_fields as cf
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, CustomObject, Person
from vinculo.core.actor import Actor
from vinculo.core.bulk import BulkResult, live_ids_by_value
from vinculo.core.errors import (
    Conflict,
    FieldError,
    ValidationFailed,
)
from vinculo.core.filters import Fold
from vinculo.core.tenancy import Membership
from vinculo.core.text import fold
from vinculo.quality.models import (
    ImportDedupe,
    ImportJob,
    ImportObject,
)
from vinculo.quality.services.import_cells import (
    NoSuchDate,
    company_name_key,
    document_key,
    email_key,
    looks_like_date,
    parse_date_text,
    parse_decimal_text,
    phone_key,
    split_full_name,
)
from vinculo.quality.services.import_files import (
    _CF_OBJECT,
    _SPECIAL_TARGETS,
    CF_PREFIX,
    DATE,
    DATETIME,
    DECIMAL,
    FIELDS,
    INTEGER,
    LIST,
    TEXT,
    _data_rows,
    cf_kind,
)
from vinculo.quality.services.import_messages import reason, reason_from_error
from vinculo.quality.services.import_preview import CREATE, REJECT, SKIP, UPDATE, keep_preview
from vinculo.sales import services as sales_services
from vinculo.sales.models import Pipeline, Stage

# --- turning cells into service input ---------------------------------------------------------

_SPLIT_LIST = re.compile(r"[,;|]")


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
                kind = cf_kind(definition.field_type) if definition else TEXT
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

    def reason(
        self, service_field: str, msgid: str, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A rejection reason of the import itself (a ``gettext_noop`` id and parameters)."""
        return reason(self.column_for(service_field), service_field, msgid, params)

    def reasons(self, errors: list[FieldError]) -> list[dict[str, Any]]:
        """A service's field errors as rejection reasons (message ids and parameters)."""
        return [reason_from_error(self.column_for(e.field), e) for e in errors]

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
            if kind in (DATE, DATETIME):
                try:
                    value: Any = parse_date_text(text, with_time=kind == DATETIME)
                except NoSuchDate:
                    msgid = N_("The date %(value)s does not exist.")
                    row.errors.append(self.reason(_service_field(target), msgid, {"value": text}))
                    continue
                if kind == DATE and not looks_like_date(text):
                    msgid = N_("%(value)s is not a date: write dd/mm/yyyy or yyyy-mm-dd.")
                    row.errors.append(self.reason(_service_field(target), msgid, {"value": text}))
                    continue
            elif kind in (DECIMAL, INTEGER):
                value = parse_decimal_text(text)
            elif kind == LIST:
                value = [t.strip() for t in _SPLIT_LIST.split(text) if t.strip()]
            else:
                value = text
            if target.startswith(CF_PREFIX):
                custom[target.removeprefix(CF_PREFIX)] = value
            elif target == "full_name":
                first, last = split_full_name(text)
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
                    msgid = N_("No active member with the email %(email)s.")
                    row.errors.append(self.reason("owner_id", msgid, {"email": text}))
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
            if "cpf" in data and (cpf := document_key(data["cpf"])):
                keys.append("cpf:" + cpf)
            if "email" in data:
                keys.append("email:" + email_key(data["email"]))
            for name in ("phone", "mobile_phone"):
                if name in data and (number := phone_key(data[name])):
                    keys.append("phone:" + number)
        elif self.object_type == ImportObject.COMPANIES:
            domain = str(data.get("domain") or "").lower().removeprefix("www.")
            row.keys = [
                k
                for k in (
                    "cnpj:" + document_key(data.get("cnpj", "")),
                    "name:" + company_name_key(data.get("name", "")),
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
                ids = live_ids_by_value(Person, self.actor.workspace.pk, column, values)
                for value, pk in ids.items():
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
                live.annotate(lname=Fold("name"))
                .filter(q)
                .order_by()
                .values_list("pk", "cnpj", "name", "domain")
            ):
                for key in (
                    f"cnpj:{cnpj}",
                    f"name:{company_name_key(name)}",
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
        digits = {document_key(n) for n in wanted} - {""}
        live = Company.objects.for_workspace(self.actor.workspace).filter(deleted_at__isnull=True)
        known: dict[str, int] = {}
        for pk, name, cnpj in sorted(
            live.annotate(lname=Fold("name"))
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
            and document_key(r.company_name) not in known
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
                        row.errors.extend(self.reasons(exc.errors))
                        continue
                    usable.add(name)
            missing = [n for n in missing if n.lower() in usable]
        first_spelling: dict[str, str] = {}
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
            pk = known.get(row.company_name.lower()) or known.get(document_key(row.company_name))
            if pk is None:
                msgid = N_("This company name could not be used.")
                row.errors.append(self.reason("company", msgid))
            else:
                row.data["companies"] = [{"company_id": pk, "is_primary": True}]

    def resolve_deal_refs(self, rows: list[Row]) -> None:
        """Deals: stage and pipeline by name, the person by email, the company by name."""
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
            .annotate(lname=Fold("name"))
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
                    row.errors.append(self.reason("pipeline_id", N_("No pipeline with this name.")))
                else:
                    data["pipeline_id"] = pipeline_id
            stage_name = data.pop("_stage", "")
            if stage_name:
                key = f"{pipeline_id}:{stage_name.lower()}" if pipeline_id else stage_name.lower()
                stage_id = self._stages.get(key)
                if stage_id is None:
                    row.errors.append(self.reason("stage_id", N_("No stage with this name.")))
                else:
                    data["stage_id"] = stage_id
            email = data.pop("_person", "")
            if email:
                person_id = people.get(email.lower())
                if person_id is None:
                    row.errors.append(self.reason("person_id", N_("No person with this email.")))
                else:
                    data["person_id"] = person_id
            if row.company_name:
                company_id = companies.get(row.company_name.lower())
                if company_id is None:
                    row.errors.append(self.reason("company_id", N_("No company with this name.")))
                else:
                    data["company_id"] = company_id


def _service_field(target: str) -> str:
    """The service field a mapped target fills (``cf:key`` → ``custom_fields.key``)."""
    if target.startswith(CF_PREFIX):
        return "custom_fields." + target.removeprefix(CF_PREFIX)
    return target


# --- one batch --------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    stats: Stats = field(default_factory=Stats)
    rejected: list[Row] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    preview_rows: int = 0  # the dry run keeps its first rows with the action on each

    def note(self, batcher: Batcher, row: Row, action: str, record: Any = None, pk: Any = None):
        if self.preview_rows:
            keep_preview(self.preview, self.preview_rows, batcher, row, action, record, pk)


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
            outcome.note(batcher, row, REJECT)
    rows = [r for r in rows if not r.errors]
    if batcher.object_type == ImportObject.DEALS:
        _create(batcher, rows, outcome)
        return
    # Key → the record that has it: the database's, then what earlier rows of the file created
    # or updated (a key added by an update must find that record for the rows after it).
    existing = batcher.existing_matches(rows)
    pending: list[Row] = []
    pending_keys: dict[str, Row] = {}
    for row in rows:
        earlier = any(k in pending_keys for k in row.keys)
        if earlier and batcher.dedupe == ImportDedupe.UPDATE:
            # The same record twice in the batch: create the rows waiting, then update it.
            _learn(existing, _create(batcher, pending, outcome))
            pending, pending_keys = [], {}
        match = next((existing[k] for k in row.keys if k in existing), None)
        if batcher.dedupe == ImportDedupe.CREATE or (match is None and not earlier):
            pending.append(row)
            for key in row.keys:
                pending_keys.setdefault(key, row)
            continue
        if batcher.dedupe == ImportDedupe.SKIP:
            outcome.stats.skipped += 1
            outcome.note(batcher, row, SKIP, pk=match)
            continue
        if match is None:  # the earlier one was rejected: this row stands on its own
            pending.append(row)
            pending_keys.update(dict.fromkeys(row.keys, row))
            continue
        if _update(batcher, actor, match, row, outcome):
            _learn(existing, dict.fromkeys(row.keys, match))
    _create(batcher, pending, outcome)


def _learn(existing: dict[str, int], made: dict[str, int]) -> None:
    """Add the keys rows of this file gave a record (created or updated); a key the database or
    an earlier row already had keeps its record, as the oldest one wins in the look-up."""
    for key, pk in made.items():
        existing.setdefault(key, pk)


def _create(batcher: Batcher, rows: list[Row], outcome: BatchOutcome) -> dict[str, int]:
    """Bulk-create ``rows``; returns key → new id for the rows created."""
    if not rows:
        return {}
    payload = [r.data for r in rows]
    result: BulkResult[Any]
    if batcher.object_type == ImportObject.PEOPLE:
        result = contacts.bulk_create_people(actor=batcher.actor, rows=payload, max_rows=None)
    elif batcher.object_type == ImportObject.COMPANIES:
        result = contacts.bulk_create_companies(actor=batcher.actor, rows=payload, max_rows=None)
    else:
        result = sales_services.bulk_create_deals(actor=batcher.actor, rows=payload, max_rows=None)
    failed = {e.index: e for e in result.errors}
    for index, error in failed.items():
        row = rows[index]
        row.errors.extend(batcher.reasons(error.errors))
        outcome.rejected.append(row)
        outcome.note(batcher, row, REJECT)
    made: dict[str, int] = {}
    good = [r for i, r in enumerate(rows) if i not in failed]
    for row, record in zip(good, result.created, strict=True):
        outcome.note(batcher, row, CREATE, record)
        for key in row.keys:
            made.setdefault(key, record.pk)
    outcome.stats.created += len(result.created)
    return made


def _update(batcher: Batcher, actor: Actor, pk: int, row: Row, outcome: BatchOutcome) -> bool:
    """Fill the matched record: file values win for mapped columns, empty cells never erase;
    tags and companies are added to the ones it has. False when the row was rejected (the
    record is left as it was)."""
    data = dict(row.data)
    data.pop("created_at", None)
    try:
        if batcher.object_type == ImportObject.PEOPLE:
            person = Person.objects.for_workspace(actor.workspace).get(pk=pk)
            if "tags" in data:
                have = list(person.tags.values_list("name", flat=True))
                data["tags"] = have + [
                    t for t in data["tags"] if fold(t) not in {fold(h) for h in have}
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
            record: Any = contacts.update_person(actor=actor, person_id=pk, data=data)
        else:
            company = Company.objects.for_workspace(actor.workspace).get(pk=pk)
            if "tags" in data:
                have = list(company.tags.values_list("name", flat=True))
                data["tags"] = have + [
                    t for t in data["tags"] if fold(t) not in {fold(h) for h in have}
                ]
            if "custom_fields" in data:
                data["custom_fields"] = {**company.custom_fields, **data["custom_fields"]}
            record = contacts.update_company(actor=actor, company_id=pk, data=data)
    except (ValidationFailed, Conflict) as exc:
        errors = exc.errors or [FieldError("", exc.detail)]
        row.errors.extend(batcher.reasons(errors))
        outcome.rejected.append(row)
        outcome.note(batcher, row, REJECT, pk=pk)
        return False
    outcome.stats.updated += 1
    outcome.note(batcher, row, UPDATE, record)
    return True


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
