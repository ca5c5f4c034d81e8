"""What a widget may be: its kinds (which need a KPI, which a dimension), the period presets,
the widths, and the default dashboards every workspace gets (Sales, Marketing, Service,
Management) with their widgets."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext_lazy

from vinculo.insights.dashboards.models import WidgetKind
from vinculo.insights.periods import preset_days

SERIES_KINDS = {WidgetKind.LINE, WidgetKind.BAR, WidgetKind.AREA}
KPI_KINDS = {WidgetKind.NUMBER, WidgetKind.LEADERBOARD, WidgetKind.TABLE, *SERIES_KINDS}
WIDTHS = (1, 2, 3, 4)
MAX_WIDGETS = 40
MAX_LIMIT = 50
FILTER_KEYS = ("segment", "segment_object", "pipeline_id", "owner_id", "team_id", "source",
               "lifecycle_stage")  # fmt: skip

PERIODS: list[tuple[str, Any]] = [
    ("last_30", gettext_lazy("Last 30 days")),
    ("last_90", gettext_lazy("Last 90 days")),
    ("this_month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("this_quarter", gettext_lazy("This quarter")),
    ("this_year", gettext_lazy("This year")),
    ("last_12_months", gettext_lazy("Last 12 months")),
]

# The default dashboards' names, said in the reader's language (the row keeps only the kind).
DEFAULT_NAMES: dict[str, Any] = {
    "sales": gettext_lazy("Sales"),
    "marketing": gettext_lazy("Marketing"),
    "service": gettext_lazy("Service"),
    "management": gettext_lazy("Management"),
}


def period_days(preset: str, today: date) -> tuple[date, date]:
    """The first and last day of a widget's period preset on ``today``."""
    if preset == "last_90":
        return today - timedelta(days=89), today
    if preset == "last_12_months":  # the eleven whole months before this one, and this one
        month = today.month - 1 - 11
        return date(today.year + month // 12, month % 12 + 1, 1), today
    return preset_days(preset, today)


def _w(kind: str, kpi: str = "", width: int = 1, **rest: Any) -> dict[str, Any]:
    return {"kind": kind, "kpi": kpi, "width": width, **rest}


# kind → its widgets, in order (kind, KPI, width, grain, period, group_by, limit, basis).
DEFAULTS: dict[str, list[dict[str, Any]]] = {
    "sales": [
        _w("number", "win_rate"),
        _w("number", "new_revenue"),
        _w("number", "pipeline_value"),
        _w("number", "sales_cycle"),
        _w("bar", "new_revenue", 2, grain="month", period="last_12_months"),
        _w("funnel", "", 2, period="this_quarter"),
        _w("leaderboard", "new_revenue", 2, period="this_quarter", group_by="owner", limit=5),
        _w("line", "win_rate", 2, grain="month", period="last_12_months"),
    ],
    "marketing": [
        _w("number", "new_leads"),
        _w("number", "lead_to_customer"),
        _w("number", "lead_response_time"),
        _w("number", "new_people"),
        _w("area", "new_leads", 2, grain="week", period="last_90"),
        _w("table", "new_people", 2, period="last_90", group_by="source"),
    ],
    "service": [
        _w("number", "calls"),
        _w("number", "meetings"),
        _w("number", "lead_response_time"),
        _w("leaderboard", "calls", 1, group_by="owner", limit=5),
        _w("bar", "meetings", 2, grain="week", period="last_90"),
        _w("line", "lead_response_time", 2, grain="week", period="last_90"),
    ],
    "management": [
        _w("number", "new_customers"),
        _w("number", "new_revenue"),
        _w("number", "purchase_revenue"),
        _w("number", "data_quality_score"),
        _w("line", "new_customers", 2, grain="month", period="last_12_months"),
        _w("bar", "purchase_revenue", 2, grain="month", period="last_12_months"),
        _w("cohort", "", 4, grain="month", period="last_12_months", basis="purchases"),
    ],
}


# Ready-made widgets the edit mode offers in one click (key, label, the widget's fields): the
# adoption leaderboard ranks the members by the activities they logged this month (shown only
# while the workspace's leaderboards are on, docs/adoption.md).
SUGGESTED: list[tuple[str, Any, dict[str, Any]]] = [
    (
        "adoption_leaderboard",
        gettext_lazy("Adoption leaderboard: activities logged by member this month"),
        _w("leaderboard", "activities_logged", 2, period="this_month", group_by="owner", limit=10),
    ),
    (
        "tasks_on_time_leaderboard",
        gettext_lazy("Tasks done on time by member this month"),
        _w("leaderboard", "tasks_on_time", 2, period="this_month", group_by="owner", limit=10),
    ),
]
