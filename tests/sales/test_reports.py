"""The sales reports against small hand-computed fixtures (the arithmetic in the comments):
the funnel of deals created in March 2026 (São Paulo), the forecast of open deals around
today, win/loss of the deals closed in March; a second workspace whose deals never count; bad
parameters named."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.api import fields_of, problem
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.sales import reports
from vinculo.sales import services as sales
from vinculo.sales.models import Deal, StageChange

SP = ZoneInfo("America/Sao_Paulo")
MARCH = {"start": date(2026, 3, 1), "end": date(2026, 3, 31)}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SP)


@pytest.fixture(autouse=True)
def sao_paulo(ana, carla):
    for persona in (ana, carla):
        persona.actor.workspace.timezone = "America/Sao_Paulo"
        persona.actor.workspace.save(update_fields=["timezone"])


def _walk(ana, vendas, title, *names, created="2026-03-05T10:00", amount="100", **extra):
    """A deal created at the first stage named, moved through the others, then dated."""
    deal = sales.create_deal(
        actor=ana.actor,
        data={"title": title, "amount": amount, "stage_id": vendas[names[0]].pk, **extra},
    )
    for name in names[1:]:
        lost = vendas.reason("price").pk if name == "Perdido" else None
        sales.move_deal(
            actor=ana.actor, deal_id=deal.pk, stage_id=vendas[name].pk, lost_reason_id=lost
        )
    Deal.objects.filter(pk=deal.pk).update(created_at=at(created))
    return deal


def _spent(deal, stage, seconds):
    StageChange.objects.filter(deal=deal, from_stage=stage).update(seconds_in_previous=seconds)


# --- the funnel ---------------------------------------------------------------------------------


@pytest.fixture
def funnel_deals(ana, carla, vendas):
    q, r, p, n = (vendas[s] for s in ("Qualificação", "Reunião", "Proposta", "Negociação"))
    d1 = _walk(ana, vendas, "D1", "Qualificação", "Reunião", "Proposta", "Negociação", "Ganho")
    d2 = _walk(ana, vendas, "D2", "Qualificação", "Reunião", "Perdido")
    d3 = _walk(ana, vendas, "D3", "Qualificação", "Reunião", "Proposta")
    _walk(ana, vendas, "D4", "Qualificação")
    _walk(ana, vendas, "D5", "Proposta")  # created at Proposta: went beyond the first two
    d6 = _walk(ana, vendas, "D6", "Qualificação", "Reunião", created="2026-02-27T10:00")
    binned = _walk(ana, vendas, "D7", "Qualificação", "Reunião")
    sales.delete_deal(actor=ana.actor, deal_id=binned.pk)
    for deal, stage, seconds in [
        (d1, q, 100), (d2, q, 300), (d3, q, 200),  # left Qualificação: median 200
        (d1, r, 1000), (d2, r, 3000), (d3, r, 2000),  # left Reunião: median 2000
        (d1, p, 50), (d1, n, 10), (d6, q, 99999),  # D6 was created in February
    ]:  # fmt: skip
        _spent(deal, stage, seconds)
    sales.create_deal(actor=carla.actor, data={"title": "Z", "amount": "5"})


def test_funnel_counts_conversions_and_medians(ana, funnel_deals):
    f = reports.pipeline_funnel(ana.actor, pipeline_id=None, **MARCH)
    assert f.created == 5  # D1-D5 (D6 is February's, D7 binned)
    rows = [(s.stage.name, s.deals, s.from_previous, s.overall, s.median_seconds) for s in f.steps]
    assert rows == [
        ("Qualificação", 5, 1.0, 1.0, 200),
        ("Reunião", 4, 0.8, 0.8, 2000),  # D1, D2, D3, D5 (beyond)
        ("Proposta", 3, 0.75, 0.6, 50),  # D1, D3, D5
        ("Negociação", 1, 1 / 3, 0.2, 10),  # D1
    ]
    assert f.won is not None and f.lost is not None
    assert (f.won.stage.name, f.won.deals, f.won.from_previous, f.won.overall) == (
        "Ganho", 1, 1.0, 0.2,
    )  # fmt: skip
    assert (f.lost.deals, f.lost.overall) == (1, 0.2)


def test_funnel_of_an_empty_period_and_the_api(ana, carla, funnel_deals):
    empty = reports.pipeline_funnel(
        ana.actor, pipeline_id=None, start=date(2025, 1, 1), end=date(2025, 1, 31)
    )
    assert empty.created == 0
    assert [s.deals for s in empty.steps] == [0, 0, 0, 0]
    assert empty.steps[0].from_previous is None
    body = ana.client().get("/api/v1/reports/pipeline-funnel?from=2026-03-01&to=2026-03-31").json()
    assert body["created"] == 5
    assert [s["deals"] for s in body["steps"]] == [5, 4, 3, 1]
    assert body["won"]["deals"] == 1 and body["lost"]["deals"] == 1
    assert body["steps"][0]["median_seconds"] == 200
    # Carla's workspace sees only her own deal, never Ana's; Ana's pipeline is not hers.
    hers = carla.client().get("/api/v1/reports/pipeline-funnel").json()
    assert hers["created"] == 1
    pipeline = body["pipeline_id"]
    problem(carla.client().get(f"/api/v1/reports/pipeline-funnel?pipeline_id={pipeline}"), 404)


def test_bad_parameters_are_named(ana, vendas):
    with pytest.raises(ValidationFailed):
        reports.pipeline_funnel(
            ana.actor, pipeline_id=None, start=date(2026, 3, 31), end=date(2026, 3, 1)
        )
    client = ana.client()
    body = problem(client.get("/api/v1/reports/pipeline-funnel?from=2026-03-31&to=2026-03-01"), 422)
    assert fields_of(body) == {"to"}
    body = problem(client.get("/api/v1/reports/win-loss?from=2020-01-01&to=2026-03-01"), 422)
    assert fields_of(body) == {"from"}
    body = problem(client.get("/api/v1/reports/win-loss?currency=reais"), 422)
    assert fields_of(body) == {"currency"}
    body = problem(client.get("/api/v1/reports/sales-forecast?currency=R1"), 422)
    assert fields_of(body) == {"currency"}
    problem(client.get("/api/v1/reports/win-loss?from=yesterday"), 422)


# --- the forecast -------------------------------------------------------------------------------


def _open(ana, vendas, title, amount, stage, expected, currency="BRL"):
    return sales.create_deal(
        actor=ana.actor,
        data={
            "title": title,
            "amount": amount,
            "stage_id": vendas[stage].pk,
            "expected_close_date": expected.isoformat() if expected else None,
            "currency": currency,
        },
    )


def test_forecast_by_month_weighted_two_ways(ana, carla, vendas):
    today = workspace_today(ana.actor)
    first = today.replace(day=1)
    in_two = reports._add_months(first, 2)
    _open(ana, vendas, "F1", "1000", "Qualificação", today)
    _open(ana, vendas, "F2", "2000", "Proposta", in_two)
    _open(ana, vendas, "F3", "500", "Negociação", None)
    _open(ana, vendas, "F4", "300", "Reunião", today - timedelta(days=1))  # overdue
    _open(ana, vendas, "F5", "400", "Qualificação", reports._add_months(first, 7))  # later
    _open(ana, vendas, "F6", "900", "Qualificação", today, currency="USD")
    # History: F7 went Qualificação → Reunião → won, F8 Qualificação → lost (both now);
    # F9 won 400 days ago (outside the 12 months). Rates: Qualificação 1/2, Reunião 1/1,
    # Proposta and Negociação none closed: their probabilities (50%, 75%) stand in.
    _walk(ana, vendas, "F7", "Qualificação", "Reunião", "Ganho")
    _walk(ana, vendas, "F8", "Qualificação", "Perdido")
    f9 = _walk(ana, vendas, "F9", "Qualificação", "Proposta", "Ganho")
    Deal.objects.filter(pk=f9.pk).update(closed_at=timezone.now() - timedelta(days=400))
    sales.create_deal(actor=carla.actor, data={"title": "Z", "amount": "99999"})

    f = reports.sales_forecast(ana.actor, pipeline_id=None)
    assert f.currency == "BRL"
    rates = {r.stage.name: (r.closed, r.won, r.rate, r.used) for r in f.rates}
    assert rates == {
        "Qualificação": (2, 1, 0.5, 0.5),
        "Reunião": (1, 1, 1.0, 1.0),
        "Proposta": (0, 0, None, 0.5),
        "Negociação": (0, 0, None, 0.75),
    }
    rows = {r.key: (r.deals, r.total, r.weighted, r.historical) for r in f.rows}
    keys = list(rows)
    assert keys[0] == "overdue" and keys[-2:] == ["later", "no_date"]
    assert len(rows) == 9  # overdue, six months, later, no date
    d = Decimal
    assert rows["overdue"] == (1, d("300.00"), d("75.00"), d("300.00"))  # F4: 25%, 100%
    assert rows[first.strftime("%Y-%m")] == (1, d("1000.00"), d("100.00"), d("500.00"))  # F1
    assert rows[reports._add_months(first, 1).strftime("%Y-%m")] == (0, 0, 0, 0)
    assert rows[in_two.strftime("%Y-%m")] == (1, d("2000.00"), d("1000.00"), d("1000.00"))
    assert rows["later"] == (1, d("400.00"), d("40.00"), d("200.00"))  # F5
    assert rows["no_date"] == (1, d("500.00"), d("375.00"), d("375.00"))  # F3: 75%, 75%
    t = f.totals
    assert (t.deals, t.total, t.weighted, t.historical) == (
        5, d("4200.00"), d("1590.00"), d("2375.00"),
    )  # fmt: skip

    dollars = reports.sales_forecast(ana.actor, pipeline_id=None, currency="usd")
    assert (dollars.currency, dollars.totals.total, dollars.totals.historical) == (
        "USD", d("900.00"), d("450.00"),
    )  # fmt: skip
    body = ana.client().get("/api/v1/reports/sales-forecast").json()
    assert (body["totals"]["total"], body["totals"]["historical"]) == ("4200.00", "2375.00")
    hers = carla.client().get("/api/v1/reports/sales-forecast").json()
    assert hers["totals"]["deals"] == 1


# --- win/loss -----------------------------------------------------------------------------------


def _closed(ana, vendas, title, amount, status, closed, *, currency="BRL", reason="", **extra):
    deal = sales.create_deal(actor=ana.actor, data={"title": title, "amount": amount, **extra})
    Deal.objects.filter(pk=deal.pk).update(
        status=status,
        stage=vendas["Ganho" if status == "won" else "Perdido"],
        closed_at=at(closed),
        currency=currency,
        lost_reason=vendas.reason(reason) if reason else None,
    )
    return deal


@pytest.fixture
def closed_deals(ana, bruno, carla, vendas):
    b = bruno.user.pk
    _closed(ana, vendas, "W1", "1000", "won", "2026-03-03T10:00", source="site")
    _closed(ana, vendas, "W2", "3000", "won", "2026-03-10T10:00", source="indicação", owner_id=b)
    _closed(ana, vendas, "W3", "500", "lost", "2026-03-20T10:00", source="site", reason="price")
    _closed(ana, vendas, "W4", "700", "lost", "2026-03-31T23:30", currency="USD",
            reason="competitor", owner_id=b)  # fmt: skip
    _closed(ana, vendas, "W5", "4000", "won", "2026-04-01T00:30")  # April in São Paulo
    _closed(ana, vendas, "W6", "200", "lost", "2026-03-15T10:00", source="site", reason="price")
    binned = _closed(ana, vendas, "W7", "9999", "won", "2026-03-12T10:00")
    sales.delete_deal(actor=ana.actor, deal_id=binned.pk)
    theirs = sales.create_deal(actor=carla.actor, data={"title": "Z", "amount": "50000"})
    Deal.objects.filter(pk=theirs.pk).update(status="won", closed_at=at("2026-03-05T10:00"))


def test_win_loss_in_march(ana, bruno, vendas, closed_deals):
    w = reports.win_loss(ana.actor, pipeline_id=None, **MARCH)
    t = w.totals
    # Won W1, W2 (4,000); lost W3, W6 (700 in reais) and W4 (in dollars: counted, no money).
    assert (t.won, t.lost, t.won_amount, t.lost_amount, t.win_rate) == (
        2, 3, Decimal("4000.00"), Decimal("700.00"), 0.4,
    )  # fmt: skip
    reasons = [(r.key, r.lost, r.lost_amount) for r in w.reasons]
    price, competitor = vendas.reason("price").pk, vendas.reason("competitor").pk
    assert reasons == [(price, 2, Decimal("700.00")), (competitor, 1, Decimal(0))]
    owners = [(o.label, o.won, o.lost) for o in w.owners]
    assert owners == [(str(ana.user), 1, 2), (str(bruno.user), 1, 1)]
    assert [o.win_rate for o in w.owners] == [1 / 3, 0.5]
    sources = [(s.key, s.won, s.lost, s.win_rate) for s in w.sources]
    assert sources == [("site", 1, 2, 1 / 3), ("indicação", 1, 0, 1.0), ("", 0, 1, 0.0)]
    dollars = reports.win_loss(ana.actor, pipeline_id=None, currency="USD", **MARCH)
    assert (dollars.totals.won_amount, dollars.totals.lost_amount) == (0, Decimal("700.00"))


def test_win_loss_api_and_workspaces(ana, carla, closed_deals):
    body = ana.client().get("/api/v1/reports/win-loss?from=2026-03-01&to=2026-03-31").json()
    assert (body["totals"]["won"], body["totals"]["lost"], body["currency"]) == (2, 3, "BRL")
    assert body["totals"]["won_amount"] == "4000.00"
    assert [r["lost"] for r in body["lost_reasons"]] == [2, 1]
    hers = carla.client().get("/api/v1/reports/win-loss?from=2026-03-01&to=2026-03-31").json()
    assert (hers["totals"]["won"], hers["totals"]["won_amount"]) == (1, "50000.00")
