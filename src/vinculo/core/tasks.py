"""Background tasks of the shared kernel."""

from __future__ import annotations

from django_tasks import task

from vinculo.core import outbox


@task()
def dispatch_event_task(event_id: int) -> int:
    """Deliver one domain event to its consumers (idempotent: safe to run twice)."""
    return outbox.dispatch_event(event_id)


@task()
def dispatch_due_task() -> int:
    """Deliver every due event: retries, missed enqueues, leases of workers that died, bulk
    imports (which enqueue one sweep instead of one task per event)."""
    total = 0
    for _batch in range(1000):
        done = outbox.dispatch_due()
        total += done
        if done == 0:
            break
    return total


@task()
def ping_task(value: str) -> str:
    """A no-op used by ``vinculo check`` and the tests to prove a backend round-trips."""
    return value
