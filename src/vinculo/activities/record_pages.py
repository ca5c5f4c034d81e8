"""The activities panels of other apps' record pages (see :mod:`vinculo.core.record_pages`):
registered by the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from vinculo.activities import selectors
from vinculo.activities.models import ActivityKind
from vinculo.core.actor import Actor


def open_tasks(request: HttpRequest, actor: Actor, record: Any, live: bool) -> dict[str, Any]:
    """The person page's open tasks (``tasks``): the first twenty."""
    tasks = selectors.activities(
        actor, person_id=record.pk, kind=ActivityKind.TASK, open_tasks=True
    )
    return {"tasks": list(tasks[:20])}
