"""Deals won on days counted from today (the workspace's, in UTC), and goals over them: the
goal tests' hand-computed fixtures say their arithmetic beside them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from vinculo.core.filters.context import workspace_today
from vinculo.sales import services as sales
from vinculo.sales.models import Deal


def utc_workspace(persona) -> date:
    """The workspace in UTC; its today."""
    persona.actor.workspace.timezone = "UTC"
    persona.actor.workspace.save(update_fields=["timezone"])
    return workspace_today(persona.actor)


def won(actor, day: date, *, title: str = "Deal", amount: str = "100", owner=None,
        created: date | None = None) -> Deal:  # fmt: skip
    """A deal won at noon (UTC) on ``day``, created on ``created`` (default: the same day)."""
    data = {"title": title, "amount": amount}
    if owner is not None:
        data["owner_id"] = owner.pk
    deal = sales.create_deal(actor=actor, data=data)
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    opened = datetime.combine(created or day, time(12), tzinfo=UTC)
    Deal.objects.filter(pk=deal.pk).update(status="won", closed_at=noon, created_at=opened)
    return deal


def days(start: date, *offsets: int) -> list[date]:
    return [start + timedelta(days=n) for n in offsets]


def d(text: str) -> Decimal:
    return Decimal(text)
