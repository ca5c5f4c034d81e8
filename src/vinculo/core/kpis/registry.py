"""What a KPI is and where KPIs and dimensions are registered (see :mod:`vinculo.core.kpis`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vinculo.core.actor import Actor
from vinculo.core.currency import CONVERTED


class Unit(StrEnum):
    COUNT = "count"
    MONEY = "money"
    PERCENT = "percent"  # a share between 0 and 1, shown as a percentage
    DURATION = "duration"  # seconds
    NUMBER = "number"


class Direction(StrEnum):
    """Which way is good."""

    UP = "up"
    DOWN = "down"


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"  # ISO weeks, Monday first
    MONTH = "month"
    QUARTER = "quarter"


class Aggregate(StrEnum):
    COUNT = "count"  # rows
    SUM = "sum"  # of the value
    MEAN = "mean"
    MEDIAN = "median"
    RATE = "rate"  # the share of rows whose value is true (0..1)
    DISTINCT = "distinct"  # distinct values (e.g. customers who bought)
    REPEAT = "repeat"  # the share of distinct values met more than once (repeat buyers)
    SUM_PER = "sum_per"  # the sum of the value per distinct ``per`` (revenue per customer)
    RATIO = "ratio"  # a ratio of two measures, worked out by the KPI's ``compute`` (CAC)
    # Of the distinct values met in the span before (the previous period, the bucket before),
    # the share met again in this one (retained) or not (churned): see kpis.retention.
    RETAINED = "retained"
    CHURNED = "churned"


@dataclass(frozen=True)
class Dimension:
    """Something a KPI can be cut by; ``labels`` names its values for the actor's workspace."""

    key: str
    label: Any
    labels: Callable[[Actor, Iterable[Any]], dict[Any, str]] | None = None


DIMENSIONS: dict[str, Dimension] = {}


def register_dimension(dimension: Dimension) -> Dimension:
    DIMENSIONS[dimension.key] = dimension
    return dimension


register_dimension(Dimension("owner", _("Owner")))
register_dimension(Dimension("team", _("Team")))
register_dimension(Dimension("source", _("Source")))
register_dimension(Dimension("segment", _("Segment")))


@dataclass(frozen=True)
class Scope:
    """Who asks and what part of the data: the dimensions' values (None: all) and a segment,
    a filter-language tree on ``segment_object`` (people or deals)."""

    actor: Actor
    owner_id: int | None = None
    team_id: int | None = None
    pipeline_id: int | None = None
    source: str | None = None
    lifecycle_stage: str | None = None
    segment: dict | None = None
    currency: str = ""  # money KPIs: this currency only (default: the workspace's), or
    # "converted": every currency, converted into the workspace's with the rates it entered

    @property
    def converted(self) -> bool:
        return self.currency == CONVERTED

    @property
    def workspace(self) -> Any:
        return self.actor.workspace


@dataclass(frozen=True)
class Frame:
    """What a KPI's own ``compute`` measures: the period and the previous one (days and, in the
    workspace's time zone, the instants that bound them), the buckets at the grain (``edges``:
    the first instant of each bucket, then the end of the period) and the dimension to group
    by. ``rate`` converts money when the scope asks for ``converted`` (None otherwise)."""

    start: date
    end: date
    previous_start: date
    previous_end: date
    grain: Grain
    buckets: list[tuple[date, date]]
    edges: list[datetime]
    window: tuple[datetime, datetime]
    before: tuple[datetime, datetime]
    group_by: str | None
    rate: Callable[[str, date | datetime], Any] | None = None


@dataclass
class Computed:
    """A ``compute`` KPI's answer: the value per bucket, the value, the previous period's and
    the value per group (keyed by what labels the group)."""

    series: list[Any]
    value: Any
    previous: Any
    groups: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kpi:
    """One metric, measured over ``rows`` (the queryset of what it counts, not cut by time):
    ``time`` is the moment each row happened and ``value`` what each row adds (unless it counts
    rows). A snapshot KPI also gives ``until``, the moment a row stops counting (a deal's close):
    its value at a moment aggregates the rows begun before it and not ended by it.

    ``dimensions`` maps each dimension it can be cut by to the path of its value in the rows
    (``owner`` → ``"owner_id"``); ``segments`` maps "person"/"deal" to the path of the row's
    person or deal id, so a segment of either filters it."""

    key: str
    name: Any
    unit: Unit
    good: Direction
    definition: Any
    rows: Callable[[Scope], QuerySet]
    aggregate: Aggregate = Aggregate.COUNT
    time: str = "created_at"
    value: str | None = None
    per: str | None = None  # with Aggregate.SUM_PER: what the sum is divided among
    until: str | None = None
    dimensions: dict[str, str] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)
    currency: str | None = None  # the rows' currency path, for money KPIs
    app: str = ""
    list_url: Callable[[Scope, date, date], str | None] | None = None  # the rows behind it
    # A measure the row aggregates cannot say (a ratio of two row sets: spend ÷ new customers):
    # called instead of them with the scope and the frame; money in the scope's currency or,
    # when converted, through ``frame.rate``. ``rows`` still names what it reads.
    compute: Callable[[Scope, Frame], Computed] | None = None
    # Rows the app keeps rolled up (:mod:`vinculo.core.kpis.columnar`): called with the scope
    # and a ``columnar.Request``, answers ``columnar.Columns`` or None (then ``rows`` are read).
    columns: Callable[[Scope, Any], Any] | None = None

    @property
    def is_snapshot(self) -> bool:
        return self.until is not None


_KPIS: dict[str, Kpi] = {}


def register(kpi: Kpi) -> Kpi:
    """Declare a KPI (from the owning app's ``ready()``); a key is declared once."""
    if kpi.key in _KPIS and _KPIS[kpi.key] != kpi:
        raise ValueError(f"KPI {kpi.key!r} is declared twice")
    _KPIS[kpi.key] = kpi
    return kpi


def get(key: str) -> Kpi | None:
    return _KPIS.get(key)


def all_kpis() -> list[Kpi]:
    return sorted(_KPIS.values(), key=lambda k: (k.app, k.key))


@dataclass
class Point:
    start: date
    end: date  # inclusive
    value: Any


@dataclass
class Measurement:
    """A KPI over a period: its value, the previous period's (same length, just before), the
    series at the grain, and the value per group when cut by a dimension."""

    kpi: Kpi
    start: date
    end: date
    grain: Grain
    value: Any
    previous_start: date
    previous_end: date
    previous: Any
    series: list[Point]
    groups: list[tuple[Any, str, Any]] = field(default_factory=list)  # (key, label, value)
    currency: str = ""
    converted: bool = False  # money of every currency, converted into ``currency``
    # with ``converted``: each currency and month that had no rate (left out, and said)
    missing_rates: list[tuple[str, date]] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        """The relative change from the previous period (None when either is missing or 0)."""
        if self.value is None or self.previous in (None, 0):
            return None
        return float(self.value - self.previous) / abs(float(self.previous))
