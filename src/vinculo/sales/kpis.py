"""The sales KPIs (registered in :class:`vinculo.sales.apps.SalesConfig`): deals won, new
revenue, win rate, average deal size, sales cycle length, new deals, pipeline value, weighted
pipeline, cross-sell/up-sell revenue, average revenue per customer and revenue per rep.
docs/kpis.md gives each definition and its edge cases.

Money KPIs count the deals of one currency (the workspace's unless asked), never a sum of
currencies. Binned deals are left out of every KPI (their history goes with them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from vinculo.contacts.models import LifecycleChange
from vinculo.core.kpis import Aggregate, Direction, Elapsed, Kpi, Scope, Unit, register
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
    return _won(scope).annotate(kpi_cycle=Elapsed("closed_at", "created_at"))


def _weighted(scope: Scope) -> QuerySet:
    # Times 0.01, not divided by 100: SQLite stores a whole amount as an integer and divides two
    # integers as integers (1,550 x 35 / 100 = 542, not 542.50). At most 18 digits (an amount's
    # 14 at up to 100 %, and 4 places): SQLite sums it exactly as whole 1/10,000ths.
    return _deals(scope).annotate(
        kpi_weighted=ExpressionWrapper(
            F("amount") * F("stage__probability") * Value(Decimal("0.01")),
            output_field=DecimalField(max_digits=18, decimal_places=4),
        )
    )


def _existing_customers(scope: Scope) -> QuerySet:
    """Won deals on someone who was already a customer when the deal was created: the deal's
    person or company had entered the lifecycle stage "customer", or had won another deal,
    before it."""

    def entered(path: str) -> Exists:
        return Exists(
            LifecycleChange.objects.filter(
                **{path: OuterRef(path)},
                to_stage__key="customer",
                changed_at__lt=OuterRef("created_at"),
            )
        )

    def won_before(path: str) -> Exists:
        return Exists(
            Deal.objects.filter(
                **{path: OuterRef(path)},
                status=DealStatus.WON,
                deleted_at__isnull=True,
                closed_at__lt=OuterRef("created_at"),
            )
        )

    return _won(scope).filter(
        Q(entered("person_id"))
        | Q(entered("company_id"))
        | Q(won_before("person_id"))
        | Q(won_before("company_id"))
    )


def _by_customer(scope: Scope) -> QuerySet:
    """Won deals with the customer they count for: the person, else the company, else the deal
    itself."""
    text = CharField()
    return _won(scope).annotate(
        kpi_customer=Case(
            When(person_id__isnull=False, then=Concat(Value("p"), Cast("person_id", text))),
            When(company_id__isnull=False, then=Concat(Value("c"), Cast("company_id", text))),
            default=Concat(Value("d"), Cast("id", text)),
            output_field=text,
        )
    )


def _won_by_reps(scope: Scope) -> QuerySet:
    return _won(scope).filter(owner__isnull=False)


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
    _kpi(
        "cross_sell_revenue",
        name=_("Cross-sell and up-sell revenue"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_(
            "The amounts of the deals won in the period from people or companies that were "
            "already customers when the deal was created, in one currency."
        ),
        rows=_existing_customers,
        time="closed_at",
        value="amount",
        aggregate=Aggregate.SUM,
        currency="currency",
    ),
    _kpi(
        "average_revenue_per_customer",
        name=_("Average revenue per customer"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_(
            "The amounts of the deals won in the period divided by the customers they were won "
            "from (the deal's person, else its company), in one currency."
        ),
        rows=_by_customer,
        time="closed_at",
        value="amount",
        per="kpi_customer",
        aggregate=Aggregate.SUM_PER,
        currency="currency",
    ),
    _kpi(
        "revenue_per_rep",
        name=_("Revenue per rep"),
        unit=Unit.MONEY,
        good=Direction.UP,
        definition=_(
            "The amounts of the deals won in the period divided by the reps (owners) who won "
            "at least one; by owner, each rep's won revenue. In one currency."
        ),
        rows=_won_by_reps,
        time="closed_at",
        value="amount",
        per="owner_id",
        aggregate=Aggregate.SUM_PER,
        currency="currency",
    ),
)


def register_all() -> None:
    for kpi in KPIS:
        register(kpi)
