"""Reads for the duplicate check of one record being typed, imported or sent to the API: the
live records of the workspace that could be the same customer, found through indexed columns
(the same identifiers, birth date, name keys, postal code and number), for the matcher to score.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Q

from vinculo.contacts.models import Company, Person
from vinculo.core import validators
from vinculo.core.actor import Actor
from vinculo.core.collation import sort_key
from vinculo.core.errors import ValidationFailed
from vinculo.core.permissions import require
from vinculo.quality.matching.schema import COMPANY_COLUMNS, PERSON_COLUMNS
from vinculo.quality.models.duplicates import RecordType

PER_LOOKUP = 50  # records read per look-up: a common birth date or postal code stays cheap


def _clean(clean: Callable[..., str], value: Any, name: str, **kwargs: Any) -> str:
    """``value`` as the services store it; "" when it would not validate."""
    try:
        return clean(value, name, **kwargs) if value not in (None, "") else ""
    except ValidationFailed:
        return ""


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _person_lookups(values: dict[str, Any], region: str) -> list[Q]:
    email = _clean(validators.clean_email, values.get("email"), "email")
    phones = {
        _clean(validators.clean_phone, values.get(name), name, region=region)
        for name in ("phone", "mobile_phone")
    } - {""}
    cpf = _clean(validators.clean_cpf, values.get("cpf"), "cpf")
    first = sort_key(str(values.get("first_name") or ""))
    last = sort_key(str(values.get("last_name") or ""))
    born = _day(values.get("birth_date"))
    postal = str(values.get("postal_code") or "").strip()
    number = str(values.get("number") or "").strip()
    lookups = []
    if email:
        lookups.append(Q(email=email))
    if phones:
        lookups += [Q(phone__in=phones), Q(mobile_phone__in=phones)]
    if cpf:
        lookups.append(Q(cpf=cpf))
    if born:
        lookups.append(Q(birth_date=born))
    if first and last:
        # Both orders: a record may have the names swapped.
        lookups += [Q(name_key=f"{first} {last}"), Q(name_key=f"{last} {first}")]
    if last:
        lookups.append(Q(last_name_key=last))
    if postal and number:
        lookups.append(Q(postal_code=postal, number=number))
    return lookups


def _company_lookups(values: dict[str, Any], region: str) -> list[Q]:
    del region
    cnpj = "".join(c for c in str(values.get("cnpj") or "") if c.isdigit())
    email = _clean(validators.clean_email, values.get("email"), "email")
    domain = str(values.get("domain") or "").strip().lower().removeprefix("www.")
    name = sort_key(str(values.get("name") or ""))
    postal = str(values.get("postal_code") or "").strip()
    number = str(values.get("number") or "").strip()
    lookups = []
    if cnpj:
        lookups.append(Q(cnpj=cnpj))
    if email:
        lookups.append(Q(email=email))
    if domain:
        lookups.append(Q(domain=domain))
    if name:
        lookups.append(Q(name_key=name))
    if postal and number:
        lookups.append(Q(postal_code=postal, number=number))
    return lookups


def lookup_candidates(
    actor: Actor,
    object_type: str,
    values: dict[str, Any],
    identifiers: list[str],
    *,
    exclude_id: int | None = None,
) -> list[dict[str, Any]]:
    """Live records of the workspace sharing an indexed key with ``values`` (each look-up
    capped at :data:`PER_LOOKUP` records), as the dicts the matcher reads."""
    require(actor, "records.view")
    person = object_type == RecordType.PERSON
    model: type[Person] | type[Company] = Person if person else Company
    region = (actor.workspace.country or "BR").upper()
    lookups = (_person_lookups if person else _company_lookups)(values, region)
    custom = values.get("custom_fields") or {}
    for key in identifiers:
        if custom.get(key) not in (None, ""):
            lookups.append(Q(**{f"custom_fields__{key}": custom[key]}))
    columns = PERSON_COLUMNS if person else COMPANY_COLUMNS
    live = model.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True)
    if exclude_id is not None:
        live = live.exclude(pk=exclude_id)
    found: dict[int, dict[str, Any]] = {}
    for lookup in lookups:
        for row in live.filter(lookup).order_by("pk").values(*columns)[:PER_LOOKUP]:
            found.setdefault(row["id"], row)
    return [found[pk] for pk in sorted(found)]
