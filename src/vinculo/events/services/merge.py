"""Merge support (quality): a person's tracked behaviour moved to another person: events and
their purchases, external ids and visitor links, with the purchase roll-up kept."""

from __future__ import annotations

from vinculo.core.actor import Actor
from vinculo.core.bulk import move_links
from vinculo.events.models import PersonIdentity, Purchase, TrackedEvent, VisitorLink
from vinculo.events.services.rollup import moments_of, refresh_hours


def reassign_events(
    *, actor: Actor, kind: str, from_id: int, to_id: int, ids: dict[str, list[int]] | None = None
) -> dict[str, list[int]]:
    """Move the events (with their purchases), external ids and visitor links of person
    ``from_id`` to ``to_id`` (a merge, or its undo with ``ids``: exactly what moved, by kind)
    and return the ids moved by kind (registered as a merge mover, :mod:`vinculo.core.movers`;
    nothing for a company). The caller holds the transaction and has checked
    permissions; only this workspace's rows are touched."""
    if kind != "person":  # companies have no tracked behaviour
        return {}
    ws = actor.workspace.pk
    wanted = ids.get("events") if ids else None
    moved_events = move_links(TrackedEvent, ws, "person", from_id, to_id, wanted)
    purchases = Purchase.objects.filter(workspace_id=ws, event_id__in=moved_events)
    moments = moments_of(purchases)
    purchases.update(person_id=to_id)
    refresh_hours(ws, moments)
    return {
        "events": moved_events,
        "identities": move_links(
            PersonIdentity, ws, "person", from_id, to_id, ids.get("identities") if ids else None
        ),
        "visitors": move_links(
            VisitorLink, ws, "person", from_id, to_id, ids.get("visitors") if ids else None
        ),
    }
