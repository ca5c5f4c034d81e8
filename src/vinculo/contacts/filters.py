"""What filters over people and companies may test (the filter language: vinculo.core.filters).

Imported lazily by :func:`vinculo.core.filters.autodiscover`. :func:`custom_filter_fields` also
serves deals, whose custom fields share the definitions table.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from vinculo.contacts.custom_fields import choice_values
from vinculo.contacts.models import Company, CustomFieldDefinition, LifecycleStage, Person
from vinculo.core.actor import Actor
from vinculo.core.filters import FilterField, FilterObject, FilterRelation, register_object


def lifecycle_choices(actor: Actor) -> list[tuple[str, str]]:
    """The workspace's lifecycle stages as ``(key, name)``."""
    return [
        (stage.key, stage.name)
        for stage in LifecycleStage.objects.for_workspace(actor.workspace).order_by(
            "position", "id"
        )
    ]


def _choice_labels(definition: CustomFieldDefinition) -> list[tuple[str, str]]:
    labels = {
        str(c["value"]): str(c.get("label") or c["value"])
        for c in definition.choices
        if isinstance(c, dict) and "value" in c
    }
    return [(value, labels.get(value, value)) for value in choice_values(definition)]


def custom_filter_fields(object_type: str) -> Callable[[Actor], list[FilterField]]:
    """A loader of the workspace's custom fields of ``object_type`` as filter fields (archived
    ones included, flagged, so saved filters that use them keep working)."""

    def load(actor: Actor) -> list[FilterField]:
        definitions = CustomFieldDefinition.objects.for_workspace(actor.workspace).filter(
            object_type=object_type
        )
        return [
            FilterField(
                name=f"custom_fields.{d.key}",
                type=d.field_type,
                label=d.label,
                column="custom_fields",
                json_key=d.key,
                choices=_choice_labels(d) if d.field_type in {"choice", "multi_choice"} else None,
                archived=d.archived_at is not None,
            )
            for d in definitions
        ]

    return load


def _address() -> tuple[FilterField, ...]:
    return (
        FilterField("street", "text", _("Street")),
        FilterField("number", "text", _("Number")),
        FilterField("complement", "text", _("Complement")),
        FilterField("district", "text", _("District")),
        FilterField("city", "text", _("City")),
        FilterField("state", "text", _("State")),
        FilterField("postal_code", "text", _("Postal code")),
        FilterField("country", "text", _("Country")),
    )


def _customer_record() -> tuple[FilterField, ...]:
    return (
        FilterField("owner", "user", _("Owner")),
        FilterField("tags", "tags", _("Tags")),
        FilterField(
            "lifecycle_stage",
            "choice",
            _("Lifecycle stage"),
            column="lifecycle_stage__key",
            choices=lifecycle_choices,
        ),
        FilterField("lifecycle_changed_at", "datetime", _("Lifecycle stage changed")),
        FilterField("source", "text", _("Source")),
        FilterField("last_activity_at", "datetime", _("Last activity")),
        FilterField("created_at", "datetime", _("Created")),
        FilterField("updated_at", "datetime", _("Updated")),
        FilterField("created_by", "user", _("Created by")),
        *_address(),
    )


PERSON_FIELDS: tuple[FilterField, ...] = (
    FilterField("first_name", "text", _("First name")),
    FilterField("last_name", "text", _("Last name")),
    FilterField("email", "email", _("Email")),
    FilterField("phone", "phone", _("Phone")),
    FilterField("mobile_phone", "phone", _("Mobile phone")),
    FilterField("cpf", "text", "CPF"),
    FilterField("job_title", "text", _("Job title")),
    FilterField("birth_date", "date", _("Birth date")),
    FilterField("gender", "text", _("Gender")),
    FilterField("preferred_channel", "choice", _("Preferred channel")),
    FilterField("interests", "long_text", _("Needs and interests")),
    FilterField("company", "record", _("Company"), column="companies"),
    *_customer_record(),
)

COMPANY_FIELDS: tuple[FilterField, ...] = (
    FilterField("name", "text", _("Name")),
    FilterField("legal_name", "text", _("Legal name")),
    FilterField("cnpj", "text", "CNPJ"),
    FilterField("domain", "text", _("Domain")),
    FilterField("website", "url", _("Website")),
    FilterField("industry", "text", _("Industry")),
    FilterField("employees", "number", _("Employees")),
    FilterField("annual_revenue", "money", _("Annual revenue")),
    FilterField("email", "email", _("Email")),
    FilterField("phone", "phone", _("Phone")),
    FilterField("description", "long_text", _("Description")),
    *_customer_record(),
)


register_object(
    FilterObject(
        object_type="person",
        model=Person,
        label=_("People"),
        fields=PERSON_FIELDS,
        relations=(
            FilterRelation("deals", "deal", link="person", label=_("Deals")),
            FilterRelation("activities", "activity", link="person", label=_("Activities")),
        ),
        custom_fields=custom_filter_fields("person"),
    )
)
register_object(
    FilterObject(
        object_type="company",
        model=Company,
        label=_("Companies"),
        fields=COMPANY_FIELDS,
        relations=(
            FilterRelation("people", "person", link="companies", label=_("People")),
            FilterRelation("deals", "deal", link="company", label=_("Deals")),
            FilterRelation("activities", "activity", link="company", label=_("Activities")),
        ),
        custom_fields=custom_filter_fields("company"),
    )
)
