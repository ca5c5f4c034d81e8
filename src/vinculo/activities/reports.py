"""Activity per rep (issue 18 "Reports"): what each member of the workspace did in a period.

    calls, meetings, emails, notes   logged with a moment in the period, by who logged them
    tasks_done                      tasks completed in the period, by their assignee
    tasks_overdue                   tasks due in the period and not completed by their due
                                    moment (still open after it, or completed late), by their
                                    assignee

Activities in the bin are left out. Every member has a row (zeros included); what no member did
(logged by the system, tasks with no assignee) is one row with no user. Days are the workspace's
(:func:`vinculo.sales.reports.window`). docs/kpis.md ("Reports") gives the definition."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity, ActivityKind
from vinculo.core.actor import Actor
from vinculo.core.permissions import require
from vinculo.core.tenancy import Membership
from vinculo.sales.reports import Window, window

LOGGED = {
    ActivityKind.CALL: "calls",
    ActivityKind.MEETING: "meetings",
    ActivityKind.EMAIL: "emails",
    ActivityKind.NOTE: "notes",
}
COLUMNS = ("calls", "meetings", "emails", "notes", "tasks_done", "tasks_overdue")


@dataclass
class RepRow:
    user_id: int | None
    name: str
    counts: Counter = field(default_factory=Counter)

    def __getattr__(self, name: str) -> Any:
        if name in COLUMNS:
            return self.counts[name]
        raise AttributeError(name)

    @property
    def total(self) -> int:
        return sum(self.counts[c] for c in COLUMNS)


@dataclass(frozen=True)
class ActivityPerRep:
    window: Window
    reps: list[RepRow]
    totals: RepRow


def _live(actor: Actor) -> QuerySet[Activity]:
    return Activity.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True)


def _tally(rows: dict[int | None, RepRow], column: str, counted: QuerySet, by: str) -> None:
    for user_id, n in counted.values_list(by).annotate(n=Count("pk")).order_by():
        rows.setdefault(user_id, RepRow(user_id, _("No one"))).counts[column] += n


def activity_per_rep(actor: Actor, *, start: date, end: date) -> ActivityPerRep:
    """Each member's activities of ``start``..``end`` (days), the busiest first."""
    require(actor, "insights.view")
    period = window(actor, start, end)
    rows: dict[int | None, RepRow] = {
        m.user_id: RepRow(m.user_id, str(m.user))
        for m in Membership.objects.for_workspace(actor.workspace).select_related("user")
    }
    live = _live(actor)
    for kind, column in LOGGED.items():
        logged = live.filter(kind=kind, occurred_at__gte=period.since, occurred_at__lt=period.until)
        _tally(rows, column, logged, "created_by_id")
    tasks = live.filter(kind=ActivityKind.TASK)
    done = tasks.filter(completed_at__gte=period.since, completed_at__lt=period.until)
    _tally(rows, "tasks_done", done, "assignee_id")
    overdue = tasks.filter(due_at__gte=period.since, due_at__lt=period.until).filter(
        Q(completed_at__isnull=True, due_at__lt=timezone.now()) | Q(completed_at__gt=F("due_at"))
    )
    _tally(rows, "tasks_overdue", overdue, "assignee_id")
    totals = RepRow(None, _("Total"))
    for row in rows.values():
        totals.counts.update(row.counts)
    reps = sorted(rows.values(), key=lambda r: (r.user_id is None, -r.total, r.name.casefold()))
    reps = [r for r in reps if r.user_id is not None or r.total]
    return ActivityPerRep(period, reps, totals)
