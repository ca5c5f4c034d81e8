"""Reads of the audit log and the outbox, scoped to the actor's workspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.models import AuditEntry, EventDelivery, SavedView
from vinculo.core.permissions import require


def _require(actor: Actor, permission: str) -> None:
    require(actor, permission)


def audit_entries(
    actor: Actor,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    source: str | None = None,
) -> QuerySet[AuditEntry]:
    """The workspace's audit log, newest first, optionally filtered."""
    _require(actor, "audit.view")
    entries = AuditEntry.objects.for_workspace(actor.workspace)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if source:
        entries = entries.filter(source=source)
    return entries


def event_deliveries(actor: Actor, *, status: str | None = None) -> QuerySet[EventDelivery]:
    """Deliveries of the workspace's domain events (e.g. the failed ones to retry)."""
    _require(actor, "outbox.manage")
    deliveries = EventDelivery.objects.for_workspace(actor.workspace).select_related("event")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def get_event_delivery(actor: Actor, delivery_id: int) -> EventDelivery:
    delivery = event_deliveries(actor).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(f"No event delivery with id {delivery_id}.")
    return delivery


def views(actor: Actor, object_type: str | None = None) -> QuerySet[SavedView]:
    """The table views the actor may use: their own and the workspace's shared ones (another
    member's personal views never), by name."""
    _require(actor, "records.view")
    qs = SavedView.objects.for_workspace(actor.workspace).filter(
        Q(shared=True) | Q(owner_id=actor.user.pk if actor.user else None)
    )
    if object_type:
        qs = qs.filter(object_type=object_type)
    return qs.select_related("owner").order_by("name", "pk")


def get_view(actor: Actor, view_id: int) -> SavedView:
    """One view the actor may use; another member's personal view or another workspace's view
    is NotFound."""
    view = views(actor).filter(pk=view_id).first()
    if view is None:
        raise NotFound(_("No saved view with id %(id)s.") % {"id": view_id})
    return view
