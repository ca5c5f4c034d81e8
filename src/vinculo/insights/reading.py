"""What an insights screen asks for, read from its query string, and the KPIs measured for it.

The overview measures every registered KPI over the period at week grain (the cards'
sparklines); the KPI page measures one at the grain asked, cut by one of its dimensions, in one
currency for money, and the previous period's series beside it for comparison. Input the screen
cannot use comes back as errors by field, never as a 500."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import ServiceError, ValidationFailed
from vinculo.core.filters import BadFilter, parse_filter_param
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Grain, Kpi, Measurement, Scope, Unit, all_kpis, measure
from vinculo.core.kpis.registry import Point
from vinculo.insights import presenting
from vinculo.insights.periods import Picked, read_grain, read_period


def _errors_of(exc: ServiceError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(error.field or "period", []).append(error.message)
    return errors or {"period": [exc.detail]}


# --- the overview -------------------------------------------------------------------------------


@dataclass
class Overview:
    picked: Picked
    measurements: list[Measurement] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)


def read_overview(actor: Actor, params: QueryDict) -> Overview:
    """Every KPI over the period asked (weekly series), or the errors of the period."""
    picked = read_period(params, workspace_today(actor))
    found = Overview(picked, errors=dict(picked.errors))
    if not picked.ok or picked.start is None or picked.end is None:
        return found
    scope = Scope(actor=actor)
    kpis = sorted(all_kpis(), key=lambda k: presenting.app_order(k.app))
    try:
        found.measurements = [
            measure(kpi.key, scope, start=picked.start, end=picked.end, grain=Grain.WEEK)
            for kpi in kpis
        ]
    except ValidationFailed as exc:
        found.errors = _errors_of(exc)
    return found


# --- one KPI ------------------------------------------------------------------------------------


@dataclass
class Reading:
    """One KPI as its page asks for it; ``measurement`` and ``earlier`` (the previous period at
    the same grain) are None when the input has errors."""

    kpi: Kpi
    picked: Picked
    grain: Grain = Grain.WEEK
    group_by: str = ""
    currency: str = ""
    currencies: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    measurement: Measurement | None = None
    earlier: Measurement | None = None
    # the query of a dashboard widget's filters (owner, pipeline, segment…) it is cut by
    narrowing: dict[str, str] = field(default_factory=dict)

    @property
    def groups(self) -> list[tuple[Any, str, Any]]:
        return self.measurement.groups if self.measurement else []

    def previous_points(self) -> list[Point | None]:
        """The previous period's buckets, one beside each of this period's, in order (None
        where it has fewer: its first and last buckets are cut to its own days)."""
        if self.measurement is None or self.earlier is None:
            return []
        earlier = self.earlier.series
        count = len(self.measurement.series)
        return [earlier[i] if i < len(earlier) else None for i in range(count)]


def _read_choices(reading: Reading, actor: Actor, params: QueryDict) -> None:
    kpi = reading.kpi
    group_by = params.get("group_by", "").strip()
    if group_by and group_by not in kpi.dimensions:
        reading.errors["group_by"] = [
            _("This KPI cannot be cut by %(dimension)s.") % {"dimension": group_by}
        ]
    else:
        reading.group_by = group_by
    if kpi.unit is Unit.MONEY or kpi.currency:
        reading.currencies = presenting.currencies(actor)
        currency = params.get("currency", "").strip().upper() or reading.currencies[0]
        if currency in reading.currencies:
            reading.currency = currency
        else:
            reading.currency = reading.currencies[0]
            reading.errors["currency"] = [_("Choose a currency from the list.")]


NARROWING = ("owner_id", "team_id", "pipeline_id", "source", "lifecycle_stage")


def read_narrowing(params: QueryDict) -> dict[str, Any]:
    """The filters a dashboard widget links with (``owner_id``, ``team_id``, ``pipeline_id``,
    ``source``, ``lifecycle_stage``, ``filter``: a segment); 422 naming the bad one."""
    out: dict[str, Any] = {}
    for name in NARROWING[:3]:
        raw = params.get(name, "").strip()
        if raw:
            try:
                out[name] = int(raw)
            except ValueError:
                raise ValidationFailed.field(name, _("Enter a whole number.")) from None
    for name in NARROWING[3:]:
        if params.get(name, "").strip():
            out[name] = params.get(name, "").strip()
    segment = parse_filter_param(params.get("filter"))
    if segment:
        out["segment"] = segment
    if params.get("segment_object", "person") not in ("person", "deal"):
        raise ValidationFailed.field("segment_object", _("Choose people or deals."))
    return out


def read_kpi(actor: Actor, kpi: Kpi, params: QueryDict) -> Reading:
    """``kpi`` over the period, grain, group and currency of ``params``."""
    picked = read_period(params, workspace_today(actor))
    reading = Reading(kpi, picked, errors=dict(picked.errors))
    _read_choices(reading, actor, params)
    if picked.start is None or picked.end is None:
        return reading
    reading.grain, grain_errors = read_grain(params, picked.start, picked.end)
    if grain_errors:
        reading.errors["grain"] = grain_errors
    if reading.errors:
        return reading
    try:
        narrowed = read_narrowing(params)
        scope = Scope(actor=actor, currency=reading.currency, **narrowed)
        target = params.get("segment_object", "person")
        found = measure(
            kpi.key,
            scope,
            start=picked.start,
            end=picked.end,
            grain=reading.grain,
            group_by=reading.group_by or None,
            segment_object=target,
        )
        reading.earlier = measure(
            kpi.key,
            scope,
            start=found.previous_start,
            end=found.previous_end,
            grain=reading.grain,
            segment_object=target,
        )
        reading.narrowing = {
            name: params.get(name, "")
            for name in (*NARROWING, "filter", "segment_object")
            if params.get(name, "").strip()
        }
    except (ValidationFailed, BadFilter) as exc:
        reading.errors = _errors_of(exc)
        return reading
    if reading.group_by in {"pipeline", "lifecycle_stage"}:
        names = presenting.group_names(actor, reading.group_by, [g[0] for g in found.groups])
        found.groups = [(key, names.get(key, label), value) for key, label, value in found.groups]
    reading.measurement = found
    return reading
