"""How a KPI's numbers are shown: the value as the reader reads it (money with its currency, a
percentage, a length of time, a count), the change from the previous period with whether it is
good, the plain numbers the charts draw (never localised: the browser formats them), and the
names of the groups a KPI is cut by."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.contacts.models import LifecycleStage
from vinculo.core.actor import Actor
from vinculo.core.formats import format_percent
from vinculo.core.kpis import DIMENSIONS, Direction, Kpi, Measurement, Unit
from vinculo.core.kpis.shown import NOTHING, shown

__all__ = ["NOTHING", "shown"]  # re-exported: the screens read both from here
from vinculo.sales.models import Deal, Pipeline

# The apps that declare KPIs, in the order the overview shows them (others follow by key).
APPS: list[tuple[str, Any]] = [
    ("sales", gettext_lazy("Sales")),
    ("contacts", gettext_lazy("Contacts")),
    ("activities", gettext_lazy("Activities")),
    ("events", gettext_lazy("Purchases")),
    ("quality", gettext_lazy("Data quality")),
    ("adoption", gettext_lazy("Adoption")),
]
# Dimensions the core registry does not name.
DIMENSION_LABELS: dict[str, Any] = {
    "pipeline": gettext_lazy("Pipeline"),
    "lifecycle_stage": gettext_lazy("Lifecycle stage"),
}
DAY = 86400


def app_label(app: str) -> str:
    return str(dict(APPS).get(app, app.replace("_", " ").capitalize()))


def app_order(app: str) -> tuple[int, str]:
    keys = [key for key, _label in APPS]
    return (keys.index(app) if app in keys else len(keys), app)


def dimension_label(key: str) -> str:
    dimension = DIMENSIONS.get(key)
    if dimension is not None:
        return str(dimension.label)
    return str(DIMENSION_LABELS.get(key, key.replace("_", " ").capitalize()))


def plain(kpi: Kpi, value: Any) -> float | int | None:
    """The number a chart draws and the CSV holds: percentages in percent, durations in days,
    money and other numbers as they are (rounded to cents)."""
    if value is None:
        return None
    if kpi.unit is Unit.COUNT:
        return int(value)
    number = float(value)
    if kpi.unit is Unit.PERCENT:
        return round(number * 100, 2)
    if kpi.unit is Unit.DURATION:
        return round(number / DAY, 2)
    return round(number, 2)


def unit_suffix(kpi: Kpi, currency: str = "") -> str:
    """What :func:`plain` numbers are in (a CSV heading's unit): ``BRL``, ``%``, days."""
    if kpi.unit is Unit.MONEY:
        return currency
    if kpi.unit is Unit.PERCENT:
        return "%"
    if kpi.unit is Unit.DURATION:
        return _("days")
    return ""


@dataclass(frozen=True)
class Change:
    """The change from the previous period: its text (``+12,5%``), an arrow, and its tone
    (``good``, ``bad`` or ``flat``) by which way is good for the KPI."""

    text: str
    arrow: str
    tone: str
    meaning: str  # for screen readers: better, worse, the same


def change_of(m: Measurement) -> Change | None:
    """None when there is nothing to compare with (no previous value, or 0)."""
    change = m.change
    if change is None:
        return None
    if abs(change) < 0.0005:
        return Change(format_percent(0), "→", "flat", _("the same as the previous period"))
    up = change > 0
    good = up == (m.kpi.good is Direction.UP)
    sign = "+" if up else "\u2212"  # a minus sign, not a hyphen
    text = sign + format_percent(round(Decimal(abs(change)) * 100, 1))
    meaning = _("better than the previous period") if good else _("worse than the previous period")
    return Change(text, "↑" if up else "↓", "good" if good else "bad", meaning)


def group_names(actor: Actor, group_by: str, keys: list[Any]) -> dict[Any, str]:
    """Names for the groups the core registry leaves as keys (pipelines, lifecycle stages)."""
    workspace = actor.workspace
    if group_by == "pipeline":
        pipelines = Pipeline.objects.for_workspace(workspace).filter(pk__in=keys)
        return {p.pk: p.name for p in pipelines}
    if group_by == "lifecycle_stage":
        stages = LifecycleStage.objects.for_workspace(workspace).filter(key__in=keys)
        return {s.key: s.name for s in stages}
    return {}


def currencies(actor: Actor) -> list[str]:
    """The currencies a money KPI may be measured in: the workspace's, then those its deals
    use."""
    default = actor.workspace.default_currency
    used = (
        Deal.objects.for_workspace(actor.workspace)
        .exclude(currency="")
        .values_list("currency", flat=True)
        .distinct()
    )
    return [default, *sorted({c.upper() for c in used} - {default})]
