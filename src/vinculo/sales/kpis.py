"""The sales KPIs (registered in :class:`vinculo.sales.apps.SalesConfig`): deals won, new
revenue, win rate, average deal size, sales cycle length, new deals, pipeline value and weighted
pipeline. docs/kpis.md gives each definition and its edge cases.

Money KPIs count the deals of one currency (the workspace's unless asked), never a sum of
currencies. Binned deals are left out of every KPI (their history goes with them)."""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from vinculo.core.kpis import Aggregate, Direction, Kpi, Scope, Unit, register
from vinculo.sales.models import Deal, DealStatus

DIMENSIONS = {"owner": "owner_id", "pipeline": "pipeline_id", "source": "source"}
SEGMENTS = {"deal": "pk", "person": "person_id"}


def _deals(scope: Scope) -> QuerySet:
    return Deal.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)


def _won(scope: Scope) -> QuerySet:
    return _deals(scope).filter(status=DealStatus.WON, closed_at__isnull=False)


def _closed(scope: Scope) -> QuerySet:
    return (
        _deals(scope)
        .filter(status__in=[DealStatus.WON, DealStatus.LOST], closed_at__isnull=False)
        .annotate(
            kpi_won=Case(
                When(status=DealStatus.WON, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def _cycles(scope: Scope) -> QuerySet:
    return _won(scope).annotate(
        kpi_cycle=ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    )


def _weighted(scope: Scope) -> QuerySet:
    return _deals(scope).annotate(
        kpi_weighted=ExpressionWrapper(
            F("amount") * F("stage__probability") / Value(100),
            output_field=DecimalField(max_digits=20, decimal_places=4),
        )
    )


def _kpi(key: str, **kwargs: Any) -> Kpi:
    return Kpi(key=key, app="sales", dimensions=DIMENSIONS, segments=SEGMENTS, **kwargs)


KPIS = (
    _kpi(
        "deals_won",
        name=_("Deals won"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_("Deals marked won whose close falls in the period."),
        rows=_won,
        time="closed_at",
    ),
    _kpi(
        "new_revenue",
        name=_("New revenue"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_("The amounts of the deals won in the period, in one currency."),
        rows=_won,
        time="closed_at",
        value="amount",
        aggregate=Aggregate.SUM,
        currency="currency",
    ),
    _kpi(
        "win_rate",
        name=_("Win rate"),
        unit=Unit.PERCENT,
        good=Direction.UP,
        definition=_("Of the deals closed in the period (won or lost), the share won."),
        rows=_closed,
        time="closed_at",
        value="kpi_won",
        aggregate=Aggregate.RATE,
    ),
    _kpi(
        "average_deal_size",
        name=_("Average deal size"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_("The mean amount of the deals won in the period, in one currency."),
        rows=_won,
        time="closed_at",
        value="amount",
        aggregate=Aggregate.MEAN,
        currency="currency",
    ),
    _kpi(
        "sales_cycle",
        name=_("Sales cycle length"),
        unit=Unit.DURATION,
        good=Direction.DOWN,
        definition=_(
            "The median time from a deal's creation to its win, over the deals won in the period."
        ),
        rows=_cycles,
        time="closed_at",
        value="kpi_cycle",
        aggregate=Aggregate.MEDIAN,
    ),
    _kpi(
        "new_deals",
        name=_("New deals"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_("Deals created in the period."),
        rows=_deals,
        time="created_at",
    ),
    _kpi(
        "pipeline_value",
        name=_("Pipeline value"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_(
            "The amounts of the deals open at the end of the period (created, not yet closed), "
            "in one currency."
        ),
        rows=_deals,
        time="created_at",
        until="closed_at",
        value="amount",
        aggregate=Aggregate.SUM,
        currency="currency",
    ),
    _kpi(
        "weighted_pipeline",
        name=_("Weighted pipeline"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_(
            "The open deals' amounts, each times its stage's win probability, at the end of the "
            "period, in one currency."
        ),
        rows=_weighted,
        time="created_at",
        until="closed_at",
        value="kpi_weighted",
        aggregate=Aggregate.SUM,
        currency="currency",
    ),
)


def register_all() -> None:
    for kpi in KPIS:
        register(kpi)
