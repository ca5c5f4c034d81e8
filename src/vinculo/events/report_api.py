"""API of the cohort retention report (``/reports/cohort-retention``): the cohorts of the
purchase history or of the lifecycle, as the bases registered in :mod:`vinculo.core.reports`
compute them (mounted by :mod:`vinculo.api`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.filters.context import workspace_today
from vinculo.core.reports import Cohorts, add_months, cohort_report, parse_month
from vinculo.core.schemas import ERRORS

router = Router(tags=["events"])
DEFAULT_MONTHS = 12


class CohortQuery(Schema):
    basis: Literal["purchases", "lifecycle"] = Field(
        "purchases", description="purchases: first purchase; lifecycle: first day as a customer."
    )
    from_: str | None = Field(
        None, alias="from", description="First cohort month, YYYY-MM (default: 11 months ago)."
    )
    to: str | None = Field(None, description="Last month, YYYY-MM (default: this month).")
    currency: str | None = Field(
        None, description="Revenue's (purchases; default: the workspace's)."
    )


class CohortOut(Schema):
    month: str = Field(description="The cohort's month, YYYY-MM.")
    size: int = Field(description="People who entered in the month.")
    retained: list[int] = Field(description="Per month offset from 0: people retained.")
    churned: list[int] = Field(description="Per month offset: size - retained.")
    shares: list[float | None] = Field(description="Per month offset: retained / size (0-1).")
    revenue: list[Decimal] | None = Field(description="Purchases: per offset, the revenue.")
    revenue_shares: list[float | None] | None = Field(
        description="Purchases: per offset, revenue / the first month's revenue."
    )


class CohortRetentionOut(Schema):
    basis: str
    first_month: str
    last_month: str
    offsets: int = Field(description="Month offsets of the table (0 to offsets - 1).")
    currency: str | None = Field(description="Of the revenue (purchases), else null.")
    average: list[float | None] = Field(
        description="Per offset: retained / size over the cohorts that reached it (0-1)."
    )
    cohorts: list[CohortOut]


def months(request: HttpRequest, raw_from: str | None, raw_to: str | None) -> tuple[date, date]:
    """The months asked (first days): by default the twelve up to this one."""
    last = parse_month(raw_to, "to", workspace_today(actor_of(request)))
    first = parse_month(raw_from, "from", add_months(last, 1 - DEFAULT_MONTHS))
    return first, last


def cohorts_out(found: Cohorts) -> dict[str, Any]:
    return {
        "basis": found.basis,
        "first_month": found.first.strftime("%Y-%m"),
        "last_month": found.last.strftime("%Y-%m"),
        "offsets": found.offsets,
        "currency": found.currency or None,
        "average": found.average,
        "cohorts": [
            {
                "month": row.month.strftime("%Y-%m"),
                "size": row.size,
                "retained": row.retained,
                "churned": row.churned,
                "shares": row.shares,
                "revenue": row.revenue,
                "revenue_shares": row.revenue_shares,
            }
            for row in found.rows
        ],
    }


@router.get("/reports/cohort-retention", response={200: CohortRetentionOut, **ERRORS})
def cohort_retention(request: HttpRequest, query: Query[CohortQuery]) -> dict[str, Any]:
    """Monthly cohorts and the share of each retained month by month (422 `from`/`to` not
    YYYY-MM, `to` before `from`, more than 36 months; `currency` not three letters)."""
    first, last = months(request, query.from_, query.to)
    found = cohort_report(
        actor_of(request), query.basis, first=first, last=last, currency=query.currency
    )
    return cohorts_out(found)
