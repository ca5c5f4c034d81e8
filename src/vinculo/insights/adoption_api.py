"""API of the Adoption report (``/reports/adoption``), as :mod:`vinculo.insights.adoption`
computes it: each member's, each team's and the workspace's adoption KPIs over the period and
the previous one, and one KPI over time (mounted by :mod:`vinculo.api`)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Grain
from vinculo.core.kpis.api import Number, PointOut
from vinculo.core.schemas import ERRORS
from vinculo.insights.adoption import KEYS, TEAM, USER, Adoption, Row, adoption

router = Router(tags=["reports"])


class AdoptionQuery(Schema):
    from_: date | None = Field(None, alias="from", description="First day (default: 30 days ago).")
    to: date | None = Field(None, description="Last day, inclusive (default: today).")
    grain: str = Field("week", description="day, week, month or quarter (the series).")
    kpi: str = Field(KEYS[0], description="The KPI whose series is given.")
    lines: str = Field("team", description="The series after the workspace's: team or user.")


class AdoptionKpiOut(Schema):
    key: str
    name: str
    unit: str


class AdoptionValueOut(Schema):
    kpi: str
    value: Number = Field(description="Shares between 0 and 1; null: nothing to measure.")
    previous: Number


class AdoptionRowOut(Schema):
    section: str = Field(description="user, team or total.")
    id: int | None = Field(description="The user's or team's id; null for no one and the total.")
    name: str
    values: list[AdoptionValueOut]


class AdoptionLineOut(Schema):
    section: str = Field(description="total (the workspace, the first line), team or user.")
    id: int | None = Field(description="The team's or user's id; null for the workspace.")
    name: str
    points: list[PointOut]


class AdoptionOut(Schema):
    start: date
    end: date
    previous_start: date
    previous_end: date
    grain: str
    kpis: list[AdoptionKpiOut]
    rows: list[AdoptionRowOut]
    series_kpi: str
    series: list[AdoptionLineOut]


def _row(found: Adoption, row: Row) -> dict[str, Any]:
    values = []
    for kpi in found.kpis:
        value, previous = row.values.get(kpi.key, (None, None))
        values.append({"kpi": kpi.key, "value": value, "previous": previous})
    return {"section": row.section, "id": row.key, "name": row.name, "values": values}


@router.get("/reports/adoption", response={200: AdoptionOut, **ERRORS})
def adoption_report(request: HttpRequest, query: Query[AdoptionQuery]) -> dict[str, Any]:
    """Who uses the CRM, per member and team (422 `grain` or `kpi` not offered, `to` before
    `from`, beyond three years)."""
    actor = actor_of(request)
    end = query.to or workspace_today(actor)
    start = query.from_ or end - timedelta(days=29)
    if query.grain not in {g.value for g in Grain}:
        raise ValidationFailed.field(
            "grain", _("Choose how to group the points from the list."), "invalid_choice"
        )
    if query.kpi not in KEYS:
        raise ValidationFailed.field("kpi", _("Choose a KPI from the list."), "invalid_choice")
    if query.lines not in {TEAM, USER}:
        raise ValidationFailed.field("lines", _("Choose teams or members."), "invalid_choice")
    found = adoption(
        actor,
        start=start,
        end=end,
        grain=Grain(query.grain),
        chart=query.kpi,
        lines=query.lines,
    )
    return {
        "start": found.start,
        "end": found.end,
        "previous_start": found.previous_start,
        "previous_end": found.previous_end,
        "grain": found.grain,
        "kpis": [{"key": k.key, "name": str(k.name), "unit": k.unit} for k in found.kpis],
        "rows": [_row(found, r) for r in [*found.users, *found.teams, found.total]],
        "series_kpi": query.kpi,
        "series": [
            {"section": section, "id": key, "name": name, "points": points}
            for section, key, name, points in found.series
        ],
    }
