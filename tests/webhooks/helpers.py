"""Shared steps of the webhook tests."""

from __future__ import annotations

import hashlib
import hmac

from vinculo.core import events
from vinculo.integrations import delivery, services
from vinculo.integrations.models import WebhookSubscription


def subscribe(persona, url: str, event_types=("person.*",), **extra) -> services.WithSecret:
    data = {"name": "ERP", "url": url, "event_types": list(event_types), **extra}
    return services.create_subscription(actor=persona.actor, data=data)


def run_outbox() -> None:
    """Run the domain-event consumers (the webhook one queues deliveries)."""
    events.dispatch_due()


def drain(sub: WebhookSubscription, now=None) -> int:
    return delivery.drain(sub.pk, now=now, concurrency=1)


def verify(secret: str, header: str, body: bytes, now: int, tolerance: int = 300) -> bool:
    """An independent verifier, written as a receiver would from docs/webhooks.md."""
    items = [part.split("=", 1) for part in header.split(",")]
    timestamp = int(next(v for k, v in items if k == "t"))
    if abs(now - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return any(hmac.compare_digest(expected, v) for k, v in items if k == "v1")
