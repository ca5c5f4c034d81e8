"""Companies: cleaned (a full row or a patch), added one at a time or in bulk, changed, binned
and restored."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.contacts.contract import COMPANY
from vinculo.contacts.models import Company, CustomObject
from vinculo.contacts.services._common import check_document_unique, get_for_update
from vinculo.contacts.services.cleaning import (
    Cleaned,
    Context,
    clean_head,
    clean_tail,
)
from vinculo.contacts.services.creation import bulk_create, check_bulk_size, insert_records
from vinculo.contacts.services.records import apply_update, restore, soft_delete
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult
from vinculo.core.contracts import Kind
from vinculo.core.errors import FieldError, raise_if_any
from vinculo.core.permissions import require

COMPANY_KEYS = COMPANY.names
COMPANY_TEXT_FIELDS = {f.name: f.max_length for f in COMPANY.of_kind(Kind.TEXT)}


def clean_company(
    ctx: Context, data: dict[str, Any], *, instance: Company | None = None
) -> Cleaned:
    """Validate company input (a full row, or a patch when ``instance`` is given)."""
    errors: list[FieldError] = []
    creating = instance is None
    fields = clean_head(COMPANY, ctx, data, creating=creating, errors=errors)
    if creating and "domain" not in data and fields.get("website"):
        fields["domain"] = (urlparse(fields["website"]).hostname or "").removeprefix("www.")
    cleaned = clean_tail(ctx, data, fields, Company, instance, errors)
    raise_if_any(errors)
    return cleaned


def create_company(*, actor: Actor, data: dict[str, Any]) -> Company:
    """Add a company; refuses a bad or taken CNPJ, bad contact data, owner or custom values."""
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.COMPANY)
    cleaned = clean_company(ctx, data)
    with transaction.atomic():
        check_document_unique(Company, actor, "cnpj", cleaned.fields.get("cnpj", ""))
        ctx.rules.check_unique(cleaned.fields)
        return insert_records(ctx, Company, [cleaned], single=True)[0]


def bulk_create_companies(
    *, actor: Actor, rows: list[dict[str, Any]], max_rows: int | None = MAX_BULK_ROWS
) -> BulkResult[Company]:
    """Create many companies at once; good rows kept, bad rows reported by index."""
    require(actor, "records.write")
    check_bulk_size(rows, max_rows)
    ctx = Context(actor, CustomObject.COMPANY)
    return bulk_create(ctx, rows, clean_company, Company, "cnpj")


def update_company(*, actor: Actor, company_id: int, data: dict[str, Any]) -> Company:
    """Change some fields of a company (a patch); ``tags`` replaces the list."""
    require(actor, "records.write")
    ctx = Context(actor, CustomObject.COMPANY)
    with transaction.atomic():
        company = get_for_update(Company, actor, company_id, _("company"), deleted=False)
        cleaned = clean_company(ctx, data, instance=company)
        if "cnpj" in cleaned.fields:
            check_document_unique(Company, actor, "cnpj", cleaned.fields["cnpj"], company.pk)
        ctx.rules.check_unique(cleaned.fields, data=data, exclude_pk=company.pk)
        apply_update(ctx, company, cleaned, "company")
    return company


def delete_company(*, actor: Actor, company_id: int) -> Company:
    """Move a company to the bin (restorable); its people stay."""
    return soft_delete(actor, Company, company_id, "company")


def restore_company(*, actor: Actor, company_id: int) -> Company:
    """Bring a company back; refuses when its CNPJ now belongs to another company."""
    return restore(actor, Company, company_id, "company", "cnpj")
