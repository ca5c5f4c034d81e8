"""A KPI's value as a reader reads it (money with its currency, a percentage, a length of time,
a count), in the active language: what the KPI screens, goals and the plan's documents show."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from vinculo.core.formats import format_duration, format_money, format_number, format_percent
from vinculo.core.kpis.registry import Kpi, Unit

NOTHING = "—"


def shown(kpi: Kpi, value: Any, currency: str = "") -> str:
    """``value`` of ``kpi`` as the reader reads it; a dash for nothing to measure."""
    if value is None:
        return NOTHING
    if kpi.unit is Unit.MONEY:
        return format_money(value, currency or None)
    if kpi.unit is Unit.PERCENT:
        return format_percent(round(Decimal(str(value)) * 100, 1))
    if kpi.unit is Unit.DURATION:
        return format_duration(value)
    if kpi.unit is Unit.COUNT:
        return format_number(int(value))
    return format_number(round(Decimal(str(value)), 2), trim=True)
