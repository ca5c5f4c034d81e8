"""Registers how a tracked event's timeline line is worded when read (``core.timeline_wording``):
the entry keeps the event's name, properties and purchase (``summaries.kept``), and
``summaries.summarize`` words them in the reader's language, money in the reader's locale.
Imported by the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from vinculo.core import timeline_wording
from vinculo.events.services.summaries import summarize


def _word(text: dict[str, Any]) -> str:
    return summarize(text["name"], text.get("properties") or {}, text.get("purchase"))


timeline_wording.register("event", _word)
