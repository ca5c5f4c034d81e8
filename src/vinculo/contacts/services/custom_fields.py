"""Custom field definitions of people, companies and deals: typed, keyed, never losing a stored
value when redefined (the values themselves are cleaned by ``vinculo.contacts.custom_fields``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from vinculo.contacts import custom_fields as cf
from vinculo.contacts.models import CustomFieldDefinition, CustomObject, FieldType
from vinculo.contacts.services._common import get_for_update
from vinculo.core import audit, custom_field_targets, events, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, ValidationFailed, choice_error, collect, raise_if_any
from vinculo.core.permissions import require


def _clean_choices(raw: Any, errors: list[FieldError]) -> list[dict[str, str]]:
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("choices", _("Give at least one choice."), "required"))
        return []
    result: list[dict[str, str]] = []
    for i, item in enumerate(raw):
        value = item.get("value") if isinstance(item, dict) else item
        label = item.get("label", value) if isinstance(item, dict) else item
        value = str(value or "").strip()
        if not value:
            errors.append(FieldError(f"choices.{i}", _("A choice needs a value."), "required"))
            continue
        if value in {c["value"] for c in result}:
            errors.append(FieldError(f"choices.{i}", _("Repeated choice."), "unique"))
            continue
        result.append({"value": value, "label": str(label or value).strip()})
    return result


def create_custom_field(*, actor: Actor, data: dict[str, Any]) -> CustomFieldDefinition:
    """Define a typed field for people, companies or deals; refuses a taken key, bad choices,
    or ``identifier`` (duplicate detection compares the field) on a deal field or a type that
    cannot hold a customer's number or code."""
    require(actor, "settings.manage")
    errors: list[FieldError] = []
    object_type = data.get("object_type")
    if object_type not in CustomObject.values:
        errors.append(choice_error("object_type", object_type, CustomObject.values))
    label = collect(
        errors, validators.clean_name, data.get("label"), "label", required=True, max_length=100
    )
    key = slugify(str(data.get("key") or label or "")).replace("-", "_")[:50]
    if not key:
        if label or data.get("key"):
            errors.append(FieldError("key", _("Use letters or digits in the key."), "invalid"))
    elif not key[0].isalpha():
        errors.append(FieldError("key", _("The key must start with a letter."), "invalid"))
    elif (
        CustomFieldDefinition.objects.for_workspace(actor.workspace)
        .filter(object_type=object_type, key=key)
        .exists()
    ):
        errors.append(FieldError("key", _("A field with this key exists."), "unique"))
    field_type = data.get("field_type")
    if field_type not in FieldType.values:
        errors.append(choice_error("field_type", field_type, FieldType.values))
    choices: list[dict[str, str]] = []
    if field_type in {FieldType.CHOICE, FieldType.MULTI_CHOICE}:
        choices = _clean_choices(data.get("choices"), errors)
    identifier = bool(data.get("identifier"))
    if identifier and object_type in CustomObject.values and field_type in FieldType.values:
        refused = cf.identifier_error(str(object_type), str(field_type))
        if refused:
            errors.append(refused)
    raise_if_any(errors)
    with transaction.atomic():
        position = (
            CustomFieldDefinition.objects.for_workspace(actor.workspace)
            .filter(object_type=object_type)
            .count()
        )
        definition = CustomFieldDefinition.objects.create(
            workspace=actor.workspace,
            created_by=actor.user,
            object_type=object_type,
            key=key,
            label=label,
            field_type=field_type,
            required=bool(data.get("required")),
            unique=bool(data.get("unique")),
            identifier=identifier,
            choices=choices,
            help_text=str(data.get("help_text") or "")[:200],
            position=position,
        )
        audit.record(actor, "custom_field.created", definition)
        events.emit(
            "custom_field.created",
            actor=actor,
            subject=definition,
            payload={"object_type": object_type, "key": key, "field_type": field_type},
        )
    return definition


@dataclass
class DefinitionChange:
    definition: CustomFieldDefinition
    nonconforming: int  # stored values that do not fit the (new) type; kept as they are


def update_custom_field(*, actor: Actor, field_id: int, data: dict[str, Any]) -> DefinitionChange:
    """Relabel, retype, re-choice, reorder, archive or restore a custom field, or mark it as an
    identifier (refused as on creation).

    Stored values are never rewritten or dropped: a value that no longer fits (a removed choice,
    a new type) stays stored and is counted in ``nonconforming``; it must be fixed only when the
    field is next edited on that record.
    """
    require(actor, "settings.manage")
    with transaction.atomic():
        definition = get_for_update(CustomFieldDefinition, actor, field_id, _("custom field"))
        before = {
            k: getattr(definition, k)
            for k in (
                "label",
                "field_type",
                "required",
                "unique",
                "identifier",
                "choices",
                "help_text",
                "position",
                "archived_at",
            )
        }
        errors: list[FieldError] = []
        if "label" in data:
            definition.label = (
                collect(
                    errors,
                    validators.clean_name,
                    data["label"],
                    "label",
                    required=True,
                    max_length=100,
                )
                or definition.label
            )
        if "field_type" in data and data["field_type"] is not None:
            if data["field_type"] not in FieldType.values:
                errors.append(choice_error("field_type", data["field_type"], FieldType.values))
            else:
                definition.field_type = data["field_type"]
        for flag in ("required", "unique", "identifier"):
            if flag in data and data[flag] is not None:
                setattr(definition, flag, bool(data[flag]))
        if definition.identifier:
            refused = cf.identifier_error(definition.object_type, definition.field_type)
            if refused:
                errors.append(refused)
        if "help_text" in data:
            definition.help_text = str(data["help_text"] or "")[:200]
        if "position" in data and data["position"] is not None:
            definition.position = int(data["position"])
        if "archived" in data and data["archived"] is not None:
            definition.archived_at = timezone.now() if data["archived"] else None
        choice_type = definition.field_type in {FieldType.CHOICE, FieldType.MULTI_CHOICE}
        if choice_type and ("choices" in data or not definition.choices):
            definition.choices = _clean_choices(data.get("choices"), errors)
        raise_if_any(errors)
        definition.save()
        after = {k: getattr(definition, k) for k in before}
        changes = audit.diff(before, after)
        audit.record(actor, "custom_field.updated", definition, changes=changes)
        events.emit(
            "custom_field.updated",
            actor=actor,
            subject=definition,
            payload={"changed": sorted(changes)},
        )
    return DefinitionChange(definition, count_nonconforming(actor, definition))


def count_nonconforming(actor: Actor, definition: CustomFieldDefinition) -> int:
    """How many stored values of ``definition`` do not pass its current validation."""
    model = custom_field_targets.model_of(definition.object_type)
    key = definition.key
    bad = 0
    rows = (
        model.objects.for_workspace(actor.workspace)
        .filter(**{"custom_fields__has_key": key})
        .values_list("custom_fields", flat=True)
    )
    for values in rows.iterator(chunk_size=2000):
        try:
            cf.clean_value(definition, values.get(key))
        except ValidationFailed:
            bad += 1
    return bad
