"""Reads of pipelines, deals, the board and products, always scoped to the actor's workspace."""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.sales.models import (
    Deal,
    DealStatus,
    LineItem,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageChange,
    StageKind,
)
from vinculo.sales.validation import CENT
from vinculo.workspaces.models import Workspace
from vinculo.workspaces.permissions import require


def live_deal_links(
    workspace: Workspace, ids: set[int]
) -> dict[int, tuple[int | None, int | None]]:
    """For each of ``ids`` that is a live deal of ``workspace``: its live person id and live
    company id (None when absent or in the bin). How activities check and inherit deal links."""
    links: dict[int, tuple[int | None, int | None]] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 900):
        for deal_id, person_id, person_gone, company_id, company_gone in (
            Deal.objects.for_workspace(workspace)
            .filter(pk__in=wanted[start : start + 900], deleted_at__isnull=True)
            .values_list(
                "pk", "person_id", "person__deleted_at", "company_id", "company__deleted_at"
            )
        ):
            links[deal_id] = (
                person_id if person_gone is None else None,
                company_id if company_gone is None else None,
            )
    return links


# --- pipelines --------------------------------------------------------------------------------


def get_lost_reason(actor: Actor, reason_id: int) -> LostReason:
    """One lost reason (archived too); 404 outside the workspace."""
    require(actor, "records.view")
    reason = LostReason.objects.for_workspace(actor.workspace).filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(_("No lost reason with id %(id)s.") % {"id": reason_id})
    return reason


def lost_reason_summary(actor: Actor, pipeline: Pipeline, *, days: int = 90) -> dict[str, Any]:
    """What a pipeline's settings page shows of its lost reasons: the list (archived ones too)
    and, per reason, the lost deals closed in the last ``days`` days and overall."""
    since = timezone.localdate() - timedelta(days=days - 1)
    recent = {
        (row.reason.pk if row.reason else None): row.deals
        for row in lost_reason_counts(actor, pipeline.pk, start=since)
    }
    rows = [
        {
            "reason": row.reason,
            "recent": recent.get(row.reason.pk if row.reason else None, 0),
            "total": row.deals,
        }
        for row in lost_reason_counts(actor, pipeline.pk)
    ]
    return {
        "lost_reasons": lost_reasons(actor, pipeline, include_archived=True),
        "lost_counts": rows,
        "lost_count_days": days,
    }


def lost_reasons(
    actor: Actor, pipeline: int | Pipeline, *, include_archived: bool = False
) -> list[LostReason]:
    """A pipeline's lost reasons in order (the active ones unless ``include_archived``);
    404 for a pipeline outside the workspace (a pipeline read with a selector is trusted)."""
    if not isinstance(pipeline, Pipeline):
        pipeline = get_pipeline(actor, pipeline)
    qs = LostReason.objects.filter(pipeline=pipeline).order_by("position", "id")
    if not include_archived:
        qs = qs.filter(is_active=True)
    return list(qs)


@dataclass
class LostReasonCount:
    reason: LostReason | None  # None: lost deals without a listed reason (before the lists)
    deals: int


def lost_reason_counts(
    actor: Actor, pipeline_id: int, *, start: date | None = None, end: date | None = None
) -> list[LostReasonCount]:
    """How many live deals of a pipeline were lost for each reason, closed from ``start`` to
    ``end`` (days in the workspace's time zone, both inclusive, open-ended when None): every
    reason of the pipeline in its order (archived ones only when they count), then the deals
    lost without a reason. For the win/loss analysis."""
    reasons = lost_reasons(actor, pipeline_id, include_archived=True)
    try:
        zone = zoneinfo.ZoneInfo(actor.workspace.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    qs = Deal.objects.for_workspace(actor.workspace).filter(
        pipeline_id=pipeline_id, status=DealStatus.LOST, deleted_at__isnull=True
    )
    if start is not None:
        qs = qs.filter(closed_at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end is not None:
        qs = qs.filter(
            closed_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        )
    counts = dict(qs.order_by().values_list("lost_reason_id").annotate(n=Count("id")))
    rows = [
        LostReasonCount(reason, counts.get(reason.pk, 0))
        for reason in reasons
        if reason.is_active or counts.get(reason.pk)
    ]
    if counts.get(None):
        rows.append(LostReasonCount(None, counts[None]))
    return rows


def pipelines(actor: Actor, *, include_archived: bool = False) -> QuerySet[Pipeline]:
    """The workspace's pipelines with their stages in order; archived ones only on request."""
    require(actor, "records.view")
    qs = Pipeline.objects.for_workspace(actor.workspace).prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def get_pipeline(actor: Actor, pipeline_id: int) -> Pipeline:
    """One pipeline (archived too) with its stages; 404 outside the workspace."""
    pipeline = pipelines(actor, include_archived=True).filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("No pipeline with id %(id)s.") % {"id": pipeline_id})
    return pipeline


def get_stage(actor: Actor, stage_id: int) -> Stage:
    require(actor, "records.view")
    stage = Stage.objects.for_workspace(actor.workspace).filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("No stage with id %(id)s.") % {"id": stage_id})
    return stage


# --- deals ------------------------------------------------------------------------------------


def _with_details(qs: QuerySet[Deal]) -> QuerySet[Deal]:
    return qs.select_related("stage", "lost_reason").prefetch_related(
        "tags", Prefetch("line_items", queryset=LineItem.objects.order_by("position", "id"))
    )


def parse_filter(value: Any) -> dict[str, Any] | None:
    """A filter tree from a JSON string (query parameter) or a dict; 422 ``filter`` if bad."""
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise ValidationFailed.field(
                "filter", _("The filter is not valid JSON."), "invalid_json"
            ) from None
        except RecursionError:
            raise ValidationFailed.field(
                "filter", _("The filter nests too deep; simplify it."), "too_deep"
            ) from None
    if not isinstance(value, dict):
        raise ValidationFailed.field(
            "filter", _("The filter must be a JSON object (a condition tree)."), "invalid_type"
        )
    return value


def deals(
    actor: Actor,
    *,
    q: str | None = None,
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    status: str | None = None,
    owner_id: int | None = None,
    person_id: int | None = None,
    company_id: int | None = None,
    deleted: bool = False,
    filter: Any = None,
) -> QuerySet[Deal]:
    """Deals of the workspace (the bin with ``deleted=True``), narrowed by the arguments.

    ``q`` searches the title and the person's and company's names; ``filter`` is a condition tree
    of the shared filter language (:mod:`vinculo.core.filters`), a dict or a JSON string.
    Refuses (422 ``filter``) a tree that is not valid JSON or that the filter language rejects.
    """
    require(actor, "records.view")
    qs = Deal.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=not deleted)
    if q and q.strip():
        text = q.strip()
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(company__name__icontains=text)
            | Q(person__first_name__icontains=text)
            | Q(person__last_name__icontains=text)
            | Q(person__email__icontains=text)
        )
    for name, value in (
        ("pipeline_id", pipeline_id),
        ("stage_id", stage_id),
        ("owner_id", owner_id),
        ("person_id", person_id),
        ("company_id", company_id),
    ):
        if value is not None:
            qs = qs.filter(**{name: value})
    if status:
        if status not in DealStatus.values:
            raise ValidationFailed.field(
                "status",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(DealStatus.values)},
                "invalid_choice",
            )
        qs = qs.filter(status=status)
    tree = parse_filter(filter)
    if tree is not None:
        # Imported here: the filter language lives in the kernel and knows every object type.
        from vinculo.core.filters import apply_filter

        qs = apply_filter(qs, "deal", tree, actor=actor)
    return _with_details(qs)


def get_deal(actor: Actor, deal_id: int) -> Deal:
    """One deal (binned too) with its stage, tags, line items and dated stage history."""
    require(actor, "records.view")
    deal = (
        _with_details(Deal.objects.for_workspace(actor.workspace))
        .select_related("pipeline")
        .prefetch_related(
            Prefetch(
                "stage_changes",
                queryset=StageChange.objects.select_related("from_stage", "to_stage").order_by(
                    "changed_at", "id"
                ),
            )
        )
        .filter(pk=deal_id)
        .first()
    )
    if deal is None:
        raise NotFound(_("No deal with id %(id)s.") % {"id": deal_id})
    return deal


def deal_position(actor: Actor, deal_id: int) -> Deal | None:
    """A live deal's stage and lost reason only (what a move changes, so it can be undone);
    None outside the workspace or in the bin. One query."""
    require(actor, "records.view")
    return (
        Deal.objects.for_workspace(actor.workspace)
        .filter(pk=deal_id, deleted_at__isnull=True)
        .select_related("stage")
        .only(
            "pk",
            "stage_id",
            "lost_reason_id",
            "lost_note",
            "stage__name",
            "stage__kind",
            "stage__pipeline_id",
        )
        .first()
    )


# --- the deals of a person or a company ------------------------------------------------------


@dataclass
class RelatedDeals:
    """The deals of one person or company: the open ones, the latest closed ones and totals over
    all of them (counts of every status; open and won amounts in the workspace currency, deals in
    other currencies counted in ``other_currencies``)."""

    currency: str
    open: list[Deal] = field(default_factory=list)
    closed: list[Deal] = field(default_factory=list)
    open_count: int = 0
    won_count: int = 0
    lost_count: int = 0
    open_amount: Decimal = Decimal("0.00")
    won_amount: Decimal = Decimal("0.00")
    other_currencies: int = 0

    @property
    def count(self) -> int:
        return self.open_count + self.won_count + self.lost_count

    @property
    def more_open(self) -> int:
        return self.open_count - len(self.open)

    @property
    def more_closed(self) -> int:
        return self.won_count + self.lost_count - len(self.closed)


def related_deals(
    actor: Actor,
    *,
    person_id: int | None = None,
    company_id: int | None = None,
    open_limit: int = 20,
    closed_limit: int = 10,
) -> RelatedDeals:
    """The live deals of a person (``person_id``) or a company (``company_id``) for their pages:
    the open ones (closing soonest first), the ``closed_limit`` most recently closed and the
    totals. Three queries whatever the number of deals."""
    if (person_id is None) == (company_id is None):
        raise ValueError("related_deals takes a person_id or a company_id")
    scope = deals(actor, person_id=person_id, company_id=company_id).prefetch_related(None)
    found = RelatedDeals(currency=actor.workspace.default_currency)
    for row in (
        scope.order_by().values("status", "currency").annotate(n=Count("id"), total=Sum("amount"))
    ):
        status, n = row["status"], row["n"]
        if status == DealStatus.OPEN:
            found.open_count += n
        elif status == DealStatus.WON:
            found.won_count += n
        else:
            found.lost_count += n
        if status == DealStatus.LOST:
            continue
        if row["currency"] != found.currency:
            found.other_currencies += n
            continue
        total = Decimal(row["total"] or 0).quantize(CENT)
        if status == DealStatus.OPEN:
            found.open_amount = total
        else:
            found.won_amount = total
    listed = scope.select_related("stage", "owner")
    found.open = list(
        listed.filter(status=DealStatus.OPEN).order_by(
            F("expected_close_date").asc(nulls_last=True), "-created_at", "-id"
        )[:open_limit]
    )
    if closed_limit:
        found.closed = list(
            listed.exclude(status=DealStatus.OPEN).order_by(
                F("closed_at").desc(nulls_last=True), "-id"
            )[:closed_limit]
        )
    return found


# --- the board --------------------------------------------------------------------------------


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
    # One small indexed query per stage (LIMIT per column) instead of ranking every deal of the
    # pipeline: a board of 2,000+ open deals costs the same as one of 20.
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
        stage = by_stage.get(deal.stage_id)
        if stage is None:
            continue
        deal.stage = stage
        days = max(0, (now - deal.stage_entered_at).days)
        deal.days_in_stage = days  # type: ignore[attr-defined]
        deal.is_rotting = is_rotting(deal, stage, days)  # type: ignore[attr-defined]
        cards[stage.pk].append(deal)
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


# --- products ---------------------------------------------------------------------------------


def products(
    actor: Actor, *, q: str | None = None, include_archived: bool = False
) -> QuerySet[Product]:
    """The product catalogue; archived (inactive) products only on request."""
    require(actor, "records.view")
    qs = Product.objects.for_workspace(actor.workspace)
    if not include_archived:
        qs = qs.filter(is_active=True)
    if q and q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(sku__icontains=q.strip()))
    return qs


def get_product(actor: Actor, product_id: int) -> Product:
    product = products(actor, include_archived=True).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("No product with id %(id)s.") % {"id": product_id})
    return product


# --- rotting deals and open totals (home page) ---------------------------------------------


def is_rotting(deal: Deal, stage: Stage, days_in_stage: int) -> bool:
    """An open deal stayed in an open stage longer than the stage's rotting days."""
    return bool(
        deal.status == DealStatus.OPEN
        and stage.kind == StageKind.OPEN
        and stage.rotting_days
        and days_in_stage > stage.rotting_days
    )


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
