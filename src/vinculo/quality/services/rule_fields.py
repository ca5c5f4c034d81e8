"""Entry rules, the field catalogue: the standard and custom fields of people, companies and deals
that rules may govern, their types as the rules see them (which formats apply, which may be
unique), and how a field's value is read from cleaned input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from vinculo.contacts.contract import COMPANY, PERSON
from vinculo.contacts.custom_fields import definitions
from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.contracts import Kind, WriteContract
from vinculo.core.field_labels import field_label
from vinculo.quality.models import RuleFormat, RuleObject
from vinculo.sales.contract import DEAL
from vinculo.sales.models import Deal

CUSTOM = "custom_fields."

# Field types as the rules see them: which formats apply and which fields may be unique.
TEXT, LONG_TEXT, EMAIL, PHONE, URL, NUMBER, DATE, REF = (
    "text", "long_text", "email", "phone", "url", "number", "date", "ref",
)  # fmt: skip
FORMAT_TYPES: dict[str, frozenset[str]] = {
    RuleFormat.UPPERCASE: frozenset({TEXT}),
    RuleFormat.DIGITS_ONLY: frozenset({TEXT}),
    RuleFormat.BR_STATE: frozenset({TEXT}),
    RuleFormat.CEP: frozenset({TEXT}),
    RuleFormat.MOBILE_BR: frozenset({PHONE}),
    RuleFormat.CORPORATE_EMAIL: frozenset({EMAIL}),
    RuleFormat.REGEX: frozenset({TEXT, EMAIL, PHONE, URL}),
}
UNIQUE_TYPES = frozenset({TEXT, EMAIL, PHONE, URL, NUMBER})
_CUSTOM_TYPES = {
    "text": TEXT, "long_text": LONG_TEXT, "number": NUMBER, "money": NUMBER, "date": DATE,
    "datetime": DATE, "boolean": REF, "choice": REF, "multi_choice": REF, "email": EMAIL,
    "phone": PHONE, "url": URL,
}  # fmt: skip
# A write-contract kind as the rules see it (tags, custom values, links and an import's creation
# time are not governed as standard fields; custom fields have their own types below).
_KIND_TYPES = {
    Kind.TEXT: TEXT, Kind.CPF: TEXT, Kind.CNPJ: TEXT, Kind.DOMAIN: TEXT, Kind.COUNTRY: TEXT,
    Kind.LONG_TEXT: LONG_TEXT, Kind.EMAIL: EMAIL, Kind.PHONE: PHONE, Kind.URL: URL,
    Kind.DATE: DATE, Kind.WHOLE: NUMBER, Kind.MONEY: NUMBER, Kind.CHOICE: REF, Kind.OWNER: REF,
    Kind.STAGE: REF, Kind.RECORD: REF,
}  # fmt: skip


def _rule_types(contract: WriteContract, *names: str) -> dict[str, str]:
    """Field → type as the rules see it: of ``names`` in that order, else of every field of a
    kind rules govern."""
    fields = [contract[n] for n in names] if names else list(contract)
    return {f.name: _KIND_TYPES[f.kind] for f in fields if f.kind in _KIND_TYPES}


# The fields and types come from the write contracts (vinculo.contacts.contract,
# vinculo.sales.contract). A deal's amount, pipeline, stage and lost reason are not governed:
# they always have a value, or follow from the stage.
STANDARD_FIELDS: dict[str, dict[str, str]] = {
    RuleObject.PERSON: _rule_types(PERSON),
    RuleObject.COMPANY: _rule_types(COMPANY),
    RuleObject.DEAL: _rule_types(
        DEAL, "title", "source", "description", "expected_close_date", "owner_id", "person_id",
        "company_id",
    ),
}  # fmt: skip


def model_of(object_type: str) -> type[Model]:
    """The model whose rows an object type's rules govern."""
    if object_type == RuleObject.DEAL:
        return Deal
    return Person if object_type == RuleObject.PERSON else Company


@dataclass(frozen=True)
class RuleField:
    """A field a rule may govern: its name, what people call it and its type."""

    name: str
    label: str
    type: str

    @property
    def formats(self) -> list[str]:
        return [f for f, types in FORMAT_TYPES.items() if self.type in types]

    @property
    def may_be_unique(self) -> bool:
        return self.type in UNIQUE_TYPES


def rule_fields(actor: Actor, object_type: str) -> dict[str, RuleField]:
    """The standard and (live) custom fields of ``object_type`` that rules may govern."""
    fields = {
        name: RuleField(name, field_label(object_type, name), kind)
        for name, kind in STANDARD_FIELDS.get(object_type, {}).items()
    }
    for key, definition in definitions(actor, object_type).items():
        kind = _CUSTOM_TYPES.get(definition.field_type, REF)
        fields[CUSTOM + key] = RuleField(CUSTOM + key, definition.label, kind)
    return fields


def value_of(values: dict[str, Any], field: str) -> Any:
    """The value of ``field`` in cleaned input (custom fields live in ``custom_fields``)."""
    if field.startswith(CUSTOM):
        return (values.get("custom_fields") or {}).get(field[len(CUSTOM) :])
    return values.get(field)


def touched(data: dict[str, Any], field: str) -> bool:
    """Whether the raw input (a patch) sets or clears ``field``."""
    if field.startswith(CUSTOM):
        custom = data.get("custom_fields")
        return isinstance(custom, dict) and field[len(CUSTOM) :] in custom
    return field in data
