"""Predicted customer lifetime value and churn risk, computed with the RFM scores
(:func:`vinculo.events.services.rfm.recompute_rfm` calls :func:`compute_clv`).

Over the same purchases RFM reads (the workspace's default currency, live people, made by the
end of the analysis date in the workspace's time zone), each buyer's purchases are summed per
local day. With days as the unit of time:

* ``x``, **repeat purchases**: purchase days after the first one;
* ``t_x``: days from the first purchase day to the last; ``T``: days from the first purchase day
  to the analysis date;
* **mean repeat spend**: the mean amount of the repeat purchase days (the first day left out, as
  Fader, Hardie & Lee do);
* **cadence**: the median gap in days between consecutive purchase days.

The BG/NBD and Gamma-Gamma models (:mod:`vinculo.events.services.clv_models`) are fitted on the
workspace's buyers when at least :data:`MIN_REPEAT_BUYERS` bought again; otherwise the fit record
says so and the predictions stay empty. Per buyer: expected purchase days in the next
:data:`HORIZON_DAYS` days, the probability of being alive, and the **expected 12-month value** =
expected purchases times Gamma-Gamma expected amount per purchase, **undiscounted** (one year ahead:
a discount rate would change it by a few percent and would be one more setting to explain).

**Churn risk** (:func:`churn_of`): the days without a purchase or a contact (a logged call,
meeting, e-mail or note, :mod:`vinculo.activities`) against the customer's cadence (their own,
or the workspace's median cadence for one-time buyers), and the probability alive. docs/kpis.md,
"Customer lifetime value" and "Churn risk", gives the definitions.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Max

from vinculo.activities.models import Activity, ActivityKind
from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_tz
from vinculo.events.models import ChurnRisk, Purchase
from vinculo.events.services.clv_models import (
    bgnbd_expected_purchases,
    bgnbd_p_alive,
    fit_bgnbd,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
)

__all__ = [
    "HORIZON_DAYS",
    "MIN_REPEAT_BUYERS",
    "Buyer",
    "ClvResult",
    "churn_of",
    "compute_clv",
]

HORIZON_DAYS = 365
MIN_REPEAT_BUYERS = 10  # below this the models are not fitted (the fit record says so)
HIGH_P_ALIVE = 0.3  # below: high risk
MEDIUM_P_ALIVE = 0.6  # below: medium risk
HIGH_OVERDUE = 3.0  # silent for at least 3 times the cadence: high risk
MEDIUM_OVERDUE = 1.5  # at least 1.5 times: medium risk
CENT = Decimal("0.01")
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass
class Buyer:
    """One buyer's summary and predictions (predictions None without a fitted model)."""

    person_id: int
    repeat_purchases: int
    t_x_days: int
    age_days: int
    repeat_mean_spend: Decimal | None
    cadence_days: float | None
    yearly_spend: Decimal
    silent_days: int = 0
    contacted: bool = False  # the last sign of life was a contact, not a purchase
    expected_purchases: float | None = None
    p_alive: float | None = None
    expected_spend: Decimal | None = None
    clv: Decimal | None = None
    churn_risk: str = ChurnRisk.LOW
    churn_reason: str = ""
    churn_params: dict[str, Any] = field(default_factory=dict)


@dataclass
class ClvResult:
    """What :func:`compute_clv` found: the buyers by person id and the fit record's fields."""

    buyers: dict[int, Buyer]
    fit: dict[str, Any]


def _end_of(day: date, actor: Actor) -> datetime:
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=workspace_tz(actor))


def _local_days(moments: np.ndarray, tz: tzinfo) -> np.ndarray:
    """The local date ordinals of UTC epoch seconds in ``tz``: each quarter hour's UTC offset is
    looked up once (zones change offset on quarter hours), not each moment's."""
    if not len(moments):
        return moments
    quarters, index = np.unique(moments // 900, return_inverse=True)
    offsets = np.array(
        [
            datetime.fromtimestamp(int(q) * 900, tz).utcoffset() or timedelta(0)
            for q in quarters.tolist()
        ],
        dtype="timedelta64[s]",
    ).astype(np.int64)
    return (moments + offsets[index]) // 86400 + EPOCH_ORDINAL


def _purchase_days(actor: Actor, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(person id, local day ordinal, amount) per person and purchase day, sorted: purchases
    read once (no per-row function in the database), summed per person and local day here."""
    rows = (
        Purchase.objects.for_workspace(actor.workspace)
        .filter(
            person__isnull=False,
            person__deleted_at__isnull=True,
            currency=actor.workspace.default_currency,
            occurred_at__lt=_end_of(day, actor),
        )
        .values_list("person_id", "occurred_at", "amount")
    )
    people, moments, amounts = [], [], []
    for person_id, moment, amount in rows.iterator(chunk_size=20000):
        people.append(person_id)
        moments.append(moment.timestamp())
        amounts.append(float(amount))
    if not people:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    pid = np.asarray(people, dtype=np.int64)
    days = _local_days(np.floor(np.asarray(moments)).astype(np.int64), workspace_tz(actor))
    order = np.lexsort((days, pid))
    pid, days, spent = pid[order], days[order], np.asarray(amounts)[order]
    # One row per (person, day): the first of each run, with the run's total.
    new = np.r_[True, (pid[1:] != pid[:-1]) | (days[1:] != days[:-1])]
    totals = np.add.reduceat(spent, np.flatnonzero(new))
    return pid[new], days[new], totals


def _group_medians(groups: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """The median of ``values`` within each group index (NaN for a group without values)."""
    out = np.full(n_groups, np.nan)
    if not len(values):
        return out
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    counts = np.diff(np.r_[starts, len(g)])
    low = v[starts + (counts - 1) // 2]
    high = v[starts + counts // 2]
    out[g[starts]] = (low + high) / 2
    return out


def _summaries(actor: Actor, day: date) -> dict[str, np.ndarray]:
    """Per buyer (sorted by person id): x, t_x, T, mean repeat spend, cadence, yearly spend."""
    people, days, totals = _purchase_days(actor, day)
    if not len(people):
        return {}
    starts = np.flatnonzero(np.r_[True, people[1:] != people[:-1]])
    index = np.cumsum(np.r_[True, people[1:] != people[:-1]]) - 1
    n = len(starts)
    counts = np.diff(np.r_[starts, len(people)])
    first = days[starts]
    last = days[starts + counts - 1]
    spent = np.bincount(index, weights=totals, minlength=n)
    repeat = counts - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_repeat = np.where(repeat > 0, (spent - totals[starts]) / np.maximum(repeat, 1), 0.0)
    same = np.r_[False, people[1:] == people[:-1]]
    gaps = (days - np.r_[0, days[:-1]])[same]
    age = day.toordinal() - first
    return {
        "person_id": people[starts],
        "x": repeat.astype(np.float64),
        "t_x": (last - first).astype(np.float64),
        "T": age.astype(np.float64),
        "m_x": mean_repeat,
        "cadence": _group_medians(index[same], gaps.astype(np.float64), n),
        # Historic yearly spend: what they spent, per year of their history (a year at least).
        "yearly": spent * 365.0 / np.maximum(365.0, age + 1.0),
    }


def _fit(s: dict[str, np.ndarray], currency: str, day: date) -> tuple[dict[str, Any], dict]:
    """The fit record's fields and the predictions (empty when a model is not fitted)."""
    started = clock.perf_counter()
    repeat_buyers = int((s["x"] > 0).sum())
    record: dict[str, Any] = {
        "analysis_date": day,
        "currency": currency,
        "customers": len(s["x"]),
        "repeat_buyers": repeat_buyers,
        "warnings": [],
    }
    predictions: dict[str, np.ndarray] = {}
    if repeat_buyers < MIN_REPEAT_BUYERS:
        record["warnings"].append(
            {
                "code": "too_few_repeat_buyers",
                "params": {"found": repeat_buyers, "minimum": MIN_REPEAT_BUYERS},
            }
        )
        record["fit_seconds"] = clock.perf_counter() - started
        return record, predictions
    bg = fit_bgnbd(s["x"], s["t_x"], s["T"])
    record.update(bg.params, bgnbd_log_likelihood=bg.log_likelihood, bgnbd_converged=bg.converged)
    _edge(record, "BG/NBD", bg.at_edge)
    if not bg.converged:
        record["warnings"].append({"code": "bgnbd_not_converged", "params": {}})
    else:
        predictions["p_alive"] = bgnbd_p_alive(bg.params, s["x"], s["t_x"], s["T"])
        predictions["expected"] = bgnbd_expected_purchases(
            bg.params, HORIZON_DAYS, s["x"], s["t_x"], s["T"]
        )
    repeat = s["x"] > 0
    gg = fit_gamma_gamma(s["x"], s["m_x"])
    record.update(
        gg.params,
        gamma_gamma_log_likelihood=gg.log_likelihood,
        gamma_gamma_converged=gg.converged,
    )
    if repeat_buyers > 2 and np.std(s["x"][repeat]) > 0 and np.std(s["m_x"][repeat]) > 0:
        corr = float(np.corrcoef(s["x"][repeat], s["m_x"][repeat])[0, 1])
        record["spend_frequency_correlation"] = corr
    _edge(record, "Gamma-Gamma", gg.at_edge)
    if not gg.converged:
        record["warnings"].append({"code": "gamma_gamma_not_converged", "params": {}})
    elif gg.params["q"] <= 1:
        record["warnings"].append(
            {"code": "spend_model_unusable", "params": {"q": round(gg.params["q"], 3)}}
        )
    else:
        predictions["spend"] = gamma_gamma_expected_spend(gg.params, s["x"], s["m_x"])
    record["fit_seconds"] = clock.perf_counter() - started
    return record, predictions


def _edge(record: dict[str, Any], model: str, names: list[str]) -> None:
    if names:
        record["warnings"].append(
            {"code": "parameter_at_edge", "params": {"model": model, "parameters": names}}
        )


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT)


def churn_of(buyer: Buyer, typical_cadence: float | None) -> tuple[str, str, dict[str, Any]]:
    """The churn risk level, its reason code and the reason's parameters (docs/kpis.md):

    * cadence: the buyer's median days between purchase days, or for a one-time buyer the
      workspace's typical (median) cadence; ``overdue`` = silent days / cadence;
    * **high** when silent for at least 3 times the cadence (``overdue``) or P(alive) < 0.3
      (``unlikely_alive``); **medium** at 1.5 times (``late``) or P(alive) < 0.6
      (``p_alive_falling``); else **low** (``on_track``; ``no_cadence`` when no cadence is known).
    """
    own = buyer.cadence_days
    cadence = own if own is not None else typical_cadence
    ratio = buyer.silent_days / max(cadence, 1.0) if cadence is not None else None
    base: dict[str, Any] = {"days": buyer.silent_days, "contacted": buyer.contacted}
    if cadence is not None:
        base |= {
            "cadence": round(cadence, 1),
            "typical": own is None,
            "ratio": round(ratio or 0, 1),
        }
    p = buyer.p_alive
    if ratio is not None and ratio >= HIGH_OVERDUE:
        return ChurnRisk.HIGH, "overdue", base
    if p is not None and p < HIGH_P_ALIVE:
        return ChurnRisk.HIGH, "unlikely_alive", base | {"p_alive": round(p, 3)}
    if ratio is not None and ratio >= MEDIUM_OVERDUE:
        return ChurnRisk.MEDIUM, "late", base
    if p is not None and p < MEDIUM_P_ALIVE:
        return ChurnRisk.MEDIUM, "p_alive_falling", base | {"p_alive": round(p, 3)}
    return ChurnRisk.LOW, "on_track" if cadence is not None else "no_cadence", base


def _last_contacts(actor: Actor, day: date) -> dict[int, date]:
    """Each person's last logged contact (not a task) by the end of the analysis date."""
    tz = workspace_tz(actor)
    rows = (
        Activity.objects.for_workspace(actor.workspace)
        .filter(person__isnull=False, deleted_at__isnull=True, occurred_at__lt=_end_of(day, actor))
        .exclude(kind=ActivityKind.TASK)
        .values_list("person_id")
        .annotate(last=Max("occurred_at"))
        .order_by()
    )
    return {pid: last.astimezone(tz).date() for pid, last in rows.iterator(chunk_size=20000)}


def _buyers(s: dict[str, np.ndarray], predictions: dict, day: date) -> list[Buyer]:
    expected, alive, spend = (predictions.get(k) for k in ("expected", "p_alive", "spend"))
    out = []
    for i, pid in enumerate(s["person_id"].tolist()):
        x = int(s["x"][i])
        buyer = Buyer(
            person_id=pid,
            repeat_purchases=x,
            t_x_days=int(s["t_x"][i]),
            age_days=int(s["T"][i]),
            repeat_mean_spend=_money(s["m_x"][i]) if x else None,
            cadence_days=None if np.isnan(s["cadence"][i]) else float(s["cadence"][i]),
            yearly_spend=_money(s["yearly"][i]),
            silent_days=int(s["T"][i] - s["t_x"][i]),
        )
        if expected is not None and alive is not None:
            buyer.expected_purchases = float(expected[i])
            buyer.p_alive = float(alive[i])
            if spend is not None:
                buyer.expected_spend = _money(spend[i])
                buyer.clv = _money(expected[i] * spend[i])
        out.append(buyer)
    return out


def compute_clv(actor: Actor, day: date) -> ClvResult:
    """Every buyer's CLV inputs, predictions and churn risk, and the fit record (reads only;
    the caller checked the permission and writes)."""
    s = _summaries(actor, day)
    currency = actor.workspace.default_currency
    if not s:
        record, _ = _fit({"x": np.zeros(0)}, currency, day)
        return ClvResult({}, record)
    record, predictions = _fit(s, currency, day)
    buyers = _buyers(s, predictions, day)
    contacts = _last_contacts(actor, day)
    cadences = [b.cadence_days for b in buyers if b.cadence_days is not None]
    typical = float(np.median(cadences)) if cadences else None
    for buyer in buyers:
        contact = contacts.get(buyer.person_id)
        if contact is not None and (day - contact).days < buyer.silent_days:
            buyer.silent_days, buyer.contacted = max((day - contact).days, 0), True
        buyer.churn_risk, buyer.churn_reason, buyer.churn_params = churn_of(buyer, typical)
    return ClvResult({b.person_id: b for b in buyers}, record)
