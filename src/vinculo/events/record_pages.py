"""The events panels of other apps' record pages (see :mod:`vinculo.core.record_pages`):
registered by the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vinculo.core.actor import Actor
from vinculo.events.clv_text import churn_reason_text
from vinculo.events.models import CustomerValue


def person_value(request: HttpRequest, actor: Actor, record: Any, live: bool) -> dict[str, Any]:
    """The customer-value card of a person's page (events/_customer_value.html): the stored RFM,
    CLV and churn-risk row, if any, and the risk's reason in words (the page proved
    ``records.view``; one indexed read)."""
    row = CustomerValue.objects.for_workspace(actor.workspace).filter(person_id=record.pk).first()
    reason = churn_reason_text(row.churn_reason, row.churn_params) if row else ""
    return {"customer_value": row, "churn_reason": reason}
