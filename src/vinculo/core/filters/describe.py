"""What a filter editor shows: the fields, operators and choices a filter over an object type may
use."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.filters.context import CompileContext, workspace_tz
from vinculo.core.filters.language import OPERATORS
from vinculo.core.filters.registry import filter_object, object_types
from vinculo.core.permissions import require


def describe(object_type: str, *, actor: Actor) -> list[dict[str, Any]]:
    """The fields a filter over ``object_type`` may use, for a filter editor: name, label, type,
    operators, choices (lifecycle stages, members, pipeline stages…) and, for relations, the
    related object type. Includes the actor's workspace's custom fields (not archived ones).
    Refuses unknown object types (404) and roles without ``records.view``."""
    require(actor, "records.view")
    try:
        obj = filter_object(object_type)
    except LookupError:
        raise NotFound(
            _("There is no filter for %(object)r; use one of: %(known)s.")
            % {"object": object_type, "known": ", ".join(object_types())}
        ) from None
    tz = workspace_tz(actor)
    ctx = CompileContext(actor=actor, tz=tz, today=timezone.now().astimezone(tz).date())
    custom = [f for f in ctx.custom_fields(obj).values() if not f.archived]
    described: list[dict[str, Any]] = []
    for f in (*obj.fields, *custom):
        entry: dict[str, Any] = {
            "field": f.name,
            "label": str(f.label or f.name),
            "type": f.type,
            "operators": list(OPERATORS[f.type]),
            "custom": f.is_custom,
            "choices": None,
            "object_type": None,
        }
        if f.type in {"choice", "multi_choice", "user"}:
            entry["choices"] = [
                {"value": value, "label": str(label)} for value, label in ctx.choices_of(obj, f)
            ]
        described.append(entry)
    for rel in obj.relations:
        described.append(
            {
                "field": rel.name,
                "label": str(rel.label or rel.name),
                "type": "relation",
                "operators": list(OPERATORS["relation"]),
                "custom": False,
                "choices": None,
                "object_type": rel.object_type,
            }
        )
    return described
