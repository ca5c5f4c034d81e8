"""The lead score card of the person's page (see :mod:`vinculo.core.record_pages`): registered by
the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vinculo.core.actor import Actor
from vinculo.scoring.models import LeadScore, ModelStatus, PredictiveModel
from vinculo.scoring.selectors import worded


def person_score(request: HttpRequest, actor: Actor, record: Any, live: bool) -> dict[str, Any]:
    """The stored score and its worded reasons (the page proved ``records.view``; two indexed
    reads)."""
    row = LeadScore.objects.for_workspace(actor.workspace).filter(person_id=record.pk).first()
    in_use = PredictiveModel.objects.filter(
        workspace=actor.workspace, status=ModelStatus.READY
    ).exists()
    return {
        "lead_score": row,
        "lead_reasons": worded(row.reasons) if row else [],
        "lead_model_in_use": in_use,
        "lead_probability_pct": (
            round(row.probability * 100, 1) if row and row.probability is not None else None
        ),
    }
