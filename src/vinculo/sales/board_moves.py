"""What the board shows after a move: the move to undo (the toast) and the card to keep in sight.

Kept apart from :mod:`vinculo.sales.views` (at its size limit); the views call these.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.http import QueryDict
from django.urls import reverse

from vinculo.sales.models import Deal


def undo_of(before: Deal | None, after: Deal) -> dict[str, Any] | None:
    """The move just made, for the board's "Moved to <stage> · Undo" toast: the deal, the stage
    it left and the lost reason it had (the undo posts them back to the same move view). None
    when nothing moved."""
    if before is None or before.stage_id == after.stage_id:
        return None
    return {
        "deal": after,
        "from_stage": before.stage,
        "to_stage": after.stage,
        "lost_reason_id": before.lost_reason_id or "",
        "lost_note": before.lost_note,
    }


def board_url_with_moved(url: str, deal_id: int) -> str:
    """``url`` with ``moved=<deal_id>`` when it is the board's (a move without JavaScript goes
    back there), so the moved card is shown even beyond a full column."""
    parts = urlsplit(url)
    if parts.path != reverse("sales:board"):
        return url
    query = QueryDict(parts.query, mutable=True)
    query["moved"] = str(deal_id)
    return urlunsplit(parts._replace(query=query.urlencode()))
