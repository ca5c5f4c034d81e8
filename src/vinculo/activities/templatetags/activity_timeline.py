"""What the timeline shows of each kind of activity besides its subject and text: a call's
direction, outcome and duration, a meeting's time and place, an email's addresses, a task's due
date and state — labels and values in the reader's language."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity, ActivityKind, Priority

register = template.Library()


def call_duration(seconds: int | None) -> str:
    """``720`` → ``12 min``; ``3900`` → ``1 h 5 min``; ``40`` → ``40 s``."""
    if seconds is None:
        return ""
    if seconds < 60:
        return _("%(n)s s") % {"n": seconds}
    hours, minutes = divmod(round(seconds / 60), 60)
    if hours and minutes:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)s h") % {"h": hours}
    return _("%(n)s min") % {"n": minutes}


def _when(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


@register.simple_tag
def activity_facts(activity: Activity | None) -> list[tuple[str, str]]:
    """``(label, value)`` pairs of the fields the activity's kind has, only those filled."""
    if activity is None:
        return []
    facts: list[tuple[str, str]] = []
    kind = activity.kind
    if kind in {ActivityKind.CALL, ActivityKind.EMAIL} and activity.direction:
        facts.append((_("Direction"), activity.get_direction_display()))
    if kind == ActivityKind.CALL and activity.call_outcome:
        facts.append((_("Outcome"), activity.get_call_outcome_display()))
    if kind == ActivityKind.MEETING:
        facts.append((_("When"), _when(activity.occurred_at)))
        if activity.location:
            facts.append((_("Where"), activity.location))
    if kind in {ActivityKind.CALL, ActivityKind.MEETING} and activity.duration_seconds:
        facts.append((_("Duration"), call_duration(activity.duration_seconds)))
    if kind == ActivityKind.EMAIL:
        if activity.email_from:
            facts.append((_("From"), activity.email_from))
        if activity.email_to:
            facts.append((_("To"), ", ".join(activity.email_to.split(","))))
    if kind == ActivityKind.TASK:
        if activity.due_at:
            facts.append((_("Due"), _when(activity.due_at)))
        if activity.completed_at:
            facts.append(
                (_("Status"), _("Done on %(date)s") % {"date": _when(activity.completed_at)})
            )
        elif activity.due_at and activity.due_at < timezone.now():
            facts.append((_("Status"), _("Past due")))
        else:
            facts.append((_("Status"), _("To do")))
        if activity.priority and activity.priority != Priority.NORMAL:
            facts.append((_("Priority"), activity.get_priority_display()))
    return facts
