"""The Adoption report (``/insights/adoption/``, issue 19): who uses the CRM. For each member and
each team, over a period and the previous one of the same length: the adoption KPIs of the
registry (activities logged, records created, records updated, tasks done on time, record
completeness; each declared by the app owning its data), and one of them over time, for the
workspace and each team. Pure reads through :func:`vinculo.core.kpis.measure`.

A member's value is the KPI cut by owner (the acting user: who logged, created, edited; the
task's assignee; the record's owner); a team's is the KPI measured on its members' rows (not a
sum of the members' values: a rate or a mean is worked out again over the team's rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.kpis import Grain, Kpi, Measurement, Scope, Unit, get, measure
from vinculo.core.kpis.registry import Point
from vinculo.core.permissions import require
from vinculo.core.tenancy import Membership, Team

KEYS = (
    "activities_logged",
    "records_created",
    "records_updated",
    "tasks_on_time",
    "record_completeness",
)
USER, TEAM, TOTAL = "user", "team", "total"
ONE_DAY = timedelta(days=1)


@dataclass
class Row:
    """A member, a team or the whole workspace: per KPI key, (value, previous value)."""

    section: str
    key: int | None
    name: str
    values: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class Adoption:
    start: date
    end: date
    previous_start: date
    previous_end: date
    grain: Grain
    kpis: list[Kpi]
    users: list[Row]
    teams: list[Row]
    total: Row
    chart_kpi: Kpi | None
    # (section, id, name, points): the workspace ("total"), then each team or each member
    series: list[tuple[str, int | None, str, list[Point]]]


def adoption_kpis() -> list[Kpi]:
    """The adoption KPIs that are registered, in the report's order."""
    return [kpi for kpi in (get(key) for key in KEYS) if kpi is not None]


def _groups(m: Measurement) -> dict[Any, Any]:
    return {key: value for key, _label, value in m.groups}


def adoption(
    actor: Actor,
    *,
    start: date,
    end: date,
    grain: Grain = Grain.WEEK,
    chart: str = KEYS[0],
    lines: str = TEAM,
) -> Adoption:
    """The report of ``start``..``end`` (days in the workspace's time zone), the previous period
    of the same length, and ``chart``'s series at ``grain``: for the workspace, then each team
    (``lines`` ``team``) or each active member (``user``). 422 as :func:`measure` refuses."""
    require(actor, "insights.view")
    kpis = adoption_kpis()
    ws = actor.workspace
    members = {
        m.user_id: str(m.user)
        for m in Membership.objects.for_workspace(ws).select_related("user").order_by("pk")
        if m.is_active
    }
    teams = list(Team.objects.for_workspace(ws).order_by("name", "pk"))
    users: dict[Any, Row] = {uid: Row(USER, uid, name) for uid, name in members.items()}
    total = Row(TOTAL, None, _("Everyone"))
    team_rows = [Row(TEAM, t.pk, t.name) for t in teams]
    series: list[tuple[str, int | None, str, list[Point]]] = []
    chart_kpi = get(chart) if chart in KEYS else None
    whole = Scope(actor=actor)
    for kpi in kpis:
        now = measure(kpi.key, whole, start=start, end=end, grain=grain, group_by="owner")
        before = measure(
            kpi.key,
            whole,
            start=now.previous_start,
            end=now.previous_end,
            grain=grain,
            group_by="owner",
        )
        total.values[kpi.key] = (now.value, now.previous)
        current, earlier = _groups(now), _groups(before)
        labels = {key: label for key, label, _value in now.groups + before.groups}
        for uid in set(current) | set(earlier):
            if uid not in users:
                name = labels.get(uid, "") if uid is not None else _("No one")
                users[uid] = Row(USER, uid, name)
        for uid, row in users.items():
            row.values[kpi.key] = (
                current.get(uid, _empty(kpi)),
                earlier.get(uid, _empty(kpi)),
            )
        team_series = []
        for team, row in zip(teams, team_rows, strict=True):
            m = measure(kpi.key, Scope(actor=actor, team_id=team.pk), start=start, end=end,
                        grain=grain)  # fmt: skip
            row.values[kpi.key] = (m.value, m.previous)
            team_series.append((TEAM, team.pk, team.name, m.series))
        if chart_kpi is not None and kpi.key == chart_kpi.key:
            series = [(TOTAL, None, str(_("Everyone")), now.series)]
            if lines == USER:
                series += _member_series(actor, kpi, members, start, end, grain)
            else:
                series += team_series
    return Adoption(
        start=start,
        end=end,
        previous_start=start - (end - start) - ONE_DAY,
        previous_end=start - ONE_DAY,
        grain=grain,
        kpis=kpis,
        users=sorted(users.values(), key=_order),
        teams=team_rows,
        total=total,
        chart_kpi=chart_kpi,
        series=series,
    )


def _member_series(
    actor: Actor, kpi: Kpi, members: dict[Any, str], start: date, end: date, grain: Grain
) -> list[tuple[str, int | None, str, list[Point]]]:
    """The KPI over time for each active member (cut by owner), by name."""
    out = []
    for uid, name in sorted(members.items(), key=lambda m: m[1].casefold()):
        m = measure(kpi.key, Scope(actor=actor, owner_id=uid), start=start, end=end, grain=grain)
        out.append((USER, uid, name, m.series))
    return out


def _empty(kpi: Kpi) -> Any:
    """A member with no rows: 0 for a count, nothing (None) for a rate or a mean."""
    return 0 if kpi.unit is Unit.COUNT else None


def _order(row: Row) -> tuple[bool, str]:
    """Members by name (casefolded), "No one" last."""
    return (row.key is None, row.name.casefold())
