"""A person's links to companies (role, primary company): cleaned from input and replaced."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vinculo.contacts.models import Affiliation, Person
from vinculo.contacts.services.cleaning import Context
from vinculo.core import validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, collect


def clean_affiliations(ctx: Context, value: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    """Clean a person's ``companies`` input: existing companies of the workspace, once each,
    one primary (the first when none is marked). Errors are added to ``errors``."""
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(FieldError("companies", _("Send a list of companies."), "invalid_type"))
        return []
    result: list[dict[str, Any]] = []
    seen: set[int] = set()
    ctx.load_companies(item.get("company_id") for item in value if isinstance(item, dict))
    for i, item in enumerate(value):
        field = f"companies.{i}.company_id"
        if not isinstance(item, dict) or not isinstance(item.get("company_id"), int):
            errors.append(FieldError(field, _("Give the company's id."), "required"))
            continue
        company_id = item["company_id"]
        if not ctx.company_exists(company_id):
            errors.append(
                FieldError(
                    field,
                    _("No company with id %(id)s in this workspace.") % {"id": company_id},
                    "not_found",
                )
            )
            continue
        if company_id in seen:
            continue
        seen.add(company_id)
        role = (
            collect(
                errors,
                validators.clean_name,
                item.get("role"),
                f"companies.{i}.role",
                max_length=100,
            )
            or ""
        )
        result.append(
            {"company_id": company_id, "role": role, "is_primary": bool(item.get("is_primary"))}
        )
    if result and not any(a["is_primary"] for a in result):
        result[0]["is_primary"] = True
    return result


def replace_affiliations(
    actor: Actor, person: Person, companies: list[dict[str, Any]]
) -> tuple[list[int], list[int]]:
    """Replace a person's links to companies with ``companies`` (cleaned by
    :func:`clean_affiliations`); returns the linked company ids before and after, sorted."""
    old_ids = sorted(person.affiliations.values_list("company_id", flat=True))
    person.affiliations.all().delete()
    Affiliation.objects.bulk_create(
        [
            Affiliation(workspace=actor.workspace, created_by=actor.user, person_id=person.pk, **a)
            for a in companies
        ]
    )
    new_ids = sorted(a["company_id"] for a in companies)
    return old_ids, new_ids
