"""Domain events of the contacts app: their payload schemas and examples."""

from __future__ import annotations

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.contacts.models import Channel, ConsentStatus, FieldType, JourneyPhase, LegalBasis
from vinculo.core.event_types import Changed, EventType, NoPayload, Payload, register_event_types


class PersonCreated(Payload):
    name: str = Field(description="The person's full name.")
    email: str = Field(description="Their email address, or an empty text.")


class CompanyCreated(Payload):
    name: str
    cnpj: str = Field(description="The CNPJ (14 digits), or an empty text.")


class RecordUpdated(Payload):
    changed: Changed


class LifecycleChanged(Payload):
    from_: str | None = Field(alias="from", description="The key of the stage left, if any.")
    to: str | None = Field(description="The key of the stage entered (null: none).")
    phase: JourneyPhase | None = Field(description="The journey phase of the stage entered.")


class ConsentChanged(Payload):
    channel: Channel
    from_: ConsentStatus = Field(alias="from", description="The status before.")
    to: ConsentStatus = Field(description="The status now.")
    legal_basis: LegalBasis = Field(description="The LGPD legal basis recorded with it.")


class CustomFieldCreated(Payload):
    object_type: str = Field(description="person, company or deal.")
    key: str
    field_type: FieldType


class LifecycleStagesUpdated(Payload):
    key: str | None = Field(None, description="The stage added or changed.")
    order: list[str] | None = Field(None, description="The stage keys in their new order.")


register_event_types(
    EventType(
        "person.created",
        gettext_noop("A person was added."),
        PersonCreated,
        example={"name": "Joana Silva", "email": "joana@padaria.com.br"},
    ),
    EventType(
        "person.updated",
        gettext_noop("A person's fields changed (payload: the changed field names)."),
        RecordUpdated,
        example={"changed": ["phone", "tags"]},
    ),
    EventType(
        "person.deleted", gettext_noop("A person was moved to the bin."), NoPayload, example={}
    ),
    EventType(
        "person.restored",
        gettext_noop("A person was restored from the bin."),
        NoPayload,
        example={},
    ),
    EventType(
        "person.lifecycle_changed",
        gettext_noop("A person moved to another lifecycle stage."),
        LifecycleChanged,
        example={"from": "lead", "to": "customer", "phase": "decision"},
    ),
    EventType(
        "person.consent_changed",
        gettext_noop("A person's consent for a channel changed."),
        ConsentChanged,
        example={"channel": "email", "from": "unknown", "to": "opted_in", "legal_basis": "consent"},
    ),
    EventType(
        "company.created",
        gettext_noop("A company was added."),
        CompanyCreated,
        example={"name": "Padaria Aurora Ltda", "cnpj": "11222333000181"},
    ),
    EventType(
        "company.updated",
        gettext_noop("A company's fields changed."),
        RecordUpdated,
        example={"changed": ["website"]},
    ),
    EventType(
        "company.deleted", gettext_noop("A company was moved to the bin."), NoPayload, example={}
    ),
    EventType(
        "company.restored",
        gettext_noop("A company was restored from the bin."),
        NoPayload,
        example={},
    ),
    EventType(
        "company.lifecycle_changed",
        gettext_noop("A company moved to another lifecycle stage."),
        LifecycleChanged,
        example={"from": None, "to": "lead", "phase": "consideration"},
    ),
    EventType(
        "custom_field.created",
        gettext_noop("A custom field was defined."),
        CustomFieldCreated,
        example={"object_type": "person", "key": "shoe_size", "field_type": "number"},
    ),
    EventType(
        "custom_field.updated",
        gettext_noop("A custom field definition changed."),
        RecordUpdated,
        example={"changed": ["label"]},
    ),
    EventType(
        "lifecycle_stage.updated",
        gettext_noop("The workspace's lifecycle stages changed."),
        LifecycleStagesUpdated,
        example={"key": "customer"},
    ),
)
