"""Purchase cohorts and the retention and churn KPIs against the hand-computed purchases of
tests/events/cohort_seed.py (São Paulo time; a binned buyer; Carla's workspace)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from tests.api import problem
from tests.events.cohort_seed import seed_purchases
from tests.integrations.test_openapi_contract import conforms
from vinculo.core.kpis import Grain, Scope, measure
from vinculo.core.reports import cohort_report

API = "/api/v1/reports/cohort-retention"
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture
def bought(ana, carla):
    return seed_purchases(ana, carla)


def test_purchase_cohorts_january_to_april(ana, bought):
    found = cohort_report(ana.actor, "purchases", first=JAN, last=APR)
    assert found.offsets == 4 and found.currency == "BRL"
    jan, feb, mar, apr = found.rows
    # January: Lia, Rui (Jan 31 23:00 local) and Bea (in dollars); Old's cohort is December.
    # Bought in Feb: Lia, Bea (Rui's Feb 1 02:00 UTC is January); in Mar: Lia (Mar 31 23:00
    # local), Rui; in Apr: no one.
    assert (jan.month, jan.size, jan.retained) == (JAN, 3, [3, 2, 2, 0])
    assert jan.shares == [1.0, pytest.approx(2 / 3), pytest.approx(2 / 3), 0.0]
    assert jan.churned == [0, 1, 1, 3]
    # Reais only: Jan Lia 100 + Rui 40 (Bea's 80 are dollars) = 140; Feb Lia 50 + Bea 20 = 70;
    # Mar Lia 30 + Rui 60 = 90; Apr 0.
    assert jan.revenue == [Decimal("140.00"), Decimal("70.00"), Decimal("90.00"), Decimal("0.00")]
    assert jan.revenue_shares == [1.0, 0.5, pytest.approx(90 / 140), 0.0]
    # February: only Bin, who is binned: an empty cohort, no share.
    assert (feb.size, feb.retained, feb.shares) == (0, [0, 0, 0], [None, None, None])
    assert feb.revenue_shares == [None, None, None]
    # March: Caio, again in April (R$200 then R$100).
    assert (mar.size, mar.retained, mar.revenue) == (
        1,
        [1, 1],
        [Decimal("200.00"), Decimal("100.00")],
    )
    assert (apr.size, apr.retained) == (0, [0])
    # Offset 1 over Jan, Feb, Mar: (2 + 0 + 1) / (3 + 0 + 1); offset 2 over Jan, Feb: 2 / 3.
    assert found.average == [1.0, 0.75, pytest.approx(2 / 3), 0.0]


def test_a_cohort_is_the_first_purchase_ever(ana, bought):
    # From February: Lia, Rui, Bea and Old first bought earlier; Bin is binned; Caio is March's.
    found = cohort_report(ana.actor, "purchases", first=FEB, last=MAR)
    assert [(r.size, r.retained) for r in found.rows] == [(0, [0, 0]), (1, [1])]
    dollars = cohort_report(ana.actor, "purchases", first=JAN, last=FEB, currency="usd")
    assert dollars.currency == "USD"
    assert dollars.rows[0].revenue == [Decimal("80.00"), Decimal("0.00")]  # Bea in January


def test_other_workspaces_never_show(carla, bought):
    found = cohort_report(carla.actor, "purchases", first=JAN, last=FEB)
    assert [(r.size, r.retained, r.revenue) for r in found.rows] == [
        (1, [1, 0], [Decimal("5000.00"), Decimal("0.00")]),
        (0, [0], [Decimal("0.00")]),
    ]


def test_retention_and_churn_kpis(ana, bought):
    scope = Scope(actor=ana.actor)
    span = {"start": date(2026, 2, 1), "end": date(2026, 3, 31), "grain": Grain.MONTH}
    retention = measure("retention_rate", scope, **span)
    # Previous period Dec 3 - Jan 31 (59 days): Old, Lia, Rui (Jan 31 local), Bea. Of them Lia,
    # Bea and Rui bought in Feb 1 - Mar 31: 3 / 4. Before it (Oct 5 - Dec 2) no one: no value.
    assert (retention.value, retention.previous) == (0.75, None)
    # February over January {Lia, Rui, Bea, Old}: Lia, Bea = 2 / 4; March over February
    # {Lia, Bea} (Bin is binned): Lia = 1 / 2.
    assert [p.value for p in retention.series] == [0.5, 0.5]
    # Cut by owner: everyone is Ana's (she added them), so her group is the whole: 3 / 4.
    by_owner = measure("retention_rate", scope, **span, group_by="owner").groups
    assert [value for _key, _label, value in by_owner] == [0.75]
    churn = measure("churn_rate", scope, **span)
    assert (churn.value, churn.previous) == (0.25, None)
    assert [p.value for p in churn.series] == [0.5, 0.5]
    # May over April {Lia (Mar 31 local is March: not April), Caio}: Caio did not buy in May.
    may = measure("retention_rate", scope, start=date(2026, 5, 1), end=date(2026, 5, 31),
                  grain=Grain.MONTH)  # fmt: skip
    assert may.series[0].value == 0.0  # of {Caio}, no one
    # A month with no buyers before it: no value, not 0.
    empty = measure("churn_rate", scope, start=date(2025, 6, 1), end=date(2025, 6, 30),
                    grain=Grain.MONTH)  # fmt: skip
    assert (empty.value, empty.series[0].value) == (None, None)


def test_the_cohort_api(ana, carla, bought):
    openapi = Client().get("/api/v1/openapi.json").json()
    client = ana.client()
    response = client.get(f"{API}?from=2026-01&to=2026-04")
    assert response.status_code == 200, response.content
    conforms(openapi, "get", f"{API}?from=2026-01&to=2026-04", response)
    body = response.json()
    assert (body["basis"], body["first_month"], body["last_month"], body["offsets"]) == (
        "purchases",
        "2026-01",
        "2026-04",
        4,
    )
    first = body["cohorts"][0]
    assert (first["month"], first["size"], first["retained"]) == ("2026-01", 3, [3, 2, 2, 0])
    assert first["revenue"] == ["140.00", "70.00", "90.00", "0.00"]
    other = carla.client().get(f"{API}?from=2026-01&to=2026-01").json()
    assert [(c["size"], c["retained"]) for c in other["cohorts"]] == [(1, [1])]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13", "from"),
        ("from=janeiro", "from"),
        ("from=2026-04&to=2026-01", "to"),
        ("from=2023-01&to=2026-01", "from"),
        ("basis=sales", "basis"),
        ("currency=reais", "currency"),
    ],
)
def test_bad_input_names_the_field(ana, query, field):
    response = ana.client().get(f"{API}?{query}")
    assert field in [e["field"] for e in problem(response, 422)["errors"]]


def test_unauthenticated_is_refused():
    assert Client().get(API).status_code == 401


def test_cohorts_in_a_half_hour_zone(ana, bought):
    """Kolkata is UTC+5:30 (its months start between the roll-up's hours: the purchases are
    read instead). Local days: Rui's Feb 1 02:00 UTC is Feb 1 07:30, Lia's Apr 1 02:00 UTC is
    Apr 1 07:30; the rest at 20:30 of their day."""
    ana.actor.workspace.timezone = "Asia/Kolkata"
    ana.actor.workspace.save(update_fields=["timezone"])
    jan, feb, mar, apr = cohort_report(ana.actor, "purchases", first=JAN, last=APR).rows
    # January: Lia and Bea (Rui is February's now); Feb: both again; Mar: no one; Apr: Lia.
    # Reais: Jan Lia 100 (Bea's are dollars); Feb Lia 50 + Bea 20; Mar 0; Apr Lia 30.
    assert (jan.size, jan.retained) == (2, [2, 2, 0, 1])
    assert jan.revenue == [Decimal("100.00"), Decimal("70.00"), Decimal("0.00"), Decimal("30.00")]
    # February: Rui (R$40), again in March (R$60); Bin is binned.
    assert (feb.size, feb.retained, feb.revenue) == (
        1,
        [1, 1, 0],
        [Decimal("40.00"), Decimal("60.00"), Decimal("0.00")],
    )
    assert (mar.size, mar.retained) == (1, [1, 1])  # Caio
    assert (apr.size, apr.retained) == (0, [0])
