"""Exports, the rows: the records a checked spec matches, through the object's own list selector,
read as plain values in chunks (memory stays flat however many match) with their tags and
companies added per chunk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F, QuerySet

from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts.models import Affiliation, Company, Person
from vinculo.core.actor import Actor
from vinculo.quality.services.export_columns import ExportColumn, available_columns
from vinculo.quality.services.export_spec import ExportSpec
from vinculo.sales import selectors as deal_selectors
from vinculo.sales.models import Deal

CHUNK = 2_000  # rows read per query (prefetches run per chunk)


# The plain values read per record (``values()``: no model instances, no per-row managers, which
# is what keeps 100k-row exports fast); tags and companies are read per batch of records.
VALUES: dict[str, tuple[str, ...]] = {
    "person": (
        "pk", "first_name", "last_name", "email", "phone", "mobile_phone", "job_title", "cpf",
        "city", "state", "source", "owner__email", "lifecycle_stage__name", "last_activity_at",
        "created_at", "updated_at", "custom_fields",
    ),
    "company": (
        "pk", "name", "legal_name", "cnpj", "industry", "city", "domain", "website", "email",
        "phone", "employees", "source", "owner__email", "lifecycle_stage__name",
        "last_activity_at", "created_at", "updated_at", "custom_fields",
    ),
    "deal": (
        "pk", "title", "pipeline__name", "stage__name", "status", "amount", "currency",
        "person__first_name", "person__last_name", "company__name", "owner__email",
        "expected_close_date", "source", "closed_at", "created_at", "updated_at", "custom_fields",
    ),
}  # fmt: skip


def matching(actor: Actor, spec: ExportSpec) -> QuerySet:
    """The records of a checked spec, in the spec's order (then by id), through the object's own
    list selector (so the scope and the filter are exactly the list screen's)."""
    qs: QuerySet[Any]
    if spec.object_type == "person":
        qs = contact_selectors.people(
            actor, q=spec.q or None, filter=spec.filter, deleted=spec.deleted
        )
    elif spec.object_type == "company":
        qs = contact_selectors.companies(
            actor, q=spec.q or None, filter=spec.filter, deleted=spec.deleted
        )
    else:
        qs = deal_selectors.deals(actor, q=spec.q or None, filter=spec.filter, deleted=spec.deleted)
    if spec.ids is not None:
        qs = qs.filter(pk__in=spec.ids)
    sort = spec.sort or "-created_at"
    name = sort.removeprefix("-")
    order = F(name).desc(nulls_last=True) if sort.startswith("-") else F(name).asc(nulls_last=True)
    return qs.order_by(order, "pk")


def _related(object_type: str, batch: list[dict[str, Any]]) -> None:
    """Add ``_tags`` (names joined) and, for people, ``_company`` (the primary company, else
    the first) to a batch of rows: two queries per batch, whatever its size."""
    model: Any = {"person": Person, "company": Company, "deal": Deal}[object_type]
    ids = [r["pk"] for r in batch]
    through = model.tags.through
    link = f"{model._meta.model_name}_id"
    tags: dict[int, list[str]] = {}
    for owner_id, name in through.objects.filter(**{f"{link}__in": ids}).values_list(
        link, "tag__name"
    ):
        tags.setdefault(owner_id, []).append(name)
    companies: dict[int, str] = {}
    if object_type == "person":
        links = (
            Affiliation.objects.filter(person_id__in=ids)
            .order_by("person_id", "-is_primary", "pk")
            .values_list("person_id", "company__name")
        )
        for person_id, name in links:
            companies.setdefault(person_id, name)
    for row in batch:
        row["_tags"] = ", ".join(sorted(tags.get(row["pk"], ())))
        row["_company"] = companies.get(row["pk"], "")


def export_columns(actor: Actor, spec: ExportSpec) -> list[ExportColumn]:
    """The columns of a checked spec, in its order (all of them when it names none)."""
    every = available_columns(actor, spec.object_type)
    if not spec.columns:
        return every
    by_key = {c.key: c for c in every}
    return [by_key[k] for k in spec.columns if k in by_key]


def rows(actor: Actor, spec: ExportSpec, columns: list[ExportColumn]) -> Iterator[list[Any]]:
    """The typed values of every matching record, one list per record, read in chunks of
    :data:`CHUNK` (memory stays flat however many records match)."""
    qs = matching(actor, spec).select_related(None).prefetch_related(None)
    batch: list[dict[str, Any]] = []
    for record in qs.values(*VALUES[spec.object_type]).iterator(chunk_size=CHUNK):
        batch.append(record)
        if len(batch) >= CHUNK:
            yield from _batch_rows(spec.object_type, batch, columns)
            batch = []
    if batch:
        yield from _batch_rows(spec.object_type, batch, columns)


def _batch_rows(
    object_type: str, batch: list[dict[str, Any]], columns: list[ExportColumn]
) -> Iterator[list[Any]]:
    _related(object_type, batch)
    for record in batch:
        yield [column.value(record) for column in columns]
