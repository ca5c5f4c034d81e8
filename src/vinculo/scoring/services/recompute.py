"""The bulk recompute of every live person's :class:`LeadScore`: the rule points as of now and,
when the workspace's model is in use, the predictive probability and its reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from vinculo.contacts.models import Person
from vinculo.core.actor import Actor
from vinculo.core.permissions import require
from vinculo.scoring import predictive
from vinculo.scoring.features import FeatureSpec, raw_features, transform
from vinculo.scoring.models import LeadScore, ModelStatus, PredictiveModel
from vinculo.scoring.points import rule_points

RECOMPUTE_JOB = "scoring.recompute"


def _predicted(
    actor: Actor, person_ids: list[int], now: datetime
) -> dict[int, tuple[float, list[dict[str, Any]]]]:
    model = PredictiveModel.objects.filter(
        workspace=actor.workspace, status=ModelStatus.READY
    ).first()
    if model is None or not person_ids:
        return {}
    params = model.params
    spec = FeatureSpec(tuple(params["events"]), tuple(params["sources"]))
    raw = raw_features(actor, spec, [(pk, now) for pk in person_ids])
    p, terms = predictive.probabilities(params, transform(spec, raw))
    return {
        pk: (round(float(p[i]), 4), predictive.reasons_of(spec.names, raw[i], terms[i]))
        for i, pk in enumerate(person_ids)
    }


def recompute_scores(actor: Actor, *, now: datetime | None = None) -> int:
    """Replace the workspace's lead scores in one transaction; returns how many people have one
    (everyone some rule gave points, and everyone when a model is in use)."""
    require(actor, "records.write")  # a write, though of derived data: not for viewers
    now = now or timezone.now()
    points = rule_points(actor, now=now)
    live = list(
        Person.objects.for_workspace(actor.workspace)
        .filter(deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    predicted = _predicted(actor, live, now)
    rows = []
    for pk in live:
        got = points.get(pk)
        probability, model_reasons = predicted.get(pk, (None, []))
        if got is None and probability is None:
            continue
        rows.append(
            LeadScore(
                workspace=actor.workspace,
                person_id=pk,
                rule_score=got.score if got else 0,
                probability=probability,
                reasons=(got.reasons if got else []) + model_reasons,
                computed_at=now,
            )
        )
    with transaction.atomic():
        LeadScore.objects.for_workspace(actor.workspace).delete()
        LeadScore.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
