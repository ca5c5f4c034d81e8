"""The company a form post names: found by name in the workspace or created, then linked to the
person. A B2B lead form asks "Company"; the CRM keeps companies as records of their own, so the
text becomes a company and an affiliation, not a string on the person.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.errors import ServiceError

logger = logging.getLogger(__name__)

KEY = "company"
MAX_LENGTH = 200  # Company.name


def company_for(actor: Actor, name: str) -> Company | None:
    """The oldest live company of the workspace with this name (case and runs of spaces
    ignored), else a new one. None when the contacts service refuses to create it (an entry
    rule asks companies for a CNPJ, say): the person is still written and the submission keeps
    the text, so nothing the visitor typed is lost."""
    name = " ".join(name.split())
    found = contact_selectors.company_named(actor, name)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return contacts.create_company(actor=actor, data={"name": name})
    except ServiceError as exc:
        logger.info("web form company %r not created: %s", name, exc)
        return None


def link_new_person(actor: Actor, data: dict[str, Any], name: str) -> None:
    """Make the named company the primary company of the person ``data`` will create."""
    company = company_for(actor, name) if name else None
    if company is not None:
        data["companies"] = [{"company_id": company.pk, "is_primary": True}]


def link_existing_person(actor: Actor, patch: dict[str, Any], person: Person, name: str) -> None:
    """Link a known person only when they have no company yet: like every other field, a public
    form fills what the CRM does not know and never rewrites what it does (anyone may type
    anyone's email)."""
    if not name or person.affiliations.exists():
        return
    company = company_for(actor, name)
    if company is not None:
        patch["companies"] = [{"company_id": company.pk, "is_primary": True}]
