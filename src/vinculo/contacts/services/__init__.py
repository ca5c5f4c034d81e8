"""Writes on people, companies, lifecycle stages, consent, tags and custom fields (C1, C2).

Every single-record service validates the whole input first and raises one
:class:`ValidationFailed` listing every bad field, so nothing is half-written. The bulk services
validate row by row against data loaded once per call (members, stages, tags, custom fields,
referenced companies), keep every good row and report the bad ones by index.

One module per concept; a module imports only the ones below it::

    people, companies          a record's cleaning and its services
    merge                      merge support for ``vinculo.quality.services.merge``
    records                    patch, bin and last activity of people and companies
    creation                   inserting one or many records with their relations
    affiliations               a person's links to companies
    cleaning                   Context, Cleaned and the cleaning people and companies share
    consent, custom_fields,    each on its own
    lifecycle, tags
    _common                    locking a record, unique CPF/CNPJ, display name

This package re-exports the names other code uses, so ``from vinculo.contacts import services``
keeps working; new code may import from the concept module.
"""

from __future__ import annotations

from vinculo.contacts.contract import ADDRESS_FIELDS
from vinculo.contacts.services.cleaning import Cleaned, Context
from vinculo.contacts.services.companies import (
    COMPANY_KEYS,
    COMPANY_TEXT_FIELDS,
    bulk_create_companies,
    clean_company,
    create_company,
    delete_company,
    restore_company,
    update_company,
)
from vinculo.contacts.services.consent import (
    CHANNELS,
    CONSENT_METHODS,
    CONSENT_STATUSES,
    LEGAL_BASES,
    clean_consent,
    set_consent,
)
from vinculo.contacts.services.custom_fields import (
    DefinitionChange,
    count_nonconforming,
    create_custom_field,
    update_custom_field,
)
from vinculo.contacts.services.lifecycle import (
    DEFAULT_LIFECYCLE,
    create_lifecycle_stage,
    ensure_lifecycle_stages,
    reorder_lifecycle_stages,
    update_lifecycle_stage,
)
from vinculo.contacts.services.merge import (
    COMPANY_MERGE_FIELDS,
    PERSON_MERGE_FIELDS,
    absorb_record,
    field_snapshot,
    merge_fields_of,
    unabsorb_record,
)
from vinculo.contacts.services.people import (
    PERSON_KEYS,
    PERSON_TEXT_FIELDS,
    bulk_create_people,
    clean_person,
    create_person,
    delete_person,
    restore_person,
    update_person,
)
from vinculo.contacts.services.records import SNAPSHOT_SKIP, note_activity, set_first_touches
from vinculo.contacts.services.spend import (
    SUGGESTED_CHANNELS,
    create_spend,
    delete_spend,
    update_spend,
)
from vinculo.contacts.services.tags import delete_tag, update_tag
from vinculo.contacts.tags import ensure_tags

__all__ = [
    "ADDRESS_FIELDS",
    "CHANNELS",
    "COMPANY_KEYS",
    "COMPANY_MERGE_FIELDS",
    "COMPANY_TEXT_FIELDS",
    "CONSENT_METHODS",
    "CONSENT_STATUSES",
    "DEFAULT_LIFECYCLE",
    "LEGAL_BASES",
    "PERSON_KEYS",
    "PERSON_MERGE_FIELDS",
    "PERSON_TEXT_FIELDS",
    "SNAPSHOT_SKIP",
    "SUGGESTED_CHANNELS",
    "Cleaned",
    "Context",
    "DefinitionChange",
    "absorb_record",
    "bulk_create_companies",
    "bulk_create_people",
    "clean_company",
    "clean_consent",
    "clean_person",
    "count_nonconforming",
    "create_company",
    "create_custom_field",
    "create_lifecycle_stage",
    "create_person",
    "create_spend",
    "delete_company",
    "delete_person",
    "delete_spend",
    "delete_tag",
    "ensure_lifecycle_stages",
    "ensure_tags",
    "field_snapshot",
    "merge_fields_of",
    "note_activity",
    "reorder_lifecycle_stages",
    "restore_company",
    "restore_person",
    "set_consent",
    "set_first_touches",
    "unabsorb_record",
    "update_company",
    "update_custom_field",
    "update_lifecycle_stage",
    "update_person",
    "update_spend",
    "update_tag",
]
