"""The period picker of the insights screens: a preset (the last 30 days, this month, last month,
this quarter, this year) or a custom first and last day, read from the query string.

Presets run to today (in the workspace's time zone) except last month, which is whole. A period
the picker cannot read comes back with the reason by field, for the page to show (never a 500).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.core.kpis import Grain
from vinculo.core.kpis.engine import MAX_DAYS

DEFAULT = "last_30"
CUSTOM = "custom"
PRESETS: list[tuple[str, Any]] = [
    ("last_30", gettext_lazy("Last 30 days")),
    ("this_month", gettext_lazy("This month")),
    ("last_month", gettext_lazy("Last month")),
    ("this_quarter", gettext_lazy("This quarter")),
    ("this_year", gettext_lazy("This year")),
    (CUSTOM, gettext_lazy("Custom")),
]
GRAINS: list[tuple[str, Any]] = [
    (Grain.DAY, gettext_lazy("Day")),
    (Grain.WEEK, gettext_lazy("Week")),
    (Grain.MONTH, gettext_lazy("Month")),
    (Grain.QUARTER, gettext_lazy("Quarter")),
]


@dataclass
class Picked:
    """What the picker asked for: the preset, the days (None when they cannot be read) and
    the errors by field (``period``, ``from``, ``to``)."""

    preset: str
    start: date | None
    end: date | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors and self.start is not None and self.end is not None

    def query(self) -> dict[str, str]:
        """The query string that asks for this period again (for links to other screens)."""
        if self.preset != CUSTOM:
            return {"period": self.preset}
        return {
            "period": CUSTOM,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_days(preset: str, today: date) -> tuple[date, date]:
    """The first and last day of ``preset`` on ``today``."""
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        return _quarter_start(today), today
    if preset == "this_year":
        return date(today.year, 1, 1), today
    return today - timedelta(days=29), today


def _day(text: str, name: str, errors: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors.setdefault(name, []).append(_("Enter a day as YYYY-MM-DD."))
        return None


def read_period(params: QueryDict, today: date) -> Picked:
    """The period of ``params``: ``period`` (a preset or ``custom``), ``from`` and ``to``
    (custom days, both included); days without a preset are a custom period."""
    raw_from, raw_to = params.get("from", "").strip(), params.get("to", "").strip()
    preset = params.get("period", "").strip() or (CUSTOM if raw_from or raw_to else DEFAULT)
    errors: dict[str, list[str]] = {}
    if preset not in dict(PRESETS):
        errors["period"] = [_("Choose a period from the list.")]
        return Picked(preset, None, None, errors)
    if preset != CUSTOM:
        return Picked(preset, *preset_days(preset, today))
    if not raw_from:
        errors["from"] = [_("Give the first day of the period.")]
    start = _day(raw_from, "from", errors) if raw_from else None
    end = _day(raw_to, "to", errors) if raw_to else today
    if start and end:
        if end < start:
            errors.setdefault("to", []).append(_("The end comes before the start."))
        elif (end - start).days + 1 > MAX_DAYS:
            errors.setdefault("from", []).append(_("Ask for at most three years at a time."))
    return Picked(preset, start, end, errors)


def default_grain(start: date, end: date) -> Grain:
    """A grain that gives a readable number of points: days up to two months, weeks up to a
    year, months beyond."""
    days = (end - start).days + 1
    if days <= 62:
        return Grain.DAY
    if days <= 366:
        return Grain.WEEK
    return Grain.MONTH


def read_grain(params: QueryDict, start: date, end: date) -> tuple[Grain, list[str]]:
    """``grain`` from ``params`` (the default for the period when absent) and its errors."""
    raw = params.get("grain", "").strip()
    if not raw:
        return default_grain(start, end), []
    try:
        return Grain(raw), []
    except ValueError:
        return default_grain(start, end), [_("Choose a grain from the list.")]
