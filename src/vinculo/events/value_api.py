"""REST endpoints of customer value: RFM scores, predicted CLV and churn risk (docs/kpis.md,
"Customer value: RFM", "Customer lifetime value", "Churn risk")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, PageOut
from vinculo.events import selectors as value_selectors
from vinculo.events.models import CustomerValue
from vinculo.events.services.rfm import recompute_rfm
from vinculo.events.tier_text import problem_text, tier_text

router = Router(tags=["Customer value"])
CENT = Decimal("0.01")


class RecomputeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    analysis_date: date | None = Field(
        None, description="Score purchases up to this day (default: today, workspace time)."
    )


class SegmentCountOut(Schema):
    segment: str
    label: str = Field(description="The segment's name in the request's language.")
    people: int


class ChurnCountOut(Schema):
    risk: str = Field(description="low, medium or high.")
    label: str
    people: int
    value_at_stake: str = Field(description="Their historic yearly spend, a decimal string.")


class ParametersOut(Schema):
    r: float | None = Field(description="BG/NBD: shape of the purchase rate's gamma.")
    alpha: float | None = Field(description="BG/NBD: scale of the purchase rate's gamma, in days.")
    a: float | None = Field(description="BG/NBD: the dropout probability's beta, a.")
    b: float | None = Field(description="BG/NBD: the dropout probability's beta, b.")
    p: float | None = Field(description="Gamma-Gamma: shape of each purchase's amount.")
    q: float | None = Field(description="Gamma-Gamma: shape of the amounts' scale.")
    gamma: float | None = Field(description="Gamma-Gamma: scale of the amounts' scale.")


class WarningOut(Schema):
    code: str = Field(examples=["too_few_repeat_buyers"])
    params: dict[str, Any]
    message: str = Field(description="The warning in the request's language.")


class ClvModelOut(Schema):
    analysis_date: date
    computed_at: datetime
    currency: str
    time_unit: Literal["days"]
    horizon_days: int = Field(description="Predictions look this many days ahead (365).")
    fitted: bool = Field(description="False: no predictions (see warnings).")
    customers: int
    repeat_buyers: int
    parameters: ParametersOut
    bgnbd_log_likelihood: float | None
    bgnbd_converged: bool
    gamma_gamma_log_likelihood: float | None
    gamma_gamma_converged: bool
    spend_frequency_correlation: float | None = Field(
        description="Repeat buyers' purchases vs mean amount: Gamma-Gamma assumes near 0."
    )
    fit_seconds: float
    warnings: list[WarningOut]


class ValueSummaryOut(Schema):
    analysis_date: date | None = Field(description="None until the scores are first computed.")
    computed_at: datetime | None
    currency: str
    people: int
    segments: list[SegmentCountOut]
    churn: list[ChurnCountOut] = Field(description="People and value at stake per risk level.")
    total_clv: str | None = Field(description="Sum of the expected 12-month values.")
    total_expected_purchases: float | None
    model: ClvModelOut | None = Field(description="The CLV models' last fit (None before any).")


class AtRiskQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)
    risk: Literal["high", "medium", "any"] = Field(
        "any", description="high, medium, or any (high and medium)."
    )


class AtRiskOut(Schema):
    person_id: int
    name: str
    churn_risk: str
    churn_risk_label: str
    churn_reason: str = Field(description="The reason's code, e.g. overdue.")
    churn_params: dict[str, Any]
    churn_reason_text: str = Field(description="The reason in the request's language.")
    value_at_stake: str = Field(description="Historic yearly spend, a decimal string.")
    currency: str
    clv: str | None
    p_alive: float | None
    recency_days: int
    cadence_days: float | None
    segment: str


class ProblemOut(Schema):
    code: str = Field(examples=["late_payments", "unprofitable"])
    params: dict[str, Any]
    message: str = Field(description="The problem in the request's language.")


class PersonValueOut(Schema):
    person_id: int
    scored: bool = Field(description="False when the last analysis found no purchase of theirs.")
    analysis_date: date | None
    computed_at: datetime | None
    currency: str | None
    recency_days: int | None = Field(description="Days from the last purchase to the analysis.")
    frequency: int | None
    monetary: str | None = Field(description='Decimal as a string, e.g. "120.00".')
    r_score: int | None
    f_score: int | None
    m_score: int | None
    segment: str | None
    segment_label: str | None = Field(description="The segment in the request's language.")
    repeat_purchases: int | None = Field(description="Purchase days after the first (x).")
    t_x_days: int | None = Field(description="Days from the first purchase day to the last.")
    age_days: int | None = Field(description="Days from the first purchase day to the analysis.")
    repeat_mean_spend: str | None
    expected_purchases: float | None = Field(description="In the next 365 days (BG/NBD).")
    p_alive: float | None = Field(description="Probability alive, 0 to 1 (BG/NBD).")
    expected_spend: str | None = Field(description="Expected amount per purchase (Gamma-Gamma).")
    clv: str | None = Field(description="Expected value in the next 365 days, undiscounted.")
    cadence_days: float | None = Field(description="Median days between purchase days.")
    churn_risk: str | None
    churn_risk_label: str | None
    churn_reason: str | None
    churn_params: dict[str, Any] | None
    churn_reason_text: str | None
    value_at_stake: str | None
    tier: str | None = Field(description="mvc (most valuable), mgc (most growable) or empty.")
    tier_label: str | None
    tier_reason: str | None = Field(description="The reason's code: mvc_clv, mvc_spend, mgc_gap.")
    tier_params: dict[str, Any] | None
    tier_reason_text: str | None = Field(description="The reason in the request's language.")
    growth_gap: str | None = Field(description="Potential of customers like them minus spend.")
    is_problem: bool | None
    problems: list[ProblemOut] | None


_UNSCORED = dict.fromkeys(
    [name for name in PersonValueOut.model_fields if name not in {"person_id", "scored"}]
)


def _person_value_json(person_id: int, row: CustomerValue | None) -> dict[str, Any]:
    if row is None:
        return {"person_id": person_id, "scored": False, **_UNSCORED}
    return {
        "person_id": row.person_id,
        "scored": True,
        "analysis_date": row.analysis_date,
        "computed_at": row.computed_at,
        "currency": row.currency,
        "recency_days": row.recency_days,
        "frequency": row.frequency,
        "monetary": str(row.monetary),
        "r_score": row.r_score,
        "f_score": row.f_score,
        "m_score": row.m_score,
        "segment": row.segment,
        "segment_label": str(row.get_segment_display()),
        "repeat_purchases": row.repeat_purchases,
        "t_x_days": row.t_x_days,
        "age_days": row.age_days,
        "repeat_mean_spend": _text(row.repeat_mean_spend),
        "expected_purchases": row.expected_purchases,
        "p_alive": row.p_alive,
        "expected_spend": _text(row.expected_spend),
        "clv": _text(row.clv),
        "cadence_days": row.cadence_days,
        **_churn(row),
        **tier_json(row),
    }


def tier_json(row: CustomerValue) -> dict[str, Any]:
    """A row's tier, growth gap and problems, each reason also in the request's language."""
    return {
        "tier": row.tier,
        "tier_label": str(row.get_tier_display()) if row.tier else "",
        "tier_reason": row.tier_reason,
        "tier_params": row.tier_params,
        "tier_reason_text": tier_text(row.tier_reason, row.tier_params, row.currency),
        "growth_gap": _text(row.growth_gap),
        "is_problem": row.is_problem,
        "problems": [{**p, "message": problem_text(p, row.currency)} for p in row.problems],
    }


def _text(value: Decimal | None) -> str | None:
    """Money as a decimal string in cents (database sums may drop the trailing zeros)."""
    return None if value is None else str(Decimal(value).quantize(CENT))


def _churn(row: CustomerValue) -> dict[str, Any]:
    return {
        "churn_risk": row.churn_risk,
        "churn_risk_label": str(row.get_churn_risk_display()),
        "churn_reason": row.churn_reason,
        "churn_params": row.churn_params,
        "churn_reason_text": value_selectors.churn_reason_of(row),
        "value_at_stake": str(row.value_at_stake),
    }


def _summary_json(summary: dict[str, Any]) -> dict[str, Any]:
    churn = [{**c, "value_at_stake": _text(c["value_at_stake"])} for c in summary["churn"]]
    return {**summary, "churn": churn, "total_clv": _text(summary["total_clv"])}


@router.get(
    "/customer-value",
    response={200: ValueSummaryOut, **ERRORS},
    summary="RFM segment counts and the analysis date",
)
def get_summary(request: HttpRequest) -> dict[str, Any]:
    return _summary_json(value_selectors.customer_value_summary(actor_of(request)))


@router.get(
    "/customer-value/at-risk",
    response={200: PageOut[AtRiskOut], **ERRORS},
    summary="Customers at risk of churning, the most value at stake first, with the reason",
)
def at_risk(request: HttpRequest, query: Query[AtRiskQuery]) -> dict[str, Any]:
    levels = None if query.risk == "any" else [query.risk]
    rows = value_selectors.customers_at_risk(actor_of(request), levels)
    page = paginate(rows, cursor=query.cursor, limit=query.limit, order="-value_at_stake")
    return {
        "items": [
            {
                "person_id": row.person_id,
                "name": str(row.person),
                "currency": row.currency,
                "clv": _text(row.clv),
                "p_alive": row.p_alive,
                "recency_days": row.recency_days,
                "cadence_days": row.cadence_days,
                "segment": row.segment,
                **_churn(row),
            }
            for row in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/customer-value/recompute",
    response={200: ValueSummaryOut, **ERRORS},
    summary="Recompute the workspace's RFM scores, CLV and churn risk now",
)
def post_recompute(request: HttpRequest, payload: RecomputeIn | None = None) -> dict[str, Any]:
    actor = actor_of(request)
    recompute_rfm(actor, payload.analysis_date if payload else None)
    return _summary_json(value_selectors.customer_value_summary(actor))


@router.get(
    "/people/{int:person_id}/value",
    response={200: PersonValueOut, **ERRORS},
    summary="A person's RFM scores, CLV and churn risk (scored false without purchases)",
)
def person_value(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    return _person_value_json(
        person_id, value_selectors.customer_value_of(actor_of(request), person_id)
    )
