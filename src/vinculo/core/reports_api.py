"""The JSON of a cohort report (:class:`vinculo.core.reports.Cohorts`), as the API gives it: by
``GET /reports/cohort-retention`` and by a dashboard's cohort heat map
(``GET /dashboards/{id}/widgets/{wid}/data``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from vinculo.core.reports import Cohorts


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
