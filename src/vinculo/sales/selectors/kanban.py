"""The Kanban board of a pipeline: columns of deals with counts and (weighted) totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from vinculo.core.actor import Actor
from vinculo.core.permissions import require
from vinculo.sales.models import Deal, DealStatus, Pipeline, Stage, StageKind
from vinculo.sales.selectors.deal_reads import deals
from vinculo.sales.selectors.structure import get_pipeline
from vinculo.sales.validation import CENT


@dataclass
class CurrencyTotal:
    currency: str
    count: int
    amount: Decimal
    weighted_amount: Decimal


@dataclass
class BoardColumn:
    stage: Stage
    deals: list[Deal]
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted_amount: Decimal = Decimal("0.00")
    totals: list[CurrencyTotal] = field(default_factory=list)


@dataclass
class Board:
    pipeline: Pipeline
    currency: str
    columns: list[BoardColumn]


def _weighted(amount: Decimal, probability: int) -> Decimal:
    return (amount * probability / Decimal(100)).quantize(CENT)


def board(
    actor: Actor,
    pipeline_id: int,
    *,
    per_stage: int = 50,
    closed_within_days: int | None = 30,
    now: datetime | None = None,
    q: str | None = None,
    owner_id: int | None = None,
    filter: Any = None,
    pinned: int | None = None,
) -> Board:
    """The Kanban board of a pipeline: every stage with its first ``per_stage`` deals (oldest in
    the stage first; won/lost columns: the most recently closed, within ``closed_within_days``),
    and per stage the count, amount and weighted amount (amount times probability) of all its
    deals. Totals are in the workspace currency; ``totals`` breaks them down per currency. Each
    deal carries ``days_in_stage`` and ``is_rotting`` (days in stage > the stage's rotting days).
    Three queries plus one per stage, whatever the number of deals. ``q``, ``owner_id`` and
    ``filter`` narrow the deals as in :func:`deals` (columns stay; counts and totals cover the
    narrowed deals). ``pinned`` is a deal that was just moved: it is shown in its column even
    beyond the first ``per_stage`` (at most one more query), so a dropped card stays in sight.
    """
    require(actor, "records.view")
    now = now or timezone.now()
    pipeline = get_pipeline(actor, pipeline_id)
    stages = list(pipeline.stages.all())
    scope = Deal.objects.for_workspace(actor.workspace).filter(
        pipeline=pipeline, deleted_at__isnull=True
    )
    if q or owner_id is not None or filter:
        found = deals(actor, pipeline_id=pipeline.pk, q=q, owner_id=owner_id, filter=filter)
        # Through the ids: joins of a search or filter must not repeat a deal in the sums.
        scope = scope.filter(pk__in=found.order_by().values("pk"))
    if closed_within_days is not None:
        since = now - timedelta(days=closed_within_days)
        scope = scope.filter(Q(status=DealStatus.OPEN) | Q(closed_at__gte=since))
    per_currency = _totals_per_stage(scope, stages)
    cards = _cards_per_stage(scope, stages, per_stage=per_stage, pinned=pinned, now=now)
    currency = actor.workspace.default_currency
    columns = []
    for stage in stages:
        totals = per_currency[stage.pk]
        main = next((t for t in totals if t.currency == currency), None)
        columns.append(
            BoardColumn(
                stage=stage,
                deals=cards[stage.pk],
                count=sum(t.count for t in totals),
                amount=main.amount if main else Decimal("0.00"),
                weighted_amount=main.weighted_amount if main else Decimal("0.00"),
                totals=totals,
            )
        )
    return Board(pipeline=pipeline, currency=currency, columns=columns)


def _totals_per_stage(scope: QuerySet[Deal], stages: list[Stage]) -> dict[int, list[CurrencyTotal]]:
    """Per stage id, the count, amount and weighted amount of its deals in each currency (one
    query)."""
    per_currency: dict[int, list[CurrencyTotal]] = {s.pk: [] for s in stages}
    by_stage = {s.pk: s for s in stages}
    for row in (
        scope.order_by()
        .values("stage_id", "currency")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("stage_id", "currency")
    ):
        stage = by_stage.get(row["stage_id"])
        if stage is None:
            continue
        total = Decimal(row["total"] or 0).quantize(CENT)
        per_currency[stage.pk].append(
            CurrencyTotal(row["currency"], row["n"], total, _weighted(total, stage.probability))
        )
    return per_currency


def _cards_per_stage(
    scope: QuerySet[Deal], stages: list[Stage], *, per_stage: int, pinned: int | None, now: datetime
) -> dict[int, list[Deal]]:
    """Per stage id, its first ``per_stage`` deals (plus ``pinned``), each with
    ``days_in_stage`` and ``is_rotting``."""
    # One small indexed query per stage (LIMIT per column) instead of ranking every deal of the
    # pipeline: a board of 2,000+ open deals costs the same as one of 20.
    by_stage = {s.pk: s for s in stages}
    cards: dict[int, list[Deal]] = {s.pk: [] for s in stages}
    fetched: list[Deal] = []
    for stage in stages:
        column = scope.filter(stage_id=stage.pk).select_related("person", "company", "owner")
        if stage.kind == StageKind.OPEN:
            column = column.order_by("stage_entered_at", "id")
        else:
            column = column.order_by(F("closed_at").desc(nulls_last=True), "id")
        fetched.extend(column[:per_stage])
    if pinned is not None and all(deal.pk != pinned for deal in fetched):
        extra = scope.filter(pk=pinned).select_related("person", "company", "owner").first()
        if extra is not None:
            fetched.append(extra)
    for deal in fetched:
        home = by_stage.get(deal.stage_id)
        if home is None:
            continue
        deal.stage = home
        days = max(0, (now - deal.stage_entered_at).days)
        deal.days_in_stage = days  # type: ignore[attr-defined]
        deal.is_rotting = is_rotting(deal, home, days)  # type: ignore[attr-defined]
        cards[home.pk].append(deal)
    return cards


def is_rotting(deal: Deal, stage: Stage, days_in_stage: int) -> bool:
    """An open deal stayed in an open stage longer than the stage's rotting days."""
    return bool(
        deal.status == DealStatus.OPEN
        and stage.kind == StageKind.OPEN
        and stage.rotting_days
        and days_in_stage > stage.rotting_days
    )
