"""Training the predictive score of a workspace from its won and lost deals (docs/lead-scoring.md).

Each won or lost deal (not in the bin) with a live person is one example: the person's features
as of the deal's creation (:mod:`vinculo.scoring.features`), labelled won (1) or lost (0). With
fewer than :data:`~vinculo.scoring.predictive.MIN_WON` won or
:data:`~vinculo.scoring.predictive.MIN_LOST` lost nothing is trained. Otherwise a stratified
holdout of 30% (fixed seed) measures the model fitted on the rest: the AUC with its 95% lower
bound, and the reliability bins. A model whose holdout shows no signal is kept for the record
but not used (no probability, no reasons)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from vinculo.core.actor import Actor
from vinculo.core.permissions import require
from vinculo.scoring import predictive
from vinculo.scoring.features import outcomes, raw_features, spec_for, transform
from vinculo.scoring.models import ModelStatus, PredictiveModel

SEED = 0


def _fit(x: np.ndarray, y: np.ndarray) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fit on a stratified split; the parameters and the holdout statistics."""
    x_fit, x_test, y_fit, y_test = train_test_split(
        x, y, test_size=predictive.HOLDOUT, stratify=y, random_state=SEED
    )
    scaler = StandardScaler().fit(x_fit)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=1.0, max_iter=1000).fit((x_fit - scaler.mean_) / scale, y_fit)
    params = {
        "mean": scaler.mean_.tolist(),
        "scale": scale.tolist(),
        "coef": model.coef_[0].tolist(),
        "intercept": float(model.intercept_[0]),
    }
    p, _terms = predictive.probabilities(params, x_test)
    auc = float(roc_auc_score(y_test, p))
    positives = int(y_test.sum())
    se = predictive.auc_standard_error(auc, positives, len(y_test) - positives)
    stats = {
        "holdout_size": len(y_test),
        "auc": round(auc, 4),
        "auc_low": round(auc - 1.96 * se, 4),
        "calibration": predictive.reliability_bins(y_test, p),
    }
    return params, stats


def train(actor: Actor, *, now: datetime | None = None) -> PredictiveModel:
    """Train (or refuse to, for lack of outcomes) and store the workspace's model."""
    require(actor, "settings.manage")
    rows = outcomes(actor)
    won = sum(y for _pk, _at, y in rows)
    lost = len(rows) - won
    fields: dict[str, Any] = {
        "won": won,
        "lost": lost,
        "trained_at": now or timezone.now(),
        "holdout_size": 0,
        "auc": None,
        "auc_low": None,
        "calibration": [],
        "params": {},
    }
    if won < predictive.MIN_WON or lost < predictive.MIN_LOST:
        fields["status"] = ModelStatus.INSUFFICIENT
    else:
        spec = spec_for(actor, {pk for pk, _at, _y in rows})
        x = transform(spec, raw_features(actor, spec, [(pk, at) for pk, at, _y in rows]))
        y = np.array([label for _pk, _at, label in rows])
        params, stats = _fit(x, y)
        params |= {"features": spec.names, "events": spec.events, "sources": spec.sources}
        fields |= stats | {"params": params}
        signal = predictive.has_signal(stats["auc"], stats["auc_low"])
        fields["status"] = ModelStatus.READY if signal else ModelStatus.NO_SIGNAL
    with transaction.atomic():
        row, _created = PredictiveModel.objects.update_or_create(
            workspace=actor.workspace, defaults=fields
        )
    return row
