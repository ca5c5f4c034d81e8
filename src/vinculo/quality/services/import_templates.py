"""Imports, templates: a column mapping and options saved under a name, offered for later files
of the same kind of record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import audit, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, NotFound, ValidationFailed
from vinculo.core.permissions import require
from vinculo.core.text import name_taken
from vinculo.quality.models import ImportObject, ImportTemplate
from vinculo.quality.services.import_files import _check_object_type, clean_options, field_choices


def get_template(actor: Actor, template_id: int) -> ImportTemplate:
    """The workspace's import template ``template_id``; refuses another workspace's (404)."""
    template = ImportTemplate.objects.for_workspace(actor.workspace).filter(pk=template_id).first()
    if template is None:
        raise NotFound(
            _("No import template with id %(id)s in this workspace.") % {"id": template_id}
        )
    return template


def _clean_template(actor: Actor, data: dict[str, Any], instance: ImportTemplate | None) -> dict:
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    if instance is None or "name" in data:
        try:
            out["name"] = validators.clean_name(
                data.get("name"), "name", required=True, max_length=80
            )
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    object_type = data.get("object_type", instance.object_type if instance else None)
    if instance is None or "object_type" in data:
        try:
            _check_object_type(object_type)
            out["object_type"] = object_type
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if "mapping" in data:
        mapping = data["mapping"]
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
        ):
            errors.append(FieldError("mapping", _("Send an object of column → field.")))
        elif object_type in ImportObject.values:
            allowed = {n for n, _label in field_choices(actor, object_type)}
            for header, target in mapping.items():
                if target and target not in allowed:
                    errors.append(
                        FieldError(
                            f"mapping.{header}",
                            _("Unknown field %(field)r.") % {"field": target},
                            "unknown_field",
                        )
                    )
            out["mapping"] = mapping
    if "options" in data and object_type in ImportObject.values:
        try:
            out["options"] = clean_options(object_type, data["options"])
        except ValidationFailed as exc:
            errors.extend(exc.errors)
    if errors:
        raise ValidationFailed(_("The template has problems."), errors=errors)
    name = out.get("name", instance.name if instance else "")
    kind = out.get("object_type", object_type)
    clash = ImportTemplate.objects.for_workspace(actor.workspace).filter(object_type=kind)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if name_taken(clash, name):
        raise ValidationFailed.field(
            "name", _("A template with this name already exists."), "unique"
        )
    return out


def create_template(*, actor: Actor, data: dict[str, Any]) -> ImportTemplate:
    """Save a mapping (header → field) and options under a name for later files.

    Refuses: no ``data.import`` permission, a missing or taken name, unknown fields.
    """
    require(actor, "data.import")
    with transaction.atomic():
        fields = _clean_template(actor, data, None)
        template = ImportTemplate.objects.create(
            workspace=actor.workspace, created_by=actor.user, **fields
        )
        audit.record(actor, "import_template.created", template)
    return template


def update_template(*, actor: Actor, template_id: int, data: dict[str, Any]) -> ImportTemplate:
    """Rename a template or change its mapping/options (same checks as creating one)."""
    require(actor, "data.import")
    with transaction.atomic():
        template = get_template(actor, template_id)
        fields = _clean_template(actor, data, template)
        for name, value in fields.items():
            setattr(template, name, value)
        template.save()
        audit.record(actor, "import_template.updated", template, changes={"fields": list(fields)})
    return template


def delete_template(*, actor: Actor, template_id: int) -> None:
    """Delete a template; imports that used it keep their own copy of the mapping."""
    require(actor, "data.import")
    with transaction.atomic():
        template = get_template(actor, template_id)
        audit.record(actor, "import_template.deleted", template)
        template.delete()
