"""Reads of deals: lists (search, filters, the bin), one deal with its history, a deal's
position on the board, the deals of a person or a company, and the links activities check."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.filters import apply_filter
from vinculo.core.permissions import require
from vinculo.core.tenancy import Workspace
from vinculo.sales.models import Deal, DealStatus, LineItem, StageChange
from vinculo.sales.validation import CENT


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
