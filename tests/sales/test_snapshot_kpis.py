"""The snapshot KPIs (pipeline value, weighted pipeline) as the database measures them: the deals
open at each edge of the buckets, hand-computed. Weekly buckets of March 2026 in São Paulo
(UTC-3): 1/3 (a Sunday), 2-8, 9-15, 16-22, 23-29, 30-31, so the series is the value at 00:00 of
2/3, 9/3, 16/3, 23/3, 30/3 and 1/4; the previous period (29/1..28/2) ends at 1/3 00:00. A deal
is open at a moment when created before it and not closed by it (closed exactly then: still
open)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DecimalField, ExpressionWrapper, F, Value

from vinculo.core.kpis import Aggregate, Direction, Grain, Kpi, Scope, Unit, measure, registry
from vinculo.sales import services as sales
from vinculo.sales.models import Deal, Stage

SP = ZoneInfo("America/Sao_Paulo")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31), "grain": Grain.WEEK}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def _deal(actor, title, amount, *, created, closed=None, currency="BRL", status=None, **extra):
    deal = sales.create_deal(actor=actor, data={"title": title, "amount": amount, **extra})
    Deal.objects.filter(pk=deal.pk).update(
        status=status or ("won" if closed else "open"),
        created_at=at(created),
        closed_at=at(closed) if closed else None,
        currency=currency,
    )
    return deal


@pytest.fixture(autouse=True)
def sao_paulo(ana):
    ana.actor.workspace.timezone = "America/Sao_Paulo"
    ana.actor.workspace.save(update_fields=["timezone"])


@pytest.fixture
def deals(ana, bruno, carla):
    a = ana.actor
    p = _deal(a, "P", "1000.10", created="2026-02-20T10:00")  # open throughout
    _deal(a, "Q", "200.05", created="2026-02-25T09:00", closed="2026-03-09T00:00", status="lost")
    _deal(a, "R", "3000", created="2026-03-03T12:00", closed="2026-03-20T15:00")
    _deal(a, "S", "50.33", created="2026-03-10T09:00", closed="2026-03-12T09:00")  # in a week
    _deal(a, "T", "700", created="2026-03-05T09:00", currency="USD")
    binned = _deal(a, "U", "9999", created="2026-03-01T10:00")
    sales.delete_deal(actor=a, deal_id=binned.pk)
    _deal(a, "V", "400", created="2026-01-10T09:00", closed="2026-02-10T09:00")  # before
    # Created at 23:30 on the last day (2:30 on 1/4 in UTC): open at the end.
    _deal(a, "W", "123.45", created="2026-03-31T23:30", owner_id=bruno.user.pk)
    _deal(a, "X", "80", created="2026-04-01T00:00")  # created exactly at the end: not yet
    _deal(a, "Y", "60", created="2026-03-05T09:00", closed="2026-03-04T09:00")  # closed before
    _deal(carla.actor, "Z", "50000", created="2026-02-01T10:00")
    # Every deal of Ana's is in the first stage: 35 % weighs 1,000.10 as 350.035.
    Stage.objects.filter(pk=p.stage_id).update(probability=35)


def _m(ana, key, **kwargs):
    return measure(key, Scope(actor=ana.actor), **{**MARCH, **kwargs})


def test_the_pipeline_at_each_edge(ana, deals):
    found = _m(ana, "pipeline_value")
    # 1/3 and 2/3: P 1,000.10 + Q 200.05. 9/3: Q closed at 00:00, still open then; + R 3,000.
    # 16/3: P + R (S opened and closed within 9-15). 23/3 and 30/3: P (R closed on 20/3).
    # 1/4: P + W 123.45 (X created at 1/4 00:00 exactly). T is in dollars, U binned, V closed
    # before 1/3, Y closed before it was created, Z in Carla's workspace.
    assert found.previous == Decimal("1200.15")
    assert [p.value for p in found.series] == [
        Decimal("1200.15"), Decimal("4200.15"), Decimal("4000.10"), Decimal("1000.10"),
        Decimal("1000.10"), Decimal("1123.55"),
    ]  # fmt: skip
    assert found.value == Decimal("1123.55")


def test_the_weighted_pipeline_keeps_every_cent(ana, deals):
    found = _m(ana, "weighted_pipeline")
    # At 35 %: P 350.035, Q 70.0175, R 1,050, W 43.2075, summed exactly then rounded to the
    # cent (half to even): 1/3 420.0525 → 420.05; 9/3 1,470.0525 → 1,470.05; 16/3 1,400.035
    # → 1,400.04; 23/3 350.035 → 350.04; 1/4 393.2425 → 393.24.
    assert found.previous == Decimal("420.05")
    assert [p.value for p in found.series] == [
        Decimal("420.05"), Decimal("1470.05"), Decimal("1400.04"), Decimal("350.04"),
        Decimal("350.04"), Decimal("393.24"),
    ]  # fmt: skip


def test_another_currency_an_empty_period_and_another_workspace(ana, carla, deals):
    dollars = measure("pipeline_value", Scope(actor=ana.actor, currency="USD"), **MARCH)
    # T, created on 5/3: open from 9/3 on.
    assert dollars.previous == Decimal("0.00")
    assert [p.value for p in dollars.series] == [Decimal("0.00")] + [Decimal("700.00")] * 5
    empty = measure(
        "pipeline_value", Scope(actor=ana.actor), start=date(2025, 1, 1), end=date(2025, 1, 31)
    )
    assert (empty.value, empty.previous) == (Decimal("0.00"), Decimal("0.00"))
    assert {p.value for p in empty.series} == {Decimal("0.00")}
    hers = measure("pipeline_value", Scope(actor=carla.actor), **MARCH)
    assert (hers.value, hers.previous) == (Decimal("50000.00"), Decimal("50000.00"))


def test_by_owner_and_through_the_api(ana, bruno, deals):
    by_owner = _m(ana, "pipeline_value", group_by="owner")
    # Open at 1/4: P (Ana's, 1,000.10) and W (Bruno's, 123.45).
    assert [value for _key, _label, value in by_owner.groups] == [
        Decimal("1000.10"), Decimal("123.45"),
    ]  # fmt: skip
    assert by_owner.groups[1][0] == bruno.user.pk
    body = (
        ana.client()
        .get("/api/v1/kpis/pipeline_value?from=2026-03-01&to=2026-03-31&grain=week")
        .json()
    )
    assert (body["value"], body["previous"]) == ("1123.55", "1200.15")
    assert [p["value"] for p in body["series"]] == [
        "1200.15", "4200.15", "4000.10", "1000.10", "1000.10", "1123.55",
    ]  # fmt: skip


def _big(scope: Scope, factor: str):
    return (
        Deal.objects.for_workspace(scope.workspace)
        .filter(deleted_at__isnull=True)
        .annotate(
            kpi_big=ExpressionWrapper(
                F("amount") * Value(Decimal(factor)),
                output_field=DecimalField(max_digits=18, decimal_places=4),
            )
        )
    )


@pytest.mark.parametrize(
    ("amounts", "factor", "expected"),
    [
        # 11 x 9 x 10^13 = 9.9 x 10^14: as whole 1/10,000ths, 9.9 x 10^18 leaves 64 bits.
        (["9"] * 11, "1E13", Decimal("990000000000000")),
        # 1,000 x 10^13 = 10^16 has 20 digits at four places, beyond the 18 it declares.
        (["1000"], "1E13", Decimal("10000000000000000")),
    ],
)
def test_a_sum_too_large_for_whole_numbers_is_still_exact(ana, monkeypatch, amounts, factor,
                                                           expected):  # fmt: skip
    kpi = Kpi(
        key="test_big_pipeline",
        name="Big",
        unit=Unit.NUMBER,
        good=Direction.UP,
        definition="",
        rows=lambda scope: _big(scope, factor),
        time="created_at",
        until="closed_at",
        value="kpi_big",
        aggregate=Aggregate.SUM,
    )
    monkeypatch.setitem(registry._KPIS, kpi.key, kpi)
    for i, amount in enumerate(amounts):
        _deal(ana.actor, f"B{i}", amount, created="2026-03-03T10:00")
    found = _m(ana, "test_big_pipeline")
    assert (found.value, found.previous) == (expected, 0)
