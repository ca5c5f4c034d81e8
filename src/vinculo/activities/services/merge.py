"""Merge support (quality): activities moved from one person or company to another."""

from __future__ import annotations

from vinculo.activities.models import Activity
from vinculo.activities.services.first_touch import refresh_first_touch
from vinculo.core.actor import Actor
from vinculo.core.bulk import move_links


def reassign_activities(
    *, actor: Actor, kind: str, from_id: int, to_id: int, ids: list[int] | None = None
) -> list[int]:
    """Move the activities and tasks of person/company ``from_id`` to ``to_id`` (a merge, or its
    undo with ``ids``: exactly those that moved) and return the ids moved. The caller holds the
    transaction and has checked permissions; only this workspace's rows are touched. Between
    people, both people's first touch is worked out again from the activities they now have."""
    moved = move_links(Activity, actor.workspace.pk, kind, from_id, to_id, ids)
    if kind == "person":
        refresh_first_touch(actor.workspace, [from_id, to_id])
    return moved
