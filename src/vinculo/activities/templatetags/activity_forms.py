"""The quick "log an activity" form of the 360° pages: choices, members and a refused draft."""

from __future__ import annotations

from typing import Any

from django import template

from vinculo.activities.models import ActivityKind, CallOutcome, Direction, Priority
from vinculo.activities.views import LOG_DRAFT_KEY
from vinculo.core.permissions import can
from vinculo.workspaces.selectors import members

register = template.Library()

KINDS_IN_FORM = ("call", "note", "meeting", "email", "task")


def _members(context: Any, a: Any) -> list[Any]:
    # The 360° pages already list the members (as owners): no second query for the assignees.
    owners = context.get("owners")
    if isinstance(owners, list) and owners:
        return [u for u in owners if getattr(u, "is_active", True)]
    return [m.user for m in members(a).filter(is_active=True).order_by("user__email")]


@register.simple_tag(takes_context=True)
def log_activity_form(context: Any, link_field: str, link_id: Any) -> dict[str, Any]:
    """What ``contacts/_log_activity.html`` needs to draw the form of one record.

    A form the service refused waits in the session (see ``activities.views.log``); it is shown
    once, on the page and record it was posted from, with what was typed and the field errors.
    """
    request = context.get("request")
    a = getattr(request, "actor", None)
    if request is None or a is None or not can(a, "activities.write"):
        return {"can_log": False}
    draft: dict[str, Any] = {}
    stored = request.session.get(LOG_DRAFT_KEY)
    if (
        isinstance(stored, dict)
        and stored.get("path") == request.path
        and str(stored.get("values", {}).get(link_field, "")) == str(link_id)
    ):
        draft = request.session.pop(LOG_DRAFT_KEY)
    values = draft.get("values", {})
    labels = dict(ActivityKind.choices)
    return {
        "can_log": True,
        "values": values,
        "errors": draft.get("errors", {}),
        "kind": values.get("kind") or "call",
        "kinds": [(k, labels[k]) for k in KINDS_IN_FORM],
        "outcomes": CallOutcome.choices,
        "directions": Direction.choices,
        "priorities": Priority.choices,
        "members": _members(context, a),
        "me": str(a.user.pk) if a.user is not None else "",
    }
