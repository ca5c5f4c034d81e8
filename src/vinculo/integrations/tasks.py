"""Background tasks of outbound webhooks, and the sweep schedule."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import jobs, schedule
from vinculo.integrations import delivery


@task()
def drain_webhooks(subscription_id: int) -> int:
    """Send every due delivery of one subscription (idempotent: claims are leased)."""
    return delivery.drain(subscription_id)


@task()
def sweep_webhooks() -> int:
    """Queue drains for subscriptions with due deliveries: retries and anything missed."""
    return delivery.sweep()


jobs.register(delivery.DRAIN_JOB, drain_webhooks)
schedule.register("webhooks.sweep", interval=timedelta(minutes=1), task=sweep_webhooks)
