"""API: the KPI catalogue and one KPI measured over a period (``/api/v1/kpis``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.currency import CONVERTED
from vinculo.core.filters import parse_filter_param
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis.engine import measure
from vinculo.core.kpis.registry import Grain, Kpi, Measurement, Scope, all_kpis
from vinculo.core.permissions import require
from vinculo.core.schemas import ERRORS, Id

router = Router(tags=["kpis"])

Number = Decimal | float | int | None


class KpiOut(Schema):
    key: str
    name: str
    unit: str
    good: str = Field(description="Which way is good: up or down.")
    definition: str
    aggregate: str
    snapshot: bool = Field(description="Measured as of a moment (the end of each period).")
    dimensions: list[str]
    segments: list[str] = Field(description="Record types a segment (filter) may be on.")
    app: str


class KpiList(Schema):
    items: list[KpiOut]


class KpiQuery(Schema):
    from_: date | None = Field(None, alias="from", description="First day (default: 30 days ago).")
    to: date | None = Field(None, description="Last day, inclusive (default: today).")
    grain: Grain = Grain.WEEK
    group_by: str | None = Field(None, examples=["owner"])
    filter: str | None = Field(None, description="A segment: filter-language JSON.")
    segment_object: Literal["person", "deal"] = "person"
    currency: str | None = Field(
        None,
        pattern=r"^([A-Za-z]{3}|converted)$",
        examples=["BRL", "converted"],
        description="Money KPIs: one currency (default: the workspace's), or `converted`: "
        "every currency, converted into the workspace's with the rates it entered.",
    )
    owner_id: Id | None = None
    team_id: Id | None = None
    pipeline_id: Id | None = None
    source: str | None = Field(None, max_length=60)
    lifecycle_stage: str | None = Field(None, max_length=40)


class PointOut(Schema):
    start: date
    end: date
    value: Number


class GroupOut(Schema):
    key: str | int | None
    label: str
    value: Number


class MissingRateOut(Schema):
    currency: str
    month: str = Field(examples=["2026-03"])


class MeasurementOut(Schema):
    key: str
    unit: str
    start: date
    end: date
    grain: str
    value: Number
    previous_start: date
    previous_end: date
    previous: Number
    change: float | None = Field(description="(value - previous) / |previous|; null when 0.")
    currency: str
    converted: bool = Field(description="Money of every currency, converted into `currency`.")
    missing_rates: list[MissingRateOut] = Field(
        description="Converted: each currency and month without a rate; their records are left "
        "out of the figures until the workspace enters it."
    )
    series: list[PointOut]
    groups: list[GroupOut]


def kpi_json(kpi: Kpi) -> dict[str, Any]:
    return {
        "key": kpi.key,
        "name": str(kpi.name),
        "unit": kpi.unit,
        "good": kpi.good,
        "definition": str(kpi.definition),
        "aggregate": kpi.aggregate,
        "snapshot": kpi.is_snapshot,
        "dimensions": sorted(kpi.dimensions),
        "segments": sorted(kpi.segments),
        "app": kpi.app,
    }


def measurement_json(m: Measurement) -> dict[str, Any]:
    return {
        "key": m.kpi.key,
        "unit": m.kpi.unit,
        "start": m.start,
        "end": m.end,
        "grain": m.grain,
        "value": m.value,
        "previous_start": m.previous_start,
        "previous_end": m.previous_end,
        "previous": m.previous,
        "change": m.change,
        "currency": m.currency,
        "converted": m.converted,
        "missing_rates": [
            {"currency": c, "month": f"{month:%Y-%m}"} for c, month in m.missing_rates
        ],
        "series": [{"start": p.start, "end": p.end, "value": p.value} for p in m.series],
        "groups": [{"key": k, "label": label, "value": v} for k, label, v in m.groups],
    }


def _currency(raw: str | None) -> str:
    return CONVERTED if raw == CONVERTED else (raw or "").upper()


@router.get("/kpis", response={200: KpiList, **ERRORS}, summary="The KPIs this workspace can see")
def list_kpis(request: HttpRequest) -> dict[str, Any]:
    require(actor_of(request), "insights.view")
    return {"items": [kpi_json(k) for k in all_kpis()]}


@router.get("/kpis/{key}", response={200: MeasurementOut, **ERRORS}, summary="A KPI over a period")
def get_kpi(request: HttpRequest, key: str, query: Query[KpiQuery]) -> dict[str, Any]:
    """The value over ``from``..``to`` (days in the workspace's time zone), the previous period
    of the same length, the series at ``grain`` and, with ``group_by``, the value per group."""
    actor = actor_of(request)
    require(actor, "insights.view")
    today = workspace_today(actor)
    end = query.to or today
    start = query.from_ or end - timedelta(days=29)
    scope = Scope(
        actor=actor,
        owner_id=query.owner_id,
        team_id=query.team_id,
        pipeline_id=query.pipeline_id,
        source=query.source,
        lifecycle_stage=query.lifecycle_stage,
        segment=parse_filter_param(query.filter),
        currency=_currency(query.currency),
    )
    found = measure(
        key,
        scope,
        start=start,
        end=end,
        grain=query.grain,
        group_by=query.group_by,
        segment_object=query.segment_object,
    )
    return measurement_json(found)
