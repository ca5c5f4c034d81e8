"""The sales cycle to the microsecond (the database subtracts the two moments: on SQLite from
their stored text) and the median per weekly bucket, a deal won exactly at an edge counting in
the bucket it opens. March 2026 in São Paulo (UTC-3), weeks 1/3, 2-8, 9-15, 16-22, 23-29,
30-31."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from vinculo.core.kpis import Grain, Scope, measure
from vinculo.sales import services as sales
from vinculo.sales.models import Deal

SP = ZoneInfo("America/Sao_Paulo")


def _won(actor, title, created, closed, status="won"):
    deal = sales.create_deal(actor=actor, data={"title": title, "amount": "100"})
    Deal.objects.filter(pk=deal.pk).update(
        status=status,
        created_at=datetime.fromisoformat(created).replace(tzinfo=SP),
        closed_at=datetime.fromisoformat(closed).replace(tzinfo=SP),
    )


@pytest.fixture(autouse=True)
def sao_paulo(ana):
    ana.actor.workspace.timezone = "America/Sao_Paulo"
    ana.actor.workspace.save(update_fields=["timezone"])


def test_the_cycle_to_the_microsecond_and_its_median_per_week(ana, carla):
    a = ana.actor
    _won(a, "A", "2026-03-02T10:00:00.250000", "2026-03-03T10:00:00")  # 86,399.75 s
    _won(a, "B", "2026-03-02T10:00:00", "2026-03-04T10:00:00.500000")  # 172,800.5 s
    # Won at 9/3 00:00 exactly: the week of 9-15. 7 days 15:59:59.000001 = 662,399.000001 s.
    _won(a, "C", "2026-03-01T08:00:00.999999", "2026-03-09T00:00:00")
    # 11 days 11:59:59.999999 = 993,599.999999 s, won in the last instant of the period.
    _won(a, "E", "2026-03-20T12:00:00", "2026-03-31T23:59:59.999999")
    _won(a, "D", "2026-02-10T09:00:00", "2026-02-20T09:00:00")  # previous period: 10 days
    _won(a, "L", "2026-03-02T10:00:00", "2026-03-10T10:00:00", status="lost")  # not won
    _won(carla.actor, "Z", "2026-03-02T10:00:00", "2026-03-03T10:00:00")  # another workspace
    found = measure(
        "sales_cycle",
        Scope(actor=a),
        start=date(2026, 3, 1),
        end=date(2026, 3, 31),
        grain=Grain.WEEK,
    )
    assert [p.value for p in found.series] == [
        None, (86_399.75 + 172_800.5) / 2, 662_399.000001, None, None, 993_599.999999,
    ]  # fmt: skip
    # The median of A, B, C, E: the mean of B and C.
    assert found.value == (172_800.5 + 662_399.000001) / 2
    assert found.previous == 864_000.0
