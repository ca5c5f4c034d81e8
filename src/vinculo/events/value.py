"""Reads of customer value (the stored RFM scores) shared by the API and the person page."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max

from vinculo.core.actor import Actor
from vinculo.core.permissions import require
from vinculo.events.models import CustomerValue, Segment
from vinculo.events.selectors import get_person


def summary(actor: Actor) -> dict[str, Any]:
    """How many people are in each segment (every segment, best first), and as of when."""
    require(actor, "insights.view")
    qs = CustomerValue.objects.for_workspace(actor.workspace)
    counts = dict(qs.values_list("segment").annotate(n=Count("id")).order_by())
    latest = qs.aggregate(day=Max("analysis_date"), at=Max("computed_at"))
    return {
        "analysis_date": latest["day"],
        "computed_at": latest["at"],
        "currency": actor.workspace.default_currency,
        "people": sum(counts.values()),
        "segments": [
            {"segment": s.value, "label": str(s.label), "people": counts.get(s.value, 0)}
            for s in Segment
        ],
    }


def of_person(actor: Actor, person_id: int) -> CustomerValue | None:
    """A live person's stored RFM row (404 when the person is not in the workspace)."""
    get_person(actor, person_id)
    return CustomerValue.objects.for_workspace(actor.workspace).filter(person_id=person_id).first()
