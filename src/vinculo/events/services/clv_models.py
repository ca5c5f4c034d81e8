"""The BG/NBD and Gamma-Gamma models of customer value, from their published likelihoods.

* **BG/NBD** (Fader, Hardie & Lee 2005, "'Counting your customers' the easy way: an alternative
  to the Pareto/NBD model", Marketing Science 24(2)): while alive a customer buys at a Poisson
  rate lambda ~ Gamma(r, alpha); after every purchase they drop out with probability
  p ~ Beta(a, b). A
  customer is summarised by ``x`` (repeat purchases), ``t_x`` (time of the last purchase since the
  first) and ``T`` (time since the first purchase to the end of the calibration period). The
  log-likelihood is the paper's equation (6); the conditional expectation of purchases in the
  next ``t`` is its equation (10) and the probability of being alive the note "Computing
  P(alive) using the BG/NBD model" (Fader, Hardie & Lee 2008).
* **Gamma-Gamma** (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for customer
  base analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma model of monetary value"): a
  customer's purchase amounts average zeta ~ Gamma(p, nu), nu ~ Gamma(q, gamma); fitted on the
  repeat buyers' mean spend ``m_x`` over ``x`` purchases; the conditional expected mean spend is
  the note's equation (5).

Time is in any unit (Vínculo uses days; the CDNOW validation uses weeks): alpha is in that unit.
Parameters are fitted on their logarithms (they must be positive) by L-BFGS-B from several
starts, identical customers counted once with a weight. Pure numpy/scipy, no database."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

__all__ = [
    "BgNbdFit",
    "Fit",
    "GammaGammaFit",
    "bgnbd_expected_purchases",
    "bgnbd_log_likelihood",
    "bgnbd_p_alive",
    "fit_bgnbd",
    "fit_gamma_gamma",
    "gamma_gamma_expected_spend",
    "gamma_gamma_log_likelihood",
]

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Fit:
    """A fitted model: its parameters by name, the total log-likelihood, and how it went."""

    params: dict[str, float]
    log_likelihood: float
    converged: bool
    seconds: float
    customers: int
    messages: list[str] = field(default_factory=list)
    at_edge: list[str] = field(default_factory=list)  # parameters at a bound of their range


BgNbdFit = Fit
GammaGammaFit = Fit


def _arrays(*columns: object) -> list[Array]:
    return [np.asarray(c, dtype=np.float64) for c in columns]


def bgnbd_log_likelihood(
    r: float, alpha: float, a: float, b: float, x: object, t_x: object, big_t: object
) -> Array:
    """Each customer's BG/NBD log-likelihood (Fader, Hardie & Lee 2005, equation 6):

    ``ln L = A1 + A2 + ln(exp(A3) + [x > 0] exp(A4))`` with
    ``A1 = lnGamma(r + x) - lnGamma(r) + r ln alpha``, ``A2 = ln B(a, b + x) - ln B(a, b)``,
    ``A3 = -(r + x) ln(alpha + T)``, ``A4 = ln a - ln(b + x - 1) - (r + x) ln(alpha + t_x)``."""
    xs, tx, tt = _arrays(x, t_x, big_t)
    a1 = special.gammaln(r + xs) - special.gammaln(r) + r * np.log(alpha)
    a2 = special.betaln(a, b + xs) - special.betaln(a, b)
    a3 = -(r + xs) * np.log(alpha + tt)
    repeat = xs > 0
    a4 = np.full_like(xs, -np.inf)
    a4[repeat] = (
        np.log(a) - np.log(b + xs[repeat] - 1) - (r + xs[repeat]) * np.log(alpha + tx[repeat])
    )
    return a1 + a2 + np.logaddexp(a3, a4)


def _log_odds_dead(params: dict[str, float], xs: Array, tx: Array, tt: Array) -> Array:
    """``ln[a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)]`` for repeat buyers, -∞ for the
    others (no repeat purchase: the BG/NBD cannot have seen them drop out)."""
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    out = np.full_like(xs, -np.inf)
    rep = xs > 0
    out[rep] = (
        np.log(a)
        - np.log(b + xs[rep] - 1)
        + (r + xs[rep]) * (np.log(alpha + tt[rep]) - np.log(alpha + tx[rep]))
    )
    return out


def bgnbd_p_alive(params: dict[str, float], x: object, t_x: object, big_t: object) -> Array:
    """P(alive | x, t_x, T)
    = 1 / (1 + [x > 0] * a/(b + x - 1) * ((alpha + T)/(alpha + t_x))^(r + x))."""
    xs, tx, tt = _arrays(x, t_x, big_t)
    return np.asarray(special.expit(-_log_odds_dead(params, xs, tx, tt)), dtype=np.float64)


def bgnbd_expected_purchases(
    params: dict[str, float], t: float, x: object, t_x: object, big_t: object
) -> Array:
    """E[Y(t) | x, t_x, T], the expected purchases in the next ``t`` (equation 10):

    ``(a + b + x - 1)/(a - 1) * [1 - ((alpha + T)/(alpha + T + t))^(r + x) *
    2F1(r + x, b + x; a + b + x - 1; t/(alpha + T + t))] / (1 + [x > 0] * a/(b + x - 1) *
    ((alpha + T)/(alpha + t_x))^(r + x))``."""
    xs, tx, tt = _arrays(x, t_x, big_t)
    r, alpha, a, b = params["r"], params["alpha"], params["a"], params["b"]
    z = t / (alpha + tt + t)
    hyp = special.hyp2f1(r + xs, b + xs, a + b + xs - 1, z)
    head = (a + b + xs - 1) / (a - 1)
    body = 1 - np.exp((r + xs) * (np.log(alpha + tt) - np.log(alpha + tt + t))) * hyp
    alive = special.expit(-_log_odds_dead(params, xs, tx, tt))
    return np.asarray(head * body * alive, dtype=np.float64)


def gamma_gamma_log_likelihood(p: float, q: float, gamma: float, x: object, m_x: object) -> Array:
    """Each repeat buyer's Gamma-Gamma log-likelihood of mean spend ``m_x`` over ``x`` purchases
    (Fader & Hardie 2013, equation 4, as a density of ``m_x``):
    ``lnGamma(px + q) - lnGamma(px) - lnGamma(q) + q ln gamma + (px - 1) ln m_x + px ln x
    - (px + q) ln(gamma + x m_x)``."""
    xs, ms = _arrays(x, m_x)
    px = p * xs
    return np.asarray(
        special.gammaln(px + q)
        - special.gammaln(px)
        - special.gammaln(q)
        + q * np.log(gamma)
        + (px - 1) * np.log(ms)
        + px * np.log(xs)
        - (px + q) * np.log(gamma + xs * ms),
        dtype=np.float64,
    )


def gamma_gamma_expected_spend(params: dict[str, float], x: object, m_x: object) -> Array:
    """E[M | p, q, gamma, m_x, x] = p (gamma + x m_x) / (p x + q - 1) (Fader & Hardie 2013,
    equation 5);
    for ``x = 0`` the population mean p gamma / (q - 1)."""
    xs, ms = _arrays(x, m_x)
    p, q, gamma = params["p"], params["q"], params["gamma"]
    ms = np.where(xs > 0, ms, 0.0)
    return np.asarray(p * (gamma + xs * ms) / (p * xs + q - 1), dtype=np.float64)


def _grouped(*columns: Array) -> tuple[list[Array], Array]:
    """The distinct rows of the columns and how many times each occurs."""
    stacked = np.column_stack(columns)
    unique, counts = np.unique(stacked, axis=0, return_counts=True)
    return [unique[:, i] for i in range(unique.shape[1])], counts.astype(np.float64)


LOG_BOUND = 12.0  # parameters are fitted within e^-12 .. e^12


def _minimise(
    objective: Callable[[Array], float], starts: list[Array], names: list[str], customers: int
) -> Fit:
    """Minimise from each start (L-BFGS-B); when the best did not report success, polish it
    with Nelder-Mead: L-BFGS-B can stop on a flat ridge after a failed line search. Both keep
    the parameters within bounds; a parameter at a bound is named in ``at_edge`` (the data do
    not pin it down: the likelihood keeps rising towards the bound, as when every customer
    drops out with the same chance)."""
    started = time.perf_counter()
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(names)
    best: optimize.OptimizeResult | None = None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for start in starts:
            found = optimize.minimize(
                objective,
                start,
                method="L-BFGS-B",
                bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
            )
            if np.isfinite(found.fun) and (best is None or found.fun < best.fun):
                best = found
        if best is not None and not best.success:
            best = optimize.minimize(
                objective,
                best.x,
                method="Nelder-Mead",
                bounds=bounds,
                options={"xatol": 1e-5, "fatol": 1e-7, "maxiter": 4000, "maxfev": 8000},
            )
    seconds = time.perf_counter() - started
    if best is None or not np.isfinite(best.fun) or best.fun >= 1e300:
        return Fit({}, float("nan"), False, seconds, customers, ["the fit found no finite value"])
    params = dict(zip(names, (float(v) for v in np.exp(best.x)), strict=True))
    messages = [] if best.success else [str(best.message)]
    edge = [n for n, v in zip(names, best.x, strict=True) if abs(v) > LOG_BOUND - 0.01]
    return Fit(params, -float(best.fun), bool(best.success), seconds, customers, messages, edge)


def fit_bgnbd(x: object, t_x: object, big_t: object) -> Fit:
    """The BG/NBD parameters r, alpha, a, b that maximise the summed log-likelihood (equation 6,
    as :func:`bgnbd_log_likelihood`; the terms that depend on x alone are computed once per
    distinct x)."""
    xs, tx, tt = _arrays(x, t_x, big_t)
    (ux, utx, utt), weight = _grouped(xs, tx, tt)
    xv, xi = np.unique(ux, return_inverse=True)
    rep = ux > 0
    rep_x, rep_tx = ux[rep], utx[rep]
    scale = float(np.mean(tt)) or 1.0

    def objective(logs: Array) -> float:
        r, alpha, a, b = np.exp(logs)
        by_x = (
            special.gammaln(r + xv)
            - special.gammaln(r)
            + r * np.log(alpha)
            + special.betaln(a, b + xv)
            - special.betaln(a, b)
        )
        a3 = -(r + ux) * np.log(alpha + utt)
        a4 = np.full_like(ux, -np.inf)
        a4[rep] = np.log(a) - np.log(b + rep_x - 1) - (r + rep_x) * np.log(alpha + rep_tx)
        value = -float(np.dot(weight, by_x[xi] + np.logaddexp(a3, a4)))
        return value if np.isfinite(value) else 1e300

    starts = [
        np.log([1.0, scale, 1.0, 1.0]),
        np.log([0.25, scale / 10, 0.8, 2.5]),
        np.log([0.5, scale, 0.5, 5.0]),
    ]
    return _minimise(objective, starts, ["r", "alpha", "a", "b"], len(xs))


def fit_gamma_gamma(x: object, m_x: object) -> Fit:
    """The Gamma-Gamma parameters p, q, gamma over repeat buyers (``x > 0``, ``m_x > 0``), by
    :func:`gamma_gamma_log_likelihood` (its terms in x alone computed once per distinct x)."""
    xs, ms = _arrays(x, m_x)
    keep = (xs > 0) & (ms > 0)
    (ux, um), weight = _grouped(xs[keep], ms[keep])
    xv, xi = np.unique(ux, return_inverse=True)
    log_m, log_x = np.log(um), np.log(ux)
    level = float(np.mean(ms[keep])) if keep.any() else 1.0

    def objective(logs: Array) -> float:
        p, q, gamma = np.exp(logs)
        by_x = special.gammaln(p * xv + q) - special.gammaln(p * xv) - special.gammaln(q)
        px = p * ux
        ll = by_x[xi] + q * np.log(gamma) + (px - 1) * log_m + px * log_x
        ll -= (px + q) * np.log(gamma + ux * um)
        value = -float(np.dot(weight, ll))
        return value if np.isfinite(value) else 1e300

    starts = [
        np.log([1.0, 1.0, 1.0]),
        np.log([2.0, 3.0, level]),
        np.log([6.0, 4.0, 2 * level]),
    ]
    return _minimise(objective, starts, ["p", "q", "gamma"], int(keep.sum()))
