"""The audit log: every service records who changed what, from where."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from vinculo.core.actor import Actor
from vinculo.core.models import AuditEntry


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str | None = None,
    object_id: str | int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry in the caller's transaction.

    ``changes`` maps a field to ``[old, new]``; values must be JSON-serialisable.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    user = actor.user
    return AuditEntry.objects.create(
        workspace=actor.workspace,
        actor=user,
        actor_label=user.email if user is not None else f"system:{actor.source}",
        action=action,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        object_repr=str(obj)[:200] if obj is not None else "",
        # Dates, decimals and UUIDs become their JSON text, so callers can pass model values.
        changes=json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder)),
        source=actor.source,
        ip_address=actor.ip,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as ``{field: [old, new]}``."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
