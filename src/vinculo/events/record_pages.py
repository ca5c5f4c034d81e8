"""The events panels of other apps' record pages (see :mod:`vinculo.core.record_pages`):
registered by the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vinculo.core.actor import Actor
from vinculo.events.models import CustomerValue


def person_value(request: HttpRequest, actor: Actor, record: Any, live: bool) -> dict[str, Any]:
    """The RFM card of a person's page (events/_customer_value.html): the stored row, if any
    (the page proved ``records.view``; one indexed read)."""
    row = CustomerValue.objects.for_workspace(actor.workspace).filter(person_id=record.pk).first()
    return {"customer_value": row}
