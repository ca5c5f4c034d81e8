"""Renaming, recolouring and deleting tags (tags are made by name when a record is tagged)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.contacts.models import Tag
from vinculo.contacts.services._common import get_for_update
from vinculo.contacts.tags import tag_name_taken
from vinculo.core import audit, validators
from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, collect, raise_if_any
from vinculo.core.permissions import require


def update_tag(*, actor: Actor, tag_id: int, data: dict[str, Any]) -> Tag:
    """Rename or recolour a tag (names stay unique, case-insensitively)."""
    require(actor, "records.write")
    with transaction.atomic():
        tag = get_for_update(Tag, actor, tag_id, _("tag"))
        errors: list[FieldError] = []
        before = {"name": tag.name, "color": tag.color}
        if "name" in data:
            name = collect(
                errors, validators.clean_name, data["name"], "name", required=True, max_length=50
            )
            if name and tag_name_taken(actor.workspace, name, exclude_pk=tag.pk):
                errors.append(FieldError("name", _("A tag with this name exists."), "unique"))
            tag.name = name or tag.name
        if "color" in data:
            color = str(data["color"] or "")
            if len(color) != 7 or not color.startswith("#"):
                errors.append(FieldError("color", _("Use a colour like #1e88e5."), "invalid"))
            tag.color = color
        raise_if_any(errors)
        tag.save()
        audit.record(
            actor,
            "tag.updated",
            tag,
            changes=audit.diff(before, {"name": tag.name, "color": tag.color}),
        )
    return tag


def delete_tag(*, actor: Actor, tag_id: int) -> None:
    """Remove a tag from every record and delete it."""
    require(actor, "records.delete")
    with transaction.atomic():
        tag = get_for_update(Tag, actor, tag_id, _("tag"))
        audit.record(actor, "tag.deleted", tag)
        tag.delete()
