"""RFM scores (the first piece of customer value), read from the purchase history.

For one workspace, in its default currency, over the purchases of live (not binned) people made
up to the end of the analysis date (in the workspace's time zone):

* **recency**: days from the person's last purchase (its local date) to the analysis date;
* **frequency**: how many purchases;
* **monetary**: the sum of their amounts.

Each is scored 1-5 by quintile within the workspace (:func:`quintile_scores`): sorted from worst
to best (recency: most days first, so the most recent buyers score 5; frequency and monetary:
smallest first), the person at 0-based position ``i`` of ``n`` scores ``1 + 5 * i // n``.
**Ties**: equal values share the score of the first position they occupy (the lowest), so the
score never depends on the order rows came from the database. The segment is a cell of the
R x FM grid (:data:`GRID`), FM being the mean of the F and M scores rounded half up.
docs/kpis.md ("Customer value: RFM") gives the definitions and cites the segment mapping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_today, workspace_tz
from vinculo.core.permissions import require
from vinculo.events.models import CustomerValue, CustomerValueModel, Purchase, Segment
from vinculo.events.services import tiers
from vinculo.events.services.clv import Buyer, compute_clv

__all__ = [
    "GRID",
    "RfmRow",
    "compute_rfm",
    "fm_score",
    "quintile_scores",
    "recompute_rfm",
    "segment_of",
]

S = Segment
CENT = Decimal("0.01")
# The segment of each (R score, FM score): GRID[r][fm - 1]: Vínculo's version of the common
# eleven-segment R x FM map (docs/kpis.md, "Customer value: RFM").
GRID: dict[int, tuple[Segment, Segment, Segment, Segment, Segment]] = {
    5: (S.NEW_CUSTOMERS, S.POTENTIAL_LOYALISTS, S.LOYAL, S.CHAMPIONS, S.CHAMPIONS),
    4: (S.PROMISING, S.POTENTIAL_LOYALISTS, S.LOYAL, S.CHAMPIONS, S.CHAMPIONS),
    3: (S.ABOUT_TO_SLEEP, S.NEED_ATTENTION, S.NEED_ATTENTION, S.LOYAL, S.LOYAL),
    2: (S.HIBERNATING, S.HIBERNATING, S.AT_RISK, S.AT_RISK, S.AT_RISK),
    1: (S.LOST, S.LOST, S.AT_RISK, S.CANT_LOSE_THEM, S.CANT_LOSE_THEM),
}


@dataclass(frozen=True)
class RfmRow:
    """One buyer's values and scores."""

    person_id: int
    recency_days: int
    frequency: int
    monetary: Decimal
    r_score: int
    f_score: int
    m_score: int
    segment: str


def quintile_scores(values: Sequence[Any]) -> list[int]:
    """The 1-5 quintile score of each value (higher value, higher score), in the values' order.

    Sorted ascending, the value at position ``i`` of ``n`` scores ``1 + 5 * i // n``; equal
    values all take the score of the first position they share."""
    n = len(values)
    first_position: dict[Any, int] = {}
    for i, value in enumerate(sorted(values)):
        first_position.setdefault(value, i)
    return [1 + 5 * first_position[v] // n for v in values]


def fm_score(f_score: int, m_score: int) -> int:
    """The mean of the F and M scores, rounded half up (4 and 5 give 5)."""
    return (f_score + m_score + 1) // 2


def segment_of(r_score: int, f_score: int, m_score: int) -> Segment:
    return GRID[r_score][fm_score(f_score, m_score) - 1]


def _end_of(day: date, actor: Actor) -> datetime:
    """The first instant after ``day`` in the workspace's time zone."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=workspace_tz(actor))


def compute_rfm(actor: Actor, analysis_date: date | None = None) -> list[RfmRow]:
    """Every buyer's RFM row, by person id (reads only; see the module's docstring)."""
    require(actor, "records.view")
    day = analysis_date or workspace_today(actor)
    tz = workspace_tz(actor)
    rows = list(
        Purchase.objects.for_workspace(actor.workspace)
        .filter(
            person__isnull=False,
            person__deleted_at__isnull=True,
            currency=actor.workspace.default_currency,
            occurred_at__lt=_end_of(day, actor),
        )
        .values("person_id")
        .annotate(last=Max("occurred_at"), n=Count("id"), total=Sum("amount"))
        .order_by("person_id")
    )
    if not rows:
        return []
    recency = [(day - r["last"].astimezone(tz).date()).days for r in rows]
    # Fewer days is better: score the negated days so the most recent buyers score 5.
    r_scores = quintile_scores([-d for d in recency])
    f_scores = quintile_scores([r["n"] for r in rows])
    m_scores = quintile_scores([r["total"] for r in rows])
    return [
        RfmRow(
            person_id=row["person_id"],
            recency_days=days,
            frequency=row["n"],
            monetary=Decimal(row["total"]).quantize(CENT),
            r_score=r,
            f_score=f,
            m_score=m,
            segment=segment_of(r, f, m).value,
        )
        for row, days, r, f, m in zip(rows, recency, r_scores, f_scores, m_scores, strict=True)
    ]


def recompute_rfm(actor: Actor, analysis_date: date | None = None) -> list[CustomerValue]:
    """Replace the workspace's :class:`CustomerValue` rows with freshly computed RFM scores, CLV
    predictions and churn risk (:mod:`vinculo.events.services.clv`), and its
    :class:`CustomerValueModel` fit record, in one transaction (readers see the old rows or the
    new ones, never a mix)."""
    require(actor, "records.write")  # a write, though of derived data: not for viewers
    day = analysis_date or workspace_today(actor)
    computed = compute_rfm(actor, day)
    clv = compute_clv(actor, day)
    now = timezone.now()
    values = [_row(actor, row, clv.buyers.get(row.person_id), day, now) for row in computed]
    tiers.assign(actor, values, {pk: b.yearly_spend for pk, b in clv.buyers.items()}, day)
    with transaction.atomic():
        CustomerValue.objects.for_workspace(actor.workspace).delete()
        CustomerValueModel.objects.for_workspace(actor.workspace).delete()
        CustomerValueModel.objects.create(workspace=actor.workspace, computed_at=now, **clv.fit)
        return CustomerValue.objects.bulk_create(values, batch_size=1000)


def _row(actor: Actor, row: RfmRow, buyer: Buyer | None, day: date, now: datetime) -> CustomerValue:
    value = CustomerValue(
        workspace=actor.workspace,
        person_id=row.person_id,
        currency=actor.workspace.default_currency,
        recency_days=row.recency_days,
        frequency=row.frequency,
        monetary=row.monetary,
        r_score=row.r_score,
        f_score=row.f_score,
        m_score=row.m_score,
        segment=row.segment,
        analysis_date=day,
        computed_at=now,
    )
    if buyer is not None:  # the same purchases: every RFM buyer has one
        for name in CLV_FIELDS:
            setattr(value, name, getattr(buyer, name))
        value.value_at_stake = buyer.yearly_spend
    return value


CLV_FIELDS = (
    "repeat_purchases",
    "t_x_days",
    "age_days",
    "repeat_mean_spend",
    "expected_purchases",
    "p_alive",
    "expected_spend",
    "clv",
    "cadence_days",
    "churn_risk",
    "churn_reason",
    "churn_params",
)
