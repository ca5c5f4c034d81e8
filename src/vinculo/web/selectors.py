"""Reads of the shell's own screens (home, global search), made of the apps' selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from vinculo.contacts import selectors as contacts
from vinculo.core.actor import Actor
from vinculo.sales import selectors as sales
from vinculo.sales.models import Deal, DealStatus, StageKind

SEARCH_MIN_LENGTH = 2


@dataclass
class SearchResults:
    q: str
    people: list[Any] = field(default_factory=list)
    companies: list[Any] = field(default_factory=list)
    deals: list[Any] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.people or self.companies or self.deals)


def search(actor: Actor, q: str, *, limit: int = 5) -> SearchResults:
    """People, companies and deals of the workspace matching ``q`` (at most ``limit`` of each).

    People match on name, email, phone and CPF; companies on name, legal name, domain and CNPJ;
    deals on title and their customer's name. Fewer than two characters find nothing.
    Three queries.
    """
    text = " ".join(q.split())[:100]
    results = SearchResults(q=text)
    if len(text) < SEARCH_MIN_LENGTH:
        return results
    results.people = list(
        contacts.people(actor, q=text)
        .prefetch_related(None)
        .select_related(None)
        .only("first_name", "last_name", "email", "job_title")
        .order_by("first_name", "last_name", "pk")[:limit]
    )
    results.companies = list(
        contacts.companies(actor, q=text)
        .prefetch_related(None)
        .select_related(None)
        .only("name", "city", "state")
        .order_by("name", "pk")[:limit]
    )
    results.deals = list(
        sales.deals(actor, q=text)
        .prefetch_related(None)
        .select_related("stage")
        .only("title", "amount", "currency", "status", "stage__name")
        .order_by("-updated_at", "-pk")[:limit]
    )
    return results


def rotting_deals(
    actor: Actor, *, owner_id: int | None, now: datetime | None = None, limit: int = 10
) -> list[Deal]:
    """Open deals of ``owner_id`` that stayed in their stage longer than its rotting days
    (the board's ``is_rotting``), longest-waiting first, each with ``days_in_stage``."""
    now = now or timezone.now()
    condition = Q()
    for pipeline in sales.pipelines(actor, include_archived=True):
        for stage in pipeline.stages.all():
            if stage.kind == StageKind.OPEN and stage.rotting_days:
                # days in stage > rotting days  ⇔  entered at least (rotting days + 1) days ago
                cutoff = now - timedelta(days=stage.rotting_days + 1)
                condition |= Q(stage_id=stage.pk, stage_entered_at__lte=cutoff)
    if not condition:
        return []
    found = list(
        sales.deals(actor, status=DealStatus.OPEN, owner_id=owner_id)
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
        sales.deals(actor, status=DealStatus.OPEN)
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
