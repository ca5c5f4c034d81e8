"""The sales KPIs against a small hand-computed fixture (the arithmetic in the comments):
periods in the workspace's time zone (São Paulo, UTC-3), a deal closed at 23:30 on the last
day, another at 00:30 on the next, a binned deal, a deal in dollars, the previous period, a
second workspace whose deals never count, cuts by owner and pipeline, a segment."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from tests.api import problem, send
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.sales import services as sales
from vinculo.sales.models import Deal

SP = ZoneInfo("America/Sao_Paulo")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


def _deal(actor, title, amount, *, status, created, closed=None, currency="BRL", **extra):
    deal = sales.create_deal(actor=actor, data={"title": title, "amount": amount, **extra})
    Deal.objects.filter(pk=deal.pk).update(
        status=status,
        created_at=at(created),
        closed_at=at(closed) if closed else None,
        currency=currency,
    )
    return deal


@pytest.fixture
def deals(ana, bruno, carla):
    a = ana.actor
    _deal(a, "A", "1000", status="won", created="2026-02-10T12:00", closed="2026-03-03T10:00")
    _deal(a, "B", "3000", status="won", created="2026-03-01T09:00", closed="2026-03-10T09:00",
          owner_id=bruno.user.pk)  # fmt: skip
    _deal(a, "C", "500", status="lost", created="2026-03-02T09:00", closed="2026-03-20T09:00")
    _deal(a, "D", "700", status="won", created="2026-03-05T00:00", closed="2026-03-15T00:00",
          currency="USD")  # fmt: skip
    _deal(a, "E", "2000", status="won", created="2026-03-30T23:30", closed="2026-03-31T23:30")
    _deal(a, "F", "4000", status="won", created="2026-03-25T10:00", closed="2026-04-01T00:30")
    _deal(a, "G", "100", status="won", created="2026-02-01T10:00", closed="2026-02-20T10:00")
    binned = _deal(a, "H", "9999", status="won", created="2026-03-01T10:00",
                   closed="2026-03-12T10:00")  # fmt: skip
    sales.delete_deal(actor=a, deal_id=binned.pk)
    _deal(a, "I", "10000", status="open", created="2026-03-05T10:00")
    # Carla's workspace: a big win in March that must never show in Ana's numbers.
    _deal(carla.actor, "Z", "50000", status="won", created="2026-03-01T10:00",
          closed="2026-03-05T10:00")  # fmt: skip


@pytest.fixture(autouse=True)
def sao_paulo(ana):
    ana.actor.workspace.timezone = "America/Sao_Paulo"  # the workspace the actor carries
    ana.actor.workspace.save(update_fields=["timezone"])


def _m(ana, key, **kwargs):
    return measure(key, Scope(actor=ana.actor), **{**MARCH, "grain": Grain.MONTH, **kwargs})


def test_counts_money_and_rates_in_march(ana, deals):
    # Won in March (local time): A (3/3), B (3/10), D (3/15, USD), E (3/31 23:30 = 4/1 02:30 UTC).
    # Not: F (4/1 00:30 local), G (February), H (binned), Carla's Z.
    won = _m(ana, "deals_won")
    assert (won.value, won.previous) == (4, 1)  # previous period 29/1..28/2: G
    # BRL only: A 1,000 + B 3,000 + E 2,000 = 6,000 (D is in dollars).
    revenue = _m(ana, "new_revenue")
    assert (revenue.value, revenue.currency) == (Decimal("6000.00"), "BRL")
    assert _m(
        ana,
        "new_revenue",
    ).previous == Decimal("100.00")
    dollars = measure("new_revenue", Scope(actor=ana.actor, currency="USD"), **MARCH)
    assert dollars.value == Decimal("700.00")
    # Closed in March: A, B, D, E won and C lost: 4 / 5.
    assert _m(ana, "win_rate").value == pytest.approx(0.8)
    # 6,000 / 3 BRL deals won.
    assert _m(ana, "average_deal_size").value == Decimal("2000")
    # Cycles of A, B, D, E: 20 d 22 h, 9 d, 10 d, 1 d; median (9 + 10) / 2 = 9.5 days.
    assert _m(ana, "sales_cycle").value == pytest.approx(9.5 * 86400)
    # Created in March: B, C, D, E, F, I (H binned) = 6.
    assert _m(ana, "new_deals").value == 6


def test_pipeline_value_is_what_was_open_at_the_end(ana, deals):
    # Open at 1/4 00:00 local: I (10,000) and F (4,000, closed 30 minutes later); E closed at
    # 23:30, C on 3/20. At the end of February: A (created 2/10, closed 3/3) only: 1,000.
    value = _m(ana, "pipeline_value")
    assert (value.value, value.previous) == (Decimal("14000.00"), Decimal("1000.00"))
    # Weighted by each deal's stage probability now: I in its first stage, F in the won stage.
    stages = {d.title: d.stage.probability for d in Deal.objects.filter(title__in=["I", "F"])}
    weighted = _m(ana, "weighted_pipeline").value
    assert weighted == Decimal(10000 * stages["I"] + 4000 * stages["F"]) / 100


def test_weekly_series_and_edges(ana, deals):
    weeks = _m(ana, "deals_won", grain=Grain.WEEK)
    # 1/3 is a Sunday: weeks 1/3, 2-8/3, 9-15/3, 16-22/3, 23-29/3, 30-31/3.
    assert [(p.start.day, p.end.day) for p in weeks.series] == [
        (1, 1), (2, 8), (9, 15), (16, 22), (23, 29), (30, 31),
    ]  # fmt: skip
    assert [p.value for p in weeks.series] == [0, 1, 2, 0, 0, 1]  # A; B, D; E
    empty = measure("win_rate", Scope(actor=ana.actor), start=date(2025, 1, 1),
                    end=date(2025, 1, 31))  # fmt: skip
    assert (empty.value, empty.previous) == (None, None)  # no closed deal: no rate, not 0
    assert measure("deals_won", Scope(actor=ana.actor), start=date(2025, 1, 1),
                   end=date(2025, 1, 31)).value == 0  # fmt: skip


def test_cut_by_owner_pipeline_and_segment(ana, bruno, deals):
    by_owner = _m(ana, "deals_won", group_by="owner")
    counts = {label: value for _key, label, value in by_owner.groups}
    assert counts[bruno.user.full_name or bruno.user.email] == 1  # B
    assert sum(counts.values()) == 4
    bruno_only = measure("deals_won", Scope(actor=ana.actor, owner_id=bruno.user.pk), **MARCH)
    assert bruno_only.value == 1
    segment = {"field": "title", "op": "in", "value": ["A", "E"]}
    cut = measure("deals_won", Scope(actor=ana.actor, segment=segment), **MARCH,
                  segment_object="deal")  # fmt: skip
    assert cut.value == 2


def test_the_api_lists_and_measures_kpis_in_one_workspace(ana, carla, deals):
    catalogue = ana.client().get("/api/v1/kpis").json()
    won = next(k for k in catalogue["items"] if k["key"] == "deals_won")
    assert won["unit"] == "count" and "owner" in won["dimensions"]
    body = (
        ana.client()
        .get("/api/v1/kpis/new_revenue?from=2026-03-01&to=2026-03-31&grain=week&group_by=owner")
        .json()
    )
    assert (body["value"], body["previous"], body["currency"]) == ("6000.00", "100.00", "BRL")
    assert len(body["series"]) == 6 and body["series"][0]["start"] == "2026-03-01"
    # Carla sees her own workspace: her one win, none of Ana's.
    hers = carla.client().get("/api/v1/kpis/deals_won?from=2026-03-01&to=2026-03-31").json()
    assert hers["value"] == 1
    problem(ana.client().get("/api/v1/kpis/nope?from=2026-03-01&to=2026-03-31"), 404)
    bad = problem(
        send(ana.client(), "get", "/api/v1/kpis/deals_won?from=2026-03-31&to=2026-03-01"), 422
    )
    assert bad["errors"][0]["field"] == "to"
    assert problem(ana.client().get(
        "/api/v1/kpis/deals_won?from=2026-03-01&to=2026-03-31&group_by=lifecycle_stage"
    ), 422)["errors"][0]["field"] == "group_by"  # fmt: skip


def test_the_command_line_prints_the_same_numbers(ana, deals, capsys):
    call_command(
        "kpi", "new_revenue", "--workspace", ana.workspace.slug, "--from", "2026-03-01",
        "--to", "2026-03-31", "--grain", "month", "--json",
    )  # fmt: skip
    body = json.loads(capsys.readouterr().out)
    assert (body["value"], body["previous"], body["kpi"]["unit"]) == ("6000.00", "100.00", "money")
    call_command("kpi")
    assert "deals_won\tcount" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no workspace"):
        call_command("kpi", "deals_won", "--workspace", "nobody-here")


def test_the_weighted_pipeline_keeps_the_cents_on_every_database(ana):
    # 1,550 at a 35 % stage is 542.50: SQLite divides two integers as integers (542), so the
    # weighting must not be integer arithmetic there.
    deal = sales.create_deal(actor=ana.actor, data={"title": "Meio", "amount": "1550"})
    deal.stage.probability = 35
    deal.stage.save(update_fields=["probability"])
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date()
    found = measure("weighted_pipeline", Scope(actor=ana.actor), start=today, end=today)
    assert found.value == Decimal("542.50")
