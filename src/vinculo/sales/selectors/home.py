"""What the home page shows of deals: the rotting ones and the open totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from vinculo.core.actor import Actor
from vinculo.sales.models import Deal, DealStatus, StageKind
from vinculo.sales.selectors.deal_reads import deals
from vinculo.sales.selectors.structure import pipelines


def rotting_deals(
    actor: Actor, *, owner_id: int | None, now: datetime | None = None, limit: int = 10
) -> list[Deal]:
    """Open deals of ``owner_id`` that stayed in their stage longer than its rotting days
    (the board's ``is_rotting``), longest-waiting first, each with ``days_in_stage``."""
    now = now or timezone.now()
    condition = Q()
    for pipeline in pipelines(actor, include_archived=True):
        for stage in pipeline.stages.all():
            if stage.kind == StageKind.OPEN and stage.rotting_days:
                # days in stage > rotting days  ⇔  entered at least (rotting days + 1) days ago
                cutoff = now - timedelta(days=stage.rotting_days + 1)
                condition |= Q(stage_id=stage.pk, stage_entered_at__lte=cutoff)
    if not condition:
        return []
    found = list(
        deals(actor, status=DealStatus.OPEN, owner_id=owner_id)
        .filter(condition)
        .prefetch_related(None)
        .select_related("stage", "person", "company")
        .order_by("stage_entered_at", "pk")[:limit]
    )
    for deal in found:
        deal.days_in_stage = max(0, (now - deal.stage_entered_at).days)  # type: ignore[attr-defined]
        deal.is_rotting = True  # type: ignore[attr-defined]
    return found


@dataclass
class DealTotals:
    currency: str
    count: int = 0
    amount: Decimal = Decimal("0.00")
    mine: int = 0
    other_currencies: int = 0


def open_deal_totals(actor: Actor, *, owner_id: int | None) -> DealTotals:
    """How many deals are open in the workspace (and how many are ``owner_id``'s), with their
    total in the workspace currency; deals in other currencies are counted apart. One query."""
    currency = actor.workspace.default_currency
    totals = DealTotals(currency=currency)
    rows = (
        deals(actor, status=DealStatus.OPEN)
        .prefetch_related(None)
        .select_related(None)
        .order_by()
        .values("currency")
        .annotate(
            n=Count("id"),
            total=Sum("amount"),
            mine=Count("id", filter=Q(owner_id=owner_id)),
        )
    )
    for row in rows:
        totals.count += row["n"]
        totals.mine += row["mine"]
        if row["currency"] == currency:
            totals.amount = Decimal(row["total"] or 0).quantize(Decimal("0.01"))
        else:
            totals.other_currencies += row["n"]
    return totals
