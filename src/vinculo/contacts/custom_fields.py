"""Custom field values: validated on entry against the workspace's definitions.

Used by the services of every object that has custom fields (people, companies, deals). Values are
stored in the record's ``custom_fields`` JSON under the definition's key, in a canonical form:
text as str, numbers and money as decimal strings (``"1234.50"``), dates and date-times as ISO
strings, booleans as JSON booleans, choices as the choice's value (a list for multi-choice).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from vinculo.contacts.models import CustomFieldDefinition, CustomObject, FieldType
from vinculo.core import validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, ValidationFailed

PREFIX = "custom_fields"
# The fields an owner may mark as identifiers (duplicate detection compares and blocks on them):
# of people and companies, of a type a customer's number or code is written in.
IDENTIFIER_OBJECTS = frozenset({CustomObject.PERSON, CustomObject.COMPANY})
IDENTIFIER_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.NUMBER,
        FieldType.DATE,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.CHOICE,
    }
)


def definitions(
    actor: Actor, object_type: str, *, include_archived: bool = False
) -> dict[str, CustomFieldDefinition]:
    """The workspace's custom fields of ``object_type`` by key."""
    qs = CustomFieldDefinition.objects.for_workspace(actor.workspace).filter(
        object_type=object_type
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return {d.key: d for d in qs}


def identifier_error(object_type: str, field_type: str) -> FieldError | None:
    """Why a field of ``object_type`` and ``field_type`` cannot be an identifier (None when it
    can): deals are not matched, and only types that hold a number or code can identify."""
    if object_type not in IDENTIFIER_OBJECTS:
        return FieldError(
            "identifier",
            _("Only fields of people and companies can be identifiers."),
            "not_allowed",
        )
    if field_type not in IDENTIFIER_TYPES:
        return FieldError(
            "identifier",
            _("Only text, number, date, email, phone and choice fields can be identifiers."),
            "invalid_type",
        )
    return None


def choice_values(definition: CustomFieldDefinition) -> list[str]:
    return [str(c["value"]) if isinstance(c, dict) else str(c) for c in definition.choices]


def clean_value(definition: CustomFieldDefinition, value: Any, *, region: str = "BR") -> Any:
    """The canonical stored form of ``value`` for ``definition`` (None clears the field)."""
    field = f"{PREFIX}.{definition.key}"
    if value is None or value == "" or value == []:
        return None
    kind = definition.field_type
    if kind in {FieldType.TEXT, FieldType.LONG_TEXT}:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValidationFailed.field(field, _("Enter text."), "invalid_type")
        if kind == FieldType.TEXT:
            return validators.clean_name(value, field, max_length=255)
        return validators.clean_long_text(str(value), field)  # never cut silently
    if kind in {FieldType.NUMBER, FieldType.MONEY}:
        places = 2 if kind == FieldType.MONEY else 6
        number = validators.clean_decimal(value, field, places=places, max_digits=18)
        return (
            None
            if number is None
            else str(number.normalize() if kind == FieldType.NUMBER else number)
        )
    if kind == FieldType.DATE:
        day = validators.clean_date(value, field)
        return day.isoformat() if day else None
    if kind == FieldType.DATETIME:
        moment = validators.clean_datetime(value, field)
        return moment.isoformat() if moment else None
    if kind == FieldType.BOOLEAN:
        return validators.clean_bool(value, field)
    if kind == FieldType.EMAIL:
        return validators.clean_email(value, field) or None
    if kind == FieldType.PHONE:
        return validators.clean_phone(value, field, region=region) or None
    if kind == FieldType.URL:
        return validators.clean_url(value, field) or None
    allowed = choice_values(definition)
    if kind == FieldType.CHOICE:
        if str(value) not in allowed:
            raise ValidationFailed.field(
                field,
                _("%(value)r is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(allowed)},
                "invalid_choice",
            )
        return str(value)
    if kind == FieldType.MULTI_CHOICE:
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if str(v) not in allowed]
        if bad:
            raise ValidationFailed.field(
                field,
                _("%(value)r is not one of: %(choices)s.")
                % {"value": bad[0], "choices": ", ".join(allowed)},
                "invalid_choice",
            )
        return sorted({str(v) for v in values}, key=allowed.index)
    raise ValidationFailed.field(field, _("Unsupported field type."), "invalid_type")


def clean_custom_fields(
    actor: Actor,
    object_type: str,
    values: dict[str, Any] | None,
    *,
    current: dict[str, Any] | None = None,
    model: type[Model] | None = None,
    instance_pk: Any = None,
    defs: dict[str, CustomFieldDefinition] | None = None,
) -> tuple[dict[str, Any], list[FieldError]]:
    """Merge ``values`` into ``current`` (a patch: ``None`` clears a key) and validate.

    Returns the new JSON and the list of field errors (unknown keys, wrong types, missing required
    fields, duplicates of a unique field when ``model`` is given). Values stored under keys the
    workspace archived are kept untouched.
    """
    defs = definitions(actor, object_type) if defs is None else defs
    result = dict(current or {})
    errors: list[FieldError] = []
    region = getattr(actor.workspace, "country", "") or "BR"
    if values is not None and not isinstance(values, dict):
        return result, [
            FieldError(PREFIX, _("Send an object of field keys to values."), "invalid_type")
        ]
    for key, raw in (values or {}).items():
        definition = defs.get(key)
        if definition is None:
            errors.append(
                FieldError(
                    f"{PREFIX}.{key}",
                    _("Unknown custom field %(key)r for %(object)s.")
                    % {"key": key, "object": object_type},
                    "unknown_field",
                )
            )
            continue
        try:
            cleaned = clean_value(definition, raw, region=region)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
            continue
        if cleaned is None:
            result.pop(key, None)
        else:
            result[key] = cleaned
    for key, definition in defs.items():
        if definition.required and result.get(key) in (None, "", []):
            errors.append(FieldError(f"{PREFIX}.{key}", _("This field is required."), "required"))
        if definition.unique and model is not None and key in (values or {}) and key in result:
            clash = model._default_manager.filter(
                workspace=actor.workspace, **{f"{PREFIX}__{key}": result[key]}
            )
            if hasattr(model, "deleted_at"):
                clash = clash.filter(deleted_at__isnull=True)
            if instance_pk is not None:
                clash = clash.exclude(pk=instance_pk)
            if clash.exists():
                errors.append(
                    FieldError(f"{PREFIX}.{key}", _("Another record has this value."), "unique")
                )
    return result, errors
