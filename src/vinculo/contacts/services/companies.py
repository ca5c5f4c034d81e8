"""Companies: cleaned (a full row or a patch), added one at a time or in bulk, changed, binned
and restored."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.contacts.models import Company, CustomObject
from vinculo.contacts.services._common import check_document_unique, get_for_update
from vinculo.contacts.services.cleaning import (
    ADDRESS_FIELDS,
    Cleaned,
    Context,
    clean_head,
    clean_tail,
)
from vinculo.contacts.services.creation import bulk_create, check_bulk_size, insert_records
from vinculo.contacts.services.records import apply_update, restore, soft_delete
from vinculo.core import validators
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult
from vinculo.core.errors import FieldError, collect, raise_if_any
from vinculo.core.permissions import require
from vinculo.core.validators import clean_long_text as long_text

COMPANY_TEXT_FIELDS = {
    "name": 200,
    "legal_name": 200,
    "industry": 100,
    "source": 60,
    **dict.fromkeys(ADDRESS_FIELDS[:-1], 200),
}

COMPANY_KEYS = frozenset(
    {
        *COMPANY_TEXT_FIELDS,
        *ADDRESS_FIELDS,
        "country",
        "cnpj",
        "email",
        "phone",
        "website",
        "domain",
        "employees",
        "annual_revenue",
        "description",
        "owner_id",
        "lifecycle_stage",
        "tags",
        "custom_fields",
        "created_at",
    }
)


def clean_company(
    ctx: Context, data: dict[str, Any], *, instance: Company | None = None
) -> Cleaned:
    """Validate company input (a full row, or a patch when ``instance`` is given)."""
    errors: list[FieldError] = []
    creating = instance is None
    fields = clean_head(data, COMPANY_KEYS, COMPANY_TEXT_FIELDS, "name", creating, errors)
    if "cnpj" in data:
        fields["cnpj"] = collect(errors, validators.clean_cnpj, data["cnpj"], "cnpj") or ""
    if "email" in data:
        fields["email"] = collect(errors, validators.clean_email, data["email"], "email") or ""
    if "phone" in data:
        fields["phone"] = (
            collect(errors, validators.clean_phone, data["phone"], "phone", region=ctx.region) or ""
        )
    if "website" in data:
        fields["website"] = collect(errors, validators.clean_url, data["website"], "website") or ""
    if "domain" in data:
        domain = str(data["domain"] or "").strip().lower().removeprefix("www.")
        if domain and ("." not in domain or " " in domain or "/" in domain):
            errors.append(FieldError("domain", _("Use a domain like empresa.com.br."), "invalid"))
        fields["domain"] = domain
    elif creating and fields.get("website"):
        fields["domain"] = (urlparse(fields["website"]).hostname or "").removeprefix("www.")
    if "employees" in data:
        employees = data["employees"]
        if employees in (None, ""):
            fields["employees"] = None
        elif isinstance(employees, bool) or not str(employees).isdigit():
            errors.append(FieldError("employees", _("Enter a whole number ≥ 0."), "invalid"))
        else:
            fields["employees"] = int(employees)
    if "annual_revenue" in data:
        fields["annual_revenue"] = collect(
            errors,
            validators.clean_decimal,
            data["annual_revenue"],
            "annual_revenue",
            places=2,
            max_digits=16,
            minimum=0,
        )
    if "description" in data:
        fields["description"] = collect(errors, long_text, data["description"], "description")
    cleaned = clean_tail(ctx, data, fields, COMPANY_TEXT_FIELDS, Company, instance, errors)
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
