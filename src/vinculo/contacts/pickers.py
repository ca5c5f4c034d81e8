"""People and companies in the record pickers (registered in :mod:`vinculo.core.pickers` at
``ready()``): what matches the typed text, and the record a form shows as chosen.

They are searched through indexes only, so a picker answers as fast with a million records as
with ten: the start of the name (people: of the full name or of the last name) on the stored
``name_key`` columns (case and accents folded, see :mod:`vinculo.core.collation`), of the email,
and of the CPF/CNPJ or phone digits; each an index range read ``LIMIT`` the picker's limit,
merged in name order. Only when nothing starts so is a word inside a name looked for (a bounded
read in name order, which may walk the index).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from vinculo.contacts import selectors as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.collation import after_key, sort_key
from vinculo.core.pickers import PickOption

WORD_MIN_LENGTH = 3  # a word inside a name is looked for only when no name starts so

_DIGITS = re.compile(r"\D")


def person_option(person: Person) -> PickOption:
    name = person.full_name
    return PickOption(person.pk, name or person.email, person.email if name else "")


def company_option(company: Company) -> PickOption:
    place = "/".join(part for part in (company.city, company.state) if part)
    return PickOption(company.pk, company.name, place)


def _starting(qs: QuerySet, column: str, prefix: str) -> QuerySet:
    """Rows whose ``column`` starts with ``prefix``, as a range an index answers."""
    return qs.filter(**{f"{column}__gte": prefix, f"{column}__lt": after_key(prefix)})


def _phone_prefix(digits: str) -> str:
    """The stored (E.164) start of a Brazilian number typed with or without +55."""
    digits = digits.lstrip("0")
    return "+" + (digits if digits.startswith("55") and len(digits) > 11 else "55" + digits)


def _by_index(actor: Actor, kind: str, text: str, limit: int) -> list[Any]:
    key = sort_key(text)
    lowered = text.lower()
    digits = _DIGITS.sub("", text)
    base: QuerySet[Any]
    if kind == "person":
        base = (
            contacts.people(actor)
            .prefetch_related(None)
            .select_related(None)
            .only("first_name", "last_name", "email", "name_key")
        )
        reads = [_starting(base, "name_key", key), _starting(base, "last_name_key", key)]
        if " " not in text:
            reads.append(_starting(base, "email", lowered))
        if len(digits) >= 4:
            reads.append(_starting(base, "cpf", digits))
            for column in ("phone", "mobile_phone"):
                reads.append(_starting(base, column, _phone_prefix(digits)))
    else:
        base = (
            contacts.companies(actor)
            .prefetch_related(None)
            .select_related(None)
            .only("name", "city", "state", "name_key")
        )
        reads = [_starting(base, "name_key", key)]
        if len(digits) >= 4:
            reads.append(_starting(base, "cnpj", digits))
    found: dict[int, Any] = {}
    for read in reads:
        for record in read.order_by("name_key", "pk")[:limit]:
            found.setdefault(record.pk, record)
    if not found and len(key) >= WORD_MIN_LENGTH:
        # Nothing starts so: a word inside the name ("agil" for "Padaria Ágil"), walking the
        # name index in order until a page is found.
        inside = base.filter(name_key__contains=key).order_by("name_key", "pk")[:limit]
        return list(inside)
    return sorted(found.values(), key=lambda r: (r.name_key, r.pk))[:limit]


def search_people(actor: Actor, text: str, limit: int) -> list[PickOption]:
    """Live people whose name, last name, email, CPF or phone starts with ``text``."""
    return [person_option(person) for person in _by_index(actor, "person", text, limit)]


def search_companies(actor: Actor, text: str, limit: int) -> list[PickOption]:
    """Live companies whose name or CNPJ starts with ``text``."""
    return [company_option(company) for company in _by_index(actor, "company", text, limit)]


def find_person(actor: Actor, person_id: int) -> PickOption | None:
    """The option of a person of the workspace (in the bin too), or None."""
    person = Person.objects.for_workspace(actor.workspace).filter(pk=person_id).first()
    return None if person is None else person_option(person)


def find_company(actor: Actor, company_id: int) -> PickOption | None:
    """The option of a company of the workspace (in the bin too), or None."""
    company = Company.objects.for_workspace(actor.workspace).filter(pk=company_id).first()
    return None if company is None else company_option(company)
