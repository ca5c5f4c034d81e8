"""Checking a widget's fields before it is saved: each error names its field (``kpi`` for an
unknown KPI, ``grain`` for a grain it cannot be measured at, ``filters.segment…`` for a filter
that does not compile, ``group_by`` for a dimension the KPI lacks, ``basis`` for a cohort heat
map's basis no cohort report has)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError, choice_error
from vinculo.core.filters import BadFilter, validate_filter
from vinculo.core.kpis import Grain, Kpi, get
from vinculo.core.kpis.engine import MAX_BUCKETS, periods
from vinculo.core.reports import cohort_bases
from vinculo.core.tenancy import Membership, Team
from vinculo.insights.dashboards.catalogue import (
    FILTER_KEYS,
    KPI_KINDS,
    MAX_LIMIT,
    PERIODS,
    WIDTHS,
    period_days,
)
from vinculo.insights.dashboards.models import WidgetKind
from vinculo.sales.models import Pipeline

DIMENSION_FILTERS = {
    "pipeline_id": "pipeline",
    "owner_id": "owner",
    "team_id": "owner",
    "source": "source",
    "lifecycle_stage": "lifecycle_stage",
}
_EXAMPLE_DAY = date(2024, 12, 31)  # a leap year: the longest period a preset gives


def _int(value: Any, field: str, errors: list[FieldError], low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.append(FieldError(field, _("Enter a whole number."), "invalid_type"))
        return None
    if not low <= number <= high:
        errors.append(
            FieldError(
                field,
                _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high},
                "out_of_range",
            )
        )
        return None
    return number


def check_kind_and_kpi(data: dict[str, Any], errors: list[FieldError]) -> Kpi | None:
    kind = data.get("kind")
    if kind not in WidgetKind.values:
        errors.append(choice_error("kind", kind, WidgetKind.values))
        return None
    key = str(data.get("kpi") or "").strip()
    if kind not in KPI_KINDS:
        data["kpi"] = ""
        return None
    if not key:
        errors.append(FieldError("kpi", _("Choose a KPI."), "required"))
        return None
    kpi = get(key)
    if kpi is None:
        errors.append(FieldError("kpi", _("No KPI is called %(key)s.") % {"key": key}, "unknown"))
    return kpi


def check_basis(data: dict[str, Any], errors: list[FieldError]) -> None:
    """A cohort heat map's basis (a registered cohort report's); blank for every other kind. The
    heat map is monthly: its grain is ``month``."""
    if data.get("kind") != WidgetKind.COHORT:
        data["basis"] = ""
        return
    data["grain"] = "month"
    basis = str(data.get("basis") or "").strip()
    bases = [key for key, _label in cohort_bases()]
    if not basis:
        choose = _("Choose a basis: %(bases)s.") % {"bases": ", ".join(bases)}
        errors.append(FieldError("basis", choose, "required"))
    elif basis not in bases:
        errors.append(choice_error("basis", basis, bases))
    data["basis"] = basis


def check_period_and_grain(data: dict[str, Any], errors: list[FieldError]) -> None:
    if data.get("period") not in dict(PERIODS):
        errors.append(choice_error("period", data.get("period"), dict(PERIODS)))
        return
    try:
        grain = Grain(str(data.get("grain")))
    except ValueError:
        errors.append(choice_error("grain", data.get("grain"), [g.value for g in Grain]))
        return
    start, end = period_days(data["period"], _EXAMPLE_DAY)
    if len(periods(start, end, grain)) > MAX_BUCKETS:
        errors.append(FieldError("grain", _("Too many points: use a coarser grain."), "invalid"))


def check_layout(data: dict[str, Any], errors: list[FieldError]) -> None:
    width = _int(data.get("width", 1), "width", errors, WIDTHS[0], WIDTHS[-1])
    if width is not None:
        data["width"] = width
    limit = _int(data.get("limit", 5), "limit", errors, 1, MAX_LIMIT)
    if limit is not None:
        data["limit"] = limit


def check_group_by(data: dict[str, Any], kpi: Kpi | None, errors: list[FieldError]) -> None:
    kind = data.get("kind")
    group_by = str(data.get("group_by") or "").strip()
    if kind == WidgetKind.LEADERBOARD:
        group_by = "owner"
    elif kind != WidgetKind.TABLE:
        group_by = ""
    elif not group_by:
        errors.append(FieldError("group_by", _("Choose what to group by."), "required"))
    data["group_by"] = group_by
    if kpi is not None and group_by and group_by not in kpi.dimensions:
        errors.append(
            FieldError(
                "group_by",
                _("This KPI cannot be cut by %(dimension)s.") % {"dimension": group_by},
                "invalid",
            )
        )


def _check_ids(actor: Actor, filters: dict[str, Any], errors: list[FieldError]) -> None:
    workspace = actor.workspace
    tables = {
        "pipeline_id": Pipeline.objects.for_workspace(workspace),
        "team_id": Team.objects.for_workspace(workspace),
    }
    for name, qs in tables.items():
        if filters.get(name) is not None and not qs.filter(pk=filters[name]).exists():
            errors.append(
                FieldError(f"filters.{name}", _("Not found in this workspace."), "unknown")
            )
    owner = filters.get("owner_id")
    if (
        owner is not None
        and not Membership.objects.for_workspace(workspace).filter(user_id=owner).exists()
    ):
        errors.append(
            FieldError("filters.owner_id", _("Not a member of this workspace."), "unknown")
        )


def _check_segment(
    actor: Actor, filters: dict[str, Any], kpi: Kpi | None, errors: list[FieldError]
) -> None:
    segment = filters.get("segment")
    target = filters.setdefault("segment_object", "person")
    if target not in ("person", "deal"):
        errors.append(choice_error("filters.segment_object", target, ["person", "deal"]))
        return
    if not segment:
        filters.pop("segment", None)
        return
    if kpi is not None and target not in kpi.segments:
        errors.append(
            FieldError(
                "filters.segment",
                _("This KPI cannot be cut by a segment of these records."),
                "invalid",
            )
        )
        return
    try:
        validate_filter(target, segment, actor=actor)
    except BadFilter as exc:  # "filter.and.1.op" → "filters.segment.and.1.op"
        found = [
            FieldError(f"filters.segment{e.field[len('filter') :]}", e.message, e.code)
            for e in exc.errors
        ]
        errors.extend(found or [FieldError("filters.segment", exc.detail)])


def check_filters(
    actor: Actor, data: dict[str, Any], kpi: Kpi | None, errors: list[FieldError]
) -> None:
    filters = data.get("filters") or {}
    if not isinstance(filters, dict):
        errors.append(FieldError("filters", _("Send an object."), "invalid_type"))
        return
    filters = {k: v for k, v in filters.items() if v not in (None, "")}
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    for name in unknown:
        errors.append(FieldError(f"filters.{name}", _("Unknown filter."), "unknown"))
    if data.get("kind") == WidgetKind.COHORT:
        for name in sorted(set(filters) - {"segment_object", *unknown}):
            errors.append(
                FieldError(
                    f"filters.{name}", _("A cohort heat map cannot be cut by filters."), "invalid"
                )
            )
    for name in ("pipeline_id", "owner_id", "team_id"):
        if name in filters:
            filters[name] = _int(filters[name], f"filters.{name}", errors, 1, 2**31 - 1)
    for name, dimension in DIMENSION_FILTERS.items():
        if kpi is not None and filters.get(name) is not None and dimension not in kpi.dimensions:
            errors.append(
                FieldError(
                    f"filters.{name}",
                    _("This KPI cannot be cut by %(dimension)s.") % {"dimension": dimension},
                    "invalid",
                )
            )
    _check_ids(actor, filters, errors)
    _check_segment(actor, filters, kpi, errors)
    data["filters"] = filters
