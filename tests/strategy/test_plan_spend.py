"""Spend against a tactic's budget: money in the budget's currency, another currency converted
with the workspace's rates of the spend's month (or refused, naming the missing rate), hours
alone, the entries listed and deleted, the totals following."""

from __future__ import annotations

from tests.api import fields_of, problem, send
from vinculo.core import currency
from vinculo.strategy.models import TacticSpend
from vinculo.strategy.plan import services

API = "/api/v1/plan"


def _tactic(ana, **budget):
    a = ana.actor
    o = services.create_objective(actor=a, data={"title": "O"})
    s = services.create_strategy(
        actor=a, data={"objective_id": o.pk, "function": "sales", "title": "S"}
    )
    return services.create_tactic(actor=a, data={"strategy_id": s.pk, "title": "T", **budget})


def _rates(ana, month, **rates):
    for code, rate in rates.items():
        currency.create_currency_rate(
            actor=ana.actor, data={"currency": code, "month": month, "rate": rate}
        )


def test_another_currency_is_converted_with_the_month_rate(ana):
    brl = _tactic(ana, budget_amount="1000")
    usd = _tactic(ana, budget_amount="1000", budget_currency="USD")
    _rates(ana, "2026-02", USD="5.00", EUR="6.00")
    client = ana.client()
    # 100 USD at 5.00 BRL each = 500.00 BRL.
    made = send(
        client,
        "post",
        f"{API}/tactics/{brl.pk}/spend",
        {"spent_on": "2026-02-10", "amount": "100", "currency": "usd"},
    )
    assert made.status_code == 201, made.content
    row = made.json()
    assert (row["amount"], row["currency"]) == ("500.00", "BRL")
    assert (row["entered_amount"], row["entered_currency"], row["rate"]) == (
        "100.00",
        "USD",
        "5.00000000",
    )
    # 100 EUR on a dollar budget: 100 x 6.00 BRL / 5.00 BRL per USD = 120.00 USD (rate 1.2).
    row = send(
        client,
        "post",
        f"{API}/tactics/{usd.pk}/spend",
        {"spent_on": "2026-02-28", "amount": 100, "currency": "EUR"},
    ).json()
    assert (row["amount"], row["currency"], row["rate"]) == ("120.00", "USD", "1.20000000")
    # The budget's own currency is kept as typed.
    row = send(
        client,
        "post",
        f"{API}/tactics/{usd.pk}/spend",
        {"spent_on": "2026-03-01", "amount": "30.5"},
    ).json()
    assert (row["amount"], row["currency"], row["entered_currency"]) == ("30.50", "USD", "")
    tree = client.get(API).json()
    budgets = {
        t["id"]: t["budget"]["money"] for t in tree["objectives"][1]["strategies"][0]["tactics"]
    }
    # 120.00 + 30.50 = 150.50 of 1,000.00 USD.
    assert budgets[usd.pk] == [
        {
            "currency": "USD",
            "planned": "1000.00",
            "spent": "150.50",
            "left": "849.50",
            "percent": 15.1,
        }
    ]


def test_without_a_rate_the_spend_is_refused(ana):
    tactic = _tactic(ana, budget_amount="1000")
    _rates(ana, "2026-02", USD="5.00")
    body = problem(
        send(
            ana.client(),
            "post",
            f"{API}/tactics/{tactic.pk}/spend",
            {"spent_on": "2026-03-02", "amount": "10", "currency": "USD"},
        ),
        422,
    )
    assert fields_of(body) == {"currency"}
    assert "USD" in body["detail"] and "BRL" in body["detail"]
    assert not TacticSpend.objects.exists()


def test_hours_alone_and_bad_input(ana):
    tactic = _tactic(ana, budget_hours="10")
    client = ana.client()
    url = f"{API}/tactics/{tactic.pk}/spend"
    made = send(client, "post", url, {"spent_on": "2026-02-01", "hours": "2.5", "note": "Call"})
    assert made.status_code == 201 and made.json()["amount"] is None
    body = problem(send(client, "post", url, {"spent_on": "2026-02-01"}), 422)
    assert fields_of(body) == {"amount"}  # neither money nor hours
    body = problem(
        send(
            client,
            "post",
            url,
            {"spent_on": "2026-13-01", "amount": "-3", "hours": "1.25", "currency": "ZZZ"},
        ),
        422,
    )
    assert fields_of(body) == {"spent_on", "amount", "hours", "currency"}
    assert [s["hours"] for s in client.get(url).json()] == ["2.5"]
    assert client.delete(f"{url}/{made.json()['id']}").status_code == 204
    assert client.get(url).json() == []
    problem(client.delete(f"{url}/{made.json()['id']}"), 404)
