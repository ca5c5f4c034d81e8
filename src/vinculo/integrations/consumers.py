"""The outbox consumer that queues webhook deliveries (sending happens in tasks)."""

from __future__ import annotations

from vinculo.core.events import consumer
from vinculo.core.models import DomainEvent
from vinculo.integrations import catalog, delivery
from vinculo.integrations.models import WebhookSubscription


def workspace_listens(workspace_id: int, event_name: str) -> bool:
    """Asked when an event is emitted: does an active subscription of this workspace want it?
    Workspaces without webhooks thus add no outbox row for this consumer."""
    if event_name.startswith(catalog.HIDDEN_PREFIXES):
        return False
    patterns = WebhookSubscription.objects.filter(
        workspace_id=workspace_id, is_active=True
    ).values_list("event_types", flat=True)
    return any(catalog.matches(p, event_name) for p in patterns)


@consumer("webhooks", events=["*"], wants=workspace_listens, batch=True)
def queue_webhooks(events: list[DomainEvent]) -> None:
    """One delivery per event and active subscription that wants it, in the outbox's
    transaction, so a retried consumer never queues an event twice. A batch consumer: the
    deliveries of a whole batch of events are inserted in bulk and one drain is queued per
    subscription."""
    delivery.queue_events(events)
