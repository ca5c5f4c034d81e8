"""The predictive score's arithmetic (no database writes): the holdout statistics of a training
and the probability and reasons of a person under a trained model.

The model is a logistic regression on standardised features (:mod:`vinculo.scoring.features`),
so a person's log-odds are ``intercept + sum(coef_j * z_j)`` with ``z_j = (x_j - mean_j) /
scale_j``: each term ``coef_j * z_j`` is how much feature ``j`` moves this person's log-odds away
from those of the average training deal. The reasons are the largest such terms (at least
:data:`MIN_EFFECT` in absolute value), so they add up to the score and never name a feature the
model gave no weight.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

MIN_WON = 50
MIN_LOST = 50
HOLDOUT = 0.3
BINS = 10
MIN_EFFECT = 0.1
TOP_REASONS = 3
# The holdout AUC must beat 0.5 by more than chance: its 95% lower bound (Hanley & McNeil's
# standard error) above 0.5, and the AUC itself at least MIN_AUC.
MIN_AUC = 0.55


def auc_standard_error(auc: float, positives: int, negatives: int) -> float:
    """Hanley & McNeil (1982)'s standard error of an AUC from ``positives`` and ``negatives``."""
    q1 = auc / (2 - auc)
    q2 = 2 * auc * auc / (1 + auc)
    variance = (
        auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)
    ) / (positives * negatives)
    return math.sqrt(max(variance, 0.0))


def has_signal(auc: float, auc_low: float) -> bool:
    return auc >= MIN_AUC and auc_low > 0.5


def reliability_bins(y: np.ndarray, p: np.ndarray) -> list[dict[str, Any]]:
    """The calibration table: deals grouped by predicted probability in :data:`BINS` equal
    bins of [0, 1]; per non-empty bin the mean prediction, the observed win share and the count."""
    edges = np.clip((p * BINS).astype(int), 0, BINS - 1)
    table = []
    for b in range(BINS):
        mask = edges == b
        n = int(mask.sum())
        if n:
            table.append(
                {
                    "low": b / BINS,
                    "high": (b + 1) / BINS,
                    "predicted": round(float(p[mask].mean()), 4),
                    "observed": round(float(y[mask].mean()), 4),
                    "n": n,
                }
            )
    return table


def probabilities(params: dict[str, Any], x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's win probability and its per-feature log-odds terms under ``params``."""
    mean = np.asarray(params["mean"])
    scale = np.asarray(params["scale"])
    coef = np.asarray(params["coef"])
    terms = coef * (x - mean) / scale
    logit = params["intercept"] + terms.sum(axis=1)
    return 1 / (1 + np.exp(-logit)), terms


def reasons_of(names: list[str], raw: np.ndarray, terms: np.ndarray) -> list[dict[str, Any]]:
    """The top reasons of one person (see the module)."""
    order = np.argsort(-np.abs(terms))
    reasons = []
    for j in order[:TOP_REASONS]:
        effect = float(terms[j])
        if abs(effect) < MIN_EFFECT:
            break
        reasons.append(
            {
                "code": "model",
                "feature": names[j],
                "value": round(float(raw[j]), 2),
                "effect": round(effect, 2),
            }
        )
    return reasons
