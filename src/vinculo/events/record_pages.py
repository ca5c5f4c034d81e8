"""The events panels of other apps' record pages (see :mod:`vinculo.core.record_pages`):
registered by the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vinculo.core.actor import Actor
from vinculo.events.clv_text import churn_reason_text
from vinculo.events.models import CustomerValue
from vinculo.events.tier_text import problem_text, tier_text


def person_value(request: HttpRequest, actor: Actor, record: Any, live: bool) -> dict[str, Any]:
    """The customer-value card of a person's page (events/_customer_value.html): the stored RFM,
    CLV and churn-risk row, if any, and the risk's reason in words (the page proved
    ``records.view``; one indexed read)."""
    row = CustomerValue.objects.for_workspace(actor.workspace).filter(person_id=record.pk).first()
    if row is None:
        return {"customer_value": None, "churn_reason": "", "tier_reason": "", "problems": []}
    return {
        "customer_value": row,
        "churn_reason": churn_reason_text(row.churn_reason, row.churn_params),
        "tier_reason": tier_text(row.tier_reason, row.tier_params, row.currency),
        "problems": [problem_text(p, row.currency) for p in row.problems],
    }
