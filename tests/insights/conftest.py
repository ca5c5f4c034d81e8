"""March 2026 in São Paulo, as tests/sales/test_kpis.py computes it by hand: Ana's workspace
wins A (3/3), B (3/10, Bruno's), D (3/15, in dollars) and E (3/31 23:30), loses C (3/20);
February's G is the previous period; H is binned; Carla's workspace wins Z (50,000) in March."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from vinculo.sales import services as sales
from vinculo.sales.models import Deal

SP = ZoneInfo("America/Sao_Paulo")
MARCH = "period=custom&from=2026-03-01&to=2026-03-31"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def deal(actor, title, amount, *, status, created, closed=None, currency="BRL", **extra):
    made = sales.create_deal(actor=actor, data={"title": title, "amount": amount, **extra})
    Deal.objects.filter(pk=made.pk).update(
        status=status,
        created_at=at(created),
        closed_at=at(closed) if closed else None,
        currency=currency,
    )
    return made


def seed_march(ana, bruno, carla) -> None:
    for persona in (ana, carla):
        persona.workspace.timezone = "America/Sao_Paulo"
        persona.workspace.save(update_fields=["timezone"])
    a = ana.actor
    deal(a, "A", "1000", status="won", created="2026-02-10T12:00", closed="2026-03-03T10:00")
    deal(a, "B", "3000", status="won", created="2026-03-01T09:00", closed="2026-03-10T09:00",
         owner_id=bruno.user.pk)  # fmt: skip
    deal(a, "C", "500", status="lost", created="2026-03-02T09:00", closed="2026-03-20T09:00")
    deal(a, "D", "700", status="won", created="2026-03-05T00:00", closed="2026-03-15T00:00",
         currency="USD")  # fmt: skip
    deal(a, "E", "2000", status="won", created="2026-03-30T23:30", closed="2026-03-31T23:30")
    deal(a, "F", "4000", status="won", created="2026-03-25T10:00", closed="2026-04-01T00:30")
    deal(a, "G", "100", status="won", created="2026-02-01T10:00", closed="2026-02-20T10:00")
    binned = deal(a, "H", "9999", status="won", created="2026-03-01T10:00",
                  closed="2026-03-12T10:00")  # fmt: skip
    sales.delete_deal(actor=a, deal_id=binned.pk)
    deal(a, "I", "10000", status="open", created="2026-03-05T10:00")
    deal(carla.actor, "Z", "50000", status="won", created="2026-03-01T10:00",
         closed="2026-03-05T10:00")  # fmt: skip


@pytest.fixture
def march(ana, bruno, carla):
    seed_march(ana, bruno, carla)
