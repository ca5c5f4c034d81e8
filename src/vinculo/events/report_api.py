"""API of the cohort retention report (``/reports/cohort-retention``): the cohorts of the
purchase history or of the lifecycle, as the bases registered in :mod:`vinculo.core.reports`
compute them (mounted by :mod:`vinculo.api`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.core.actor import actor_of
from vinculo.core.filters.context import workspace_today
from vinculo.core.reports import add_months, cohort_report, parse_month
from vinculo.core.reports_api import CohortRetentionOut, cohorts_out
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


def months(request: HttpRequest, raw_from: str | None, raw_to: str | None) -> tuple[date, date]:
    """The months asked (first days): by default the twelve up to this one."""
    last = parse_month(raw_to, "to", workspace_today(actor_of(request)))
    first = parse_month(raw_from, "from", add_months(last, 1 - DEFAULT_MONTHS))
    return first, last


@router.get("/reports/cohort-retention", response={200: CohortRetentionOut, **ERRORS})
def cohort_retention(request: HttpRequest, query: Query[CohortQuery]) -> dict[str, Any]:
    """Monthly cohorts and the share of each retained month by month (422 `from`/`to` not
    YYYY-MM, `to` before `from`, more than 36 months; `currency` not three letters)."""
    first, last = months(request, query.from_, query.to)
    found = cohort_report(
        actor_of(request), query.basis, first=first, last=last, currency=query.currency
    )
    return cohorts_out(found)
