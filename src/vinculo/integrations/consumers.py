"""The outbox consumer that queues webhook deliveries (sending happens in tasks)."""

from __future__ import annotations

import json

from django.db import connection

from vinculo.core.events import consumer
from vinculo.core.models import DomainEvent
from vinculo.integrations import catalog, delivery
from vinculo.integrations.models import WebhookSubscription


def workspace_listens(workspace_id: int, event_name: str) -> bool:
    """Asked when an event is emitted: does an active subscription of this workspace want it?
    Workspaces without webhooks thus add no outbox row for this consumer."""
    if event_name.startswith(catalog.HIDDEN_PREFIXES):
        return False
    # Asked on every emit: one plain query (the ORM's compilation cost more than running it).
    meta = WebhookSubscription._meta
    quote = connection.ops.quote_name
    column = str(meta.get_field("event_types").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote(column)} "  # noqa: S608 (model names)
            f"FROM {quote(meta.db_table)} WHERE workspace_id = %s AND is_active",
            [workspace_id],
        )
        rows = cursor.fetchall()
    return any(
        catalog.matches(json.loads(types) if isinstance(types, str) else types, event_name)
        for (types,) in rows
    )


@consumer("webhooks", events=["*"], wants=workspace_listens, batch=True)
def queue_webhooks(events: list[DomainEvent]) -> None:
    """One delivery per event and active subscription that wants it, in the outbox's
    transaction, so a retried consumer never queues an event twice. A batch consumer: the
    deliveries of a whole batch of events are inserted in bulk and one drain is queued per
    subscription."""
    delivery.queue_events(events)
