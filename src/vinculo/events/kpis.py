"""The purchase KPIs (registered in :class:`vinculo.events.apps.EventsConfig`), read from the
purchase history the events API keeps: purchase revenue, orders, buyers, average order value,
revenue per buyer and the repeat purchase rate; retention and churn from one period to the
next; and, from the stored customer value, the customers at risk of churning and their value at
stake. Money in one currency at a time; purchases of binned people are left out. docs/kpis.md
gives the definitions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vinculo.contacts.selectors import without_binned
from vinculo.core.kpis import Aggregate, Columns, Direction, Kpi, Request, Scope, Unit, register
from vinculo.events.models import ChurnRisk, CustomerValue, Purchase
from vinculo.events.selectors import purchase_columns

DIMENSIONS = {
    "owner": "person__owner_id",
    "source": "person__source",
    "lifecycle_stage": "person__lifecycle_stage__key",
}


def purchases(workspace: Any) -> QuerySet:
    """The workspace's purchases of people not binned (what every purchase KPI and the
    purchase cohorts read when the roll-up cannot answer)."""
    return without_binned(Purchase.objects.for_workspace(workspace), workspace)


def _purchases(scope: Scope) -> QuerySet:
    return purchases(scope.workspace)


def _one_currency(scope: Scope, request: Request) -> Columns:
    return purchase_columns(
        scope, request, currency=scope.currency or scope.workspace.default_currency
    )


def _any_currency(scope: Scope, request: Request) -> Columns:
    return purchase_columns(scope, request, currency=None)


def _kpi(key: str, **kwargs: Any) -> Kpi:
    # Read from the hourly roll-up (vinculo.events.services.rollup) where the period allows.
    return Kpi(
        key=key,
        app="events",
        rows=_purchases,
        time="occurred_at",
        dimensions=DIMENSIONS,
        segments={"person": "person_id"},
        columns=_one_currency if kwargs.get("currency") else _any_currency,
        **kwargs,
    )


def _at_risk(scope: Scope) -> QuerySet:
    """The latest analysis's customers at high or medium churn risk (docs/kpis.md)."""
    return CustomerValue.objects.for_workspace(scope.workspace).filter(
        churn_risk__in=[ChurnRisk.HIGH, ChurnRisk.MEDIUM], person__deleted_at__isnull=True
    )


def _risk_kpi(key: str, **kwargs: Any) -> Kpi:
    # A snapshot of the latest analysis: its rows count from the moment it was computed (a
    # recompute replaces them), until their person is binned.
    return Kpi(
        key=key,
        app="events",
        rows=_at_risk,
        time="computed_at",
        until="person__deleted_at",
        dimensions=DIMENSIONS,
        segments={"person": "person_id"},
        **kwargs,
    )


def _predicted(scope: Scope) -> QuerySet:
    """The latest analysis's customers the CLV model gave a predicted value (docs/kpis.md)."""
    return CustomerValue.objects.for_workspace(scope.workspace).filter(
        clv__isnull=False, person__deleted_at__isnull=True
    )


def _value_kpi(key: str, **kwargs: Any) -> Kpi:
    # A snapshot of the latest analysis, as the risk KPIs.
    return Kpi(
        key=key,
        app="events",
        rows=_predicted,
        time="computed_at",
        until="person__deleted_at",
        dimensions=DIMENSIONS,
        segments={"person": "person_id"},
        unit=Unit.MONEY,
        good=Direction.UP,
        value="clv",
        currency="currency",
        **kwargs,
    )


KPIS = (
    _value_kpi(
        "customer_lifetime_value",
        name=_("Expected customer value"),
        definition=_(
            "The value the customers are expected to bring in the next 12 months (BG/NBD and "
            "Gamma-Gamma, the latest customer-value analysis), summed, in one currency."
        ),
        aggregate=Aggregate.SUM,
    ),
    _value_kpi(
        "average_clv",
        name=_("Average CLV"),
        definition=_(
            "The mean expected 12-month value of the customers the latest customer-value "
            "analysis predicted, in one currency."
        ),
        aggregate=Aggregate.MEAN,
    ),
    _risk_kpi(
        "customers_at_risk",
        name=_("Customers at risk"),
        unit=Unit.COUNT,
        good=Direction.DOWN,
        definition=_(
            "Customers whose churn risk is high or medium in the latest customer-value analysis."
        ),
    ),
    _risk_kpi(
        "revenue_at_risk",
        name=_("Revenue at risk"),
        unit=Unit.MONEY,
        good=Direction.DOWN,
        definition=_(
            "The historic yearly spend of the customers at high or medium churn risk in the "
            "latest customer-value analysis, in one currency."
        ),
        value="value_at_stake",
        aggregate=Aggregate.SUM,
        currency="currency",
    ),
    _kpi(
        "purchase_revenue",
        name=_("Purchase revenue"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_("The amounts of the purchases made in the period, in one currency."),
        value="amount",
        aggregate=Aggregate.SUM,
        currency="currency",
    ),
    _kpi(
        "orders",
        name=_("Orders"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_("Purchases made in the period."),
    ),
    _kpi(
        "buyers",
        name=_("Buyers"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_("People who bought in the period, each once."),
        value="person_id",
        aggregate=Aggregate.DISTINCT,
    ),
    _kpi(
        "average_order_value",
        name=_("Average order value"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_("The mean amount of the purchases made in the period, in one currency."),
        value="amount",
        aggregate=Aggregate.MEAN,
        currency="currency",
    ),
    _kpi(
        "revenue_per_buyer",
        name=_("Revenue per buyer"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_(
            "Purchase revenue in the period divided by the people who bought, in one currency."
        ),
        value="amount",
        per="person_id",
        aggregate=Aggregate.SUM_PER,
        currency="currency",
    ),
    _kpi(
        "repeat_purchase_rate",
        name=_("Repeat purchase rate"),
        unit=Unit.PERCENT,
        good=Direction.UP,
        definition=_(
            "Of the people who bought in the period, the share who bought more than once."
        ),
        value="person_id",
        aggregate=Aggregate.REPEAT,
    ),
    _kpi(
        "retention_rate",
        name=_("Retention rate"),
        unit=Unit.PERCENT,
        good=Direction.UP,
        definition=_(
            "Of the people who bought in the previous period of the same length (for each "
            "point of the series: in the day, week, month or quarter before it), the share who "
            "bought again in this one. At month grain: month-over-month retention."
        ),
        value="person_id",
        aggregate=Aggregate.RETAINED,
    ),
    _kpi(
        "churn_rate",
        name=_("Churn rate"),
        unit=Unit.PERCENT,
        good=Direction.DOWN,
        definition=_(
            "Of the people who bought in the previous period of the same length (for each "
            "point of the series: in the day, week, month or quarter before it), the share who "
            "did not buy in this one (one minus the retention rate)."
        ),
        value="person_id",
        aggregate=Aggregate.CHURNED,
    ),
)


def register_all() -> None:
    for kpi in KPIS:
        register(kpi)
