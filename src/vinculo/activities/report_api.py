"""API of the activity-per-rep report (``/reports/activity-per-rep``), as
:mod:`vinculo.activities.reports` computes it (mounted by :mod:`vinculo.api`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.activities import reports
from vinculo.core.actor import actor_of
from vinculo.core.filters.context import workspace_today
from vinculo.core.schemas import ERRORS

router = Router(tags=["activities"])


class ActivityPeriodQuery(Schema):
    from_: date | None = Field(None, alias="from", description="First day (default: 30 days ago).")
    to: date | None = Field(None, description="Last day, inclusive (default: today).")


class RepOut(Schema):
    user_id: int | None = Field(description="null: no member (system, no assignee).")
    name: str
    calls: int
    meetings: int
    emails: int
    notes: int
    tasks_done: int = Field(description="Tasks completed in the period, by assignee.")
    tasks_overdue: int = Field(description="Tasks due in the period, not done by then.")
    total: int


class ActivityPerRepOut(Schema):
    start: date
    end: date
    reps: list[RepOut]
    totals: RepOut


def rep_out(row: reports.RepRow) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "name": row.name,
        **{column: row.counts[column] for column in reports.COLUMNS},
        "total": row.total,
    }


@router.get("/reports/activity-per-rep", response={200: ActivityPerRepOut, **ERRORS})
def activity_per_rep(request: HttpRequest, query: Query[ActivityPeriodQuery]) -> dict[str, Any]:
    """Calls, meetings, emails, notes, tasks done and overdue per member in the period (422
    `to` before `from`, beyond three years)."""
    end = query.to or workspace_today(actor_of(request))
    start = query.from_ or end - timedelta(days=29)
    found = reports.activity_per_rep(actor_of(request), start=start, end=end)
    return {
        "start": found.window.start,
        "end": found.window.end,
        "reps": [rep_out(r) for r in found.reps],
        "totals": rep_out(found.totals),
    }
