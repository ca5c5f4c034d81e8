"""Predicted CLV and churn risk: the BG/NBD and Gamma-Gamma fits against the published CDNOW
parameters; a hand-computed fixture of five buyers (too few repeat buyers: no model, and it says
so); a fitted workspace whose stored predictions follow the published formulas; two workspaces
never mixed; churn reasons in English and Portuguese."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from tests.events.clv_data import DAY, many
from vinculo.events.models import CustomerValue, CustomerValueModel
from vinculo.events.services.clv_models import (
    bgnbd_expected_purchases,
    bgnbd_p_alive,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
)
from vinculo.events.services.rfm import recompute_rfm

CDNOW = Path(__file__).parent.parent / "fixtures" / "cdnow_customers_summary_with_transactions.csv"


def _cdnow() -> dict[str, np.ndarray]:
    with CDNOW.open() as handle:
        rows = list(csv.DictReader(handle))
    return {k: np.array([float(r[k]) for r in rows]) for k in ("x", "t_x", "T", "zbar")}


def test_bgnbd_reproduces_the_published_cdnow_parameters():
    data = _cdnow()
    assert len(data["x"]) == 2357  # customers of the first purchase cohort, 39-week calibration
    fit = fit_bgnbd(data["x"], data["t_x"], data["T"])
    assert fit.converged, fit.messages
    # Fader, Hardie & Lee (2005), section 5: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
    # LL = -9582.4 (time in weeks).
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    for name, value in published.items():
        assert fit.params[name] == pytest.approx(value, rel=0.01), name
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_gamma_gamma_reproduces_the_published_cdnow_parameters():
    data = _cdnow()
    fit = fit_gamma_gamma(data["x"], data["zbar"])
    # Fader, Hardie & Lee (2005, "RFM and CLV") / Fader & Hardie (2013): p = 6.25, q = 3.74,
    # gamma = 15.44 on the 946 repeat buyers.
    assert fit.converged and fit.customers == 946
    for name, value in {"p": 6.25, "q": 3.74, "gamma": 15.44}.items():
        assert fit.params[name] == pytest.approx(value, rel=0.01), name


def test_the_published_per_customer_predictions():
    bg = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    # The paper's worked example: x = 2, t_x = 30.43, T = 38.86 weeks → 1.226 purchases expected
    # in the next 39 weeks.
    expected = bgnbd_expected_purchases(bg, 39, [2], [30.43], [38.86])
    assert expected[0] == pytest.approx(1.226, abs=0.0005)
    # P(alive) = 1 / (1 + a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x))
    #          = 1 / (1 + 0.793/3.426 * (43.274/34.844)^2.243)
    #          = 1 / (1 + 0.23147 * 1.24194^2.243) = 1 / (1 + 0.23147 * 1.6258) = 0.7266
    assert bgnbd_p_alive(bg, [2], [30.43], [38.86])[0] == pytest.approx(0.7266, abs=0.0001)
    assert bgnbd_p_alive(bg, [0], [0], [38.86])[0] == 1.0  # no repeat: never seen to drop out
    # Gamma-Gamma, customer 1 of CDNOW (x = 2, mean 22.35): p(gamma + x m)/(px + q - 1)
    # = 6.25 * (15.44 + 44.70) / (12.5 + 3.74 - 1) = 375.875 / 15.24 = 24.664
    gg = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    assert gamma_gamma_expected_spend(gg, [2], [22.35])[0] == pytest.approx(24.664, abs=0.001)


def test_a_small_workspace_stores_the_inputs_and_churn_risk_and_says_the_model_is_not_fitted(
    ana, carla, few
):
    recompute_rfm(ana.actor, DAY)
    rows = {
        r.person.first_name: r for r in CustomerValue.objects.for_workspace(ana.actor.workspace)
    }
    got = {
        n: (
            r.repeat_purchases,
            r.t_x_days,
            r.age_days,
            r.repeat_mean_spend,
            r.cadence_days,
            r.churn_risk,
            r.churn_reason,
            r.value_at_stake,
        )
        for n, r in rows.items()
    }
    # a: days 07-01, 07-11, 07-21 → x 2, t_x 20, T 30; repeat mean (50 + 70)/2 = 60; gaps 10, 10
    #    → cadence 10; silent 10 days = 1.0 times → low. Yearly: 220 * 365 / max(365, 31) = 220.
    # b: 01-01, 01-31, 03-02 → x 2, t_x 60, T 211; gaps 30, 30; silent 151 = 5.0 times → high.
    # c: 05-01, 06-15 → x 1, t_x 45, T 91, mean 20; cadence 45; silent 46 = 1.0 times → low.
    # d: one purchase 06-01 → T 60; the typical cadence is the median of 10, 30, 45, 31 = 30.5;
    #    60 / 30.5 = 2.0 times → medium (late).
    # e: 03-01, 04-01 → x 1, t_x 31, T 152, cadence 31; no purchase for 121 days but a call on
    #    07-20: silent 11 days = 0.4 times → low.
    assert got == {
        "a": (2, 20, 30, Decimal("60.00"), 10.0, "low", "on_track", Decimal("220.00")),
        "b": (2, 60, 211, Decimal("100.00"), 30.0, "high", "overdue", Decimal("300.00")),
        "c": (1, 45, 91, Decimal("20.00"), 45.0, "low", "on_track", Decimal("100.00")),
        "d": (0, 0, 60, None, None, "medium", "late", Decimal("40.00")),
        "e": (1, 31, 152, Decimal("10.00"), 31.0, "low", "on_track", Decimal("20.00")),
    }
    assert rows["b"].churn_params == {
        "days": 151, "contacted": False, "cadence": 30.0, "typical": False, "ratio": 5.0
    }  # fmt: skip
    assert rows["d"].churn_params["typical"] is True and rows["d"].churn_params["ratio"] == 2.0
    assert rows["e"].churn_params["contacted"] is True and rows["e"].churn_params["days"] == 11
    # Four repeat buyers: below the minimum of 10, so no parameters and no prediction anywhere.
    fit = CustomerValueModel.objects.for_workspace(ana.actor.workspace).get()
    assert (fit.customers, fit.repeat_buyers, fit.r, fit.p, fit.bgnbd_converged) == (
        5,
        4,
        None,
        None,
        False,
    )
    assert fit.warnings == [
        {"code": "too_few_repeat_buyers", "params": {"found": 4, "minimum": 10}}
    ]
    assert all(r.clv is None and r.p_alive is None for r in rows.values())
    # Carla's workspace: its own buyer and fit, nothing of Ana's.
    recompute_rfm(carla.actor, DAY)
    theirs = CustomerValue.objects.for_workspace(carla.actor.workspace).get()
    assert (theirs.person_id, theirs.repeat_purchases) == (few["outsider"].pk, 1)
    assert CustomerValueModel.objects.for_workspace(carla.actor.workspace).get().customers == 1
    assert CustomerValueModel.objects.for_workspace(ana.actor.workspace).get().customers == 5


def test_a_fitted_workspace_stores_predictions_that_follow_the_formulas(ana):
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    many(ana.actor)
    recompute_rfm(ana.actor, DAY)
    fit = CustomerValueModel.objects.for_workspace(ana.actor.workspace).get()
    assert fit.bgnbd_converged and fit.gamma_gamma_converged, fit.warnings
    # Sixty buyers barely tell a and b apart: a parameter at the edge of its range is said.
    assert fit.repeat_buyers >= 10
    assert {w["code"] for w in fit.warnings} <= {"parameter_at_edge"}
    assert min(fit.r, fit.alpha, fit.a, fit.b, fit.p, fit.q - 1, fit.gamma) > 0
    rows = CustomerValue.objects.for_workspace(ana.actor.workspace)
    assert rows.count() == fit.customers == 60
    for row in rows.filter(repeat_purchases__gt=0):
        x, tx, big_t = row.repeat_purchases, row.t_x_days, row.age_days
        odds = fit.a / (fit.b + x - 1) * ((fit.alpha + big_t) / (fit.alpha + tx)) ** (fit.r + x)
        assert row.p_alive == pytest.approx(1 / (1 + odds), rel=1e-9)
        m = float(row.repeat_mean_spend)  # stored in cents: off by ≤ 0.005 from the mean used
        spend = fit.p * (fit.gamma + x * m) / (fit.p * x + fit.q - 1)
        # px/(px + q - 1) < 1 (q > 1) carries m's rounding, plus the stored cents: ≤ 0.01.
        assert float(row.expected_spend) == pytest.approx(spend, abs=0.01)
        n = row.expected_purchases
        assert float(row.clv) == pytest.approx(n * spend, abs=0.01 * (1 + n))
    # A one-time buyer: alive with probability 1 in the BG/NBD; the population's mean amount.
    once = rows.filter(repeat_purchases=0).first()
    if once is not None:
        assert once.p_alive == 1.0
        assert float(once.expected_spend) == pytest.approx(
            fit.p * fit.gamma / (fit.q - 1), abs=0.005
        )
