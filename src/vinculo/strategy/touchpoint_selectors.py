"""Reads of the touchpoint map: the cells, one cell, the grid (lifecycle stages by departments)
and :func:`communication_policy`, THE read campaigns, automation and service SLAs use to learn
the rule of a channel at a stage (docs/experience.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.contacts.models import LifecycleStage
from vinculo.core import kpis
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.strategy.models import Function, Touchpoint, TouchpointChannel
from vinculo.strategy.touchpoint_policy import policy_words

DEPARTMENT_ORDER = {value: i for i, value in enumerate(Function.values)}
CHANNEL_ORDER = {value: i for i, value in enumerate(TouchpointChannel.values)}


def touchpoints(actor: Actor) -> QuerySet[Touchpoint]:
    require(actor, "records.view")
    return (
        Touchpoint.objects.for_workspace(actor.workspace)
        .select_related("owner", "team")
        .order_by("lifecycle_stage", "department", "channel", "pk")
    )


def get_touchpoint(actor: Actor, touchpoint_id: int) -> Touchpoint:
    touchpoint = touchpoints(actor).filter(pk=touchpoint_id).first()
    if touchpoint is None:
        raise NotFound(_("No touchpoint with id %(id)s.") % {"id": touchpoint_id})
    return touchpoint


@dataclass(frozen=True)
class Policy:
    """The communication rule of one cell of the map. ``kind`` is "" (no rule),
    ``reply_within`` (``amount`` ``unit``: minutes, hours, business_hours, days, business_days)
    or ``at_most`` / ``at_least`` (``amount`` messages or contacts a ``unit``: day, week,
    month); ``note`` is free text, ``kpi_key`` the registered KPI that watches it."""

    touchpoint_id: int
    lifecycle_stage: str
    department: str
    channel: str
    kind: str
    amount: int | None
    unit: str
    note: str
    owner_id: int | None
    team_id: int | None
    kpi_key: str

    @property
    def words(self) -> str:
        """The rule in the active language ("Reply within 2 business hours")."""
        return policy_words(self.kind, self.amount, self.unit)


def _policy(t: Touchpoint) -> Policy:
    return Policy(
        touchpoint_id=t.pk,
        lifecycle_stage=t.lifecycle_stage,
        department=t.department,
        channel=t.channel,
        kind=t.policy_kind,
        amount=t.policy_amount,
        unit=t.policy_unit,
        note=t.policy_note,
        owner_id=t.owner_id,
        team_id=t.team_id,
        kpi_key=t.kpi_key,
    )


def communication_policy(
    workspace: Any,
    *,
    channel: str | None = None,
    department: str | None = None,
    lifecycle_stage: str | None = None,
) -> list[Policy]:
    """The communication policy of ``workspace``: every cell of its touchpoint map matching the
    given channel, department and lifecycle stage key (None: any), in the map's order (stage
    position, department, channel). The one read other apps make of the map: a campaign asks
    ``channel="email", department="marketing", lifecycle_stage="lead"`` and holds its sends
    to the ``at_most`` rules it gets; a service SLA asks ``department="service"`` for the
    ``reply_within`` rules. Called by system jobs too, so it takes the workspace, not an
    actor, and checks no permission; it never writes."""
    qs = Touchpoint.objects.for_workspace(workspace)
    if channel:
        qs = qs.filter(channel=channel)
    if department:
        qs = qs.filter(department=department)
    if lifecycle_stage:
        qs = qs.filter(lifecycle_stage=lifecycle_stage)
    cells = list(qs)
    if not cells:
        return []
    positions = dict(LifecycleStage.objects.for_workspace(workspace).values_list("key", "position"))
    cells.sort(
        key=lambda t: (
            positions.get(t.lifecycle_stage, len(positions)),
            t.lifecycle_stage,
            DEPARTMENT_ORDER.get(t.department, 99),
            CHANNEL_ORDER.get(t.channel, 99),
        )
    )
    return [_policy(t) for t in cells]


@dataclass
class MapRow:
    stage_key: str
    stage: LifecycleStage | None  # None: a key no stage of the workspace has any longer
    cells: list[list[Touchpoint]] = field(default_factory=list)  # one list per department


def touchpoint_map(actor: Actor) -> tuple[list[tuple[str, Any]], list[MapRow]]:
    """The grid: the departments (columns) and one row per lifecycle stage in its order, each
    with the cells' touchpoints per department; a row per unknown stage key comes last."""
    departments = list(Function.choices)
    rows: dict[str, MapRow] = {}
    stages = LifecycleStage.objects.for_workspace(actor.workspace).order_by("position", "pk")
    for stage in stages:
        rows[stage.key] = MapRow(stage.key, stage, [[] for _d in departments])
    column = {value: i for i, (value, _label) in enumerate(departments)}
    for t in touchpoints(actor):
        row = rows.get(t.lifecycle_stage)
        if row is None:
            row = rows[t.lifecycle_stage] = MapRow(
                t.lifecycle_stage, None, [[] for _d in departments]
            )
        row.cells[column.get(t.department, 0)].append(t)
    for row in rows.values():
        for cell in row.cells:
            cell.sort(key=lambda t: CHANNEL_ORDER.get(t.channel, 99))
    return departments, list(rows.values())


def kpi_name(key: str) -> str:
    """The watching KPI's name in the active language (the key when it is not registered)."""
    kpi = kpis.get(key) if key else None
    return str(kpi.name) if kpi is not None else key


def kpi_choices() -> list[tuple[str, str]]:
    """Every registered KPI as (key, name in the active language), by name: the forms' choices."""
    return sorted(((k.key, str(k.name)) for k in kpis.all_kpis()), key=lambda pair: pair[1])
