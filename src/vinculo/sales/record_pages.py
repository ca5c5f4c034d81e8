"""The sales panels of other apps' record pages (see :mod:`vinculo.core.record_pages`):
registered by the app's ``ready()``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from vinculo.core.actor import Actor
from vinculo.core.permissions import can
from vinculo.sales import selectors


def _deals_card(
    actor: Actor, *, person_id: int | None = None, company_id: int | None = None, live: bool
) -> dict[str, Any]:
    """The deals card (sales/_related_deals.html): the record's deals with totals and a
    "+ deal" that opens the new-deal form with the record chosen."""
    query = f"person={person_id}" if person_id is not None else f"company={company_id}"
    return {
        "related": selectors.related_deals(actor, person_id=person_id, company_id=company_id),
        "new_deal_url": f"{reverse('sales:create')}?{query}",
        "can_add_deal": live and can(actor, "deals.write"),
    }


def person_deals(request: HttpRequest, actor: Actor, record: Any, live: bool) -> dict[str, Any]:
    """The deals card of a person's page."""
    return _deals_card(actor, person_id=record.pk, live=live)


def company_deals(request: HttpRequest, actor: Actor, record: Any, live: bool) -> dict[str, Any]:
    """The deals card of a company's page."""
    return _deals_card(actor, company_id=record.pk, live=live)
