"""REST endpoints of lead scoring (docs/lead-scoring.md): the rules, the predictive model, the
recompute, a person's score and the people sorted by score."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from vinculo.core.actor import actor_of
from vinculo.core.filters import parse_filter_param
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut
from vinculo.scoring import selectors
from vinculo.scoring.models import LeadScore, ScoringRule
from vinculo.scoring.services import rules as services
from vinculo.scoring.services.recompute import recompute_scores
from vinculo.scoring.services.training import train

router = Router(tags=["Lead scoring"])


class ScoringRuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="What the rule is about, shown with its points.")
    kind: str = Field(description="field or behaviour")
    points: Int32 = Field(description="Points per match (field) or per occurrence (behaviour).")
    condition: dict[str, Any] | None = Field(
        None, description="Field rules: a filter-language tree over people."
    )
    event_name: str = Field("", description="Behaviour rules: the tracked event's name.")
    property_key: str = Field("", description="Behaviour rules: an event property to test.")
    property_contains: str = Field("", description="…which must contain this text (folded).")
    window_days: Int32 | None = Field(None, description="Only events of the last N days.")
    half_life_days: float | None = Field(None, description="Each occurrence halves every N days.")
    cap: Int32 | None = Field(None, description="At most this many points (absolute).")
    is_active: bool = True


class ScoringRulePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: str | None = None
    points: Int32 | None = None
    condition: dict[str, Any] | None = None
    event_name: str | None = None
    property_key: str | None = None
    property_contains: str | None = None
    window_days: Int32 | None = None
    half_life_days: float | None = None
    cap: Int32 | None = None
    is_active: bool | None = None


class ScoringRuleOut(Schema):
    id: int
    name: str
    kind: str
    points: int
    condition: dict[str, Any] | None
    event_name: str
    property_key: str
    property_contains: str
    window_days: int | None
    half_life_days: float | None
    cap: int | None
    is_active: bool
    created_at: datetime
    updated_at: datetime


class CalibrationBinOut(Schema):
    low: float
    high: float
    predicted: float = Field(description="Mean predicted probability of the bin's deals.")
    observed: float = Field(description="Share of the bin's deals that were won.")
    n: int


class FeatureOut(Schema):
    feature: str
    label: str = Field(description="The feature in the request's language.")
    weight: float = Field(description="Log-odds per standard deviation.")


class ScoringModelOut(Schema):
    status: str = Field(description="untrained, insufficient, no_signal or ready")
    status_label: str
    in_use: bool = Field(description="False unless the holdout showed a signal.")
    won: int
    lost: int
    min_won: int
    min_lost: int
    needs_won: int = Field(description="Won deals still needed before training.")
    needs_lost: int = Field(description="Lost deals still needed before training.")
    holdout_size: int
    auc: float | None
    auc_low: float | None = Field(description="The AUC's 95% lower bound (Hanley & McNeil).")
    calibration: list[CalibrationBinOut]
    features: list[FeatureOut]
    trained_at: datetime | None


class RecomputeOut(Schema):
    people: int = Field(description="People with a stored score after the recompute.")


class ReasonOut(Schema):
    code: str = Field(description="field, behaviour or model")
    text: str = Field(description="The reason in the request's language.")
    points: int | None = None
    effect: float | None = Field(None, description="Model reasons: log-odds added.")


class ScoreOut(Schema):
    person_id: int
    scored: bool = Field(description="False before the first recompute that gave a score.")
    lead_score: int | None
    lead_probability: float | None = Field(description="Null when no model is in use.")
    reasons: list[ReasonOut]
    computed_at: datetime | None


class ScoredPeopleQuery(Schema):
    sort: Literal["lead_score", "-lead_score", "lead_probability", "-lead_probability"] = (
        "-lead_score"
    )
    filter: str | None = Field(None, description="A filter-language tree over people (JSON).")
    cursor: str | None = None
    limit: Int32 | None = None


def _rule_json(rule: ScoringRule) -> dict[str, Any]:
    return {f: getattr(rule, f) for f in ScoringRuleOut.model_fields}


def _score_json(person_id: int, row: LeadScore | None) -> dict[str, Any]:
    if row is None:
        return {
            "person_id": person_id,
            "scored": False,
            "lead_score": None,
            "lead_probability": None,
            "reasons": [],
            "computed_at": None,
        }
    return {
        "person_id": row.person_id,
        "scored": True,
        "lead_score": row.rule_score,
        "lead_probability": row.probability,
        "reasons": selectors.worded(row.reasons),
        "computed_at": row.computed_at,
    }


@router.get(
    "/scoring/rules", response={200: list[ScoringRuleOut], **ERRORS}, summary="List the rules"
)
def list_rules(request: HttpRequest) -> list[dict[str, Any]]:
    return [_rule_json(r) for r in selectors.rules(actor_of(request))]


@router.post("/scoring/rules", response={201: ScoringRuleOut, **ERRORS}, summary="Add a rule")
def create_rule(request: HttpRequest, payload: ScoringRuleIn) -> Status[dict[str, Any]]:
    rule = services.create_rule(actor=actor_of(request), data=payload.dict())
    return Status(201, _rule_json(rule))


@router.get(
    "/scoring/rules/{scoring_rule_id}", response={200: ScoringRuleOut, **ERRORS}, summary="One rule"
)
def get_rule(request: HttpRequest, scoring_rule_id: Id) -> dict[str, Any]:
    return _rule_json(selectors.get_rule(actor_of(request), scoring_rule_id))


@router.patch(
    "/scoring/rules/{scoring_rule_id}",
    response={200: ScoringRuleOut, **ERRORS},
    summary="Change a rule",
)
def update_rule(
    request: HttpRequest, scoring_rule_id: Id, payload: ScoringRulePatch
) -> dict[str, Any]:
    rule = services.update_rule(
        actor=actor_of(request), rule_id=scoring_rule_id, data=payload.dict(exclude_unset=True)
    )
    return _rule_json(rule)


@router.delete(
    "/scoring/rules/{scoring_rule_id}", response={204: None, **ERRORS}, summary="Delete a rule"
)
def delete_rule(request: HttpRequest, scoring_rule_id: Id) -> Status[None]:
    services.delete_rule(actor=actor_of(request), rule_id=scoring_rule_id)
    return Status(204, None)


@router.get(
    "/scoring/model",
    response={200: ScoringModelOut, **ERRORS},
    summary="The predictive model: status, outcomes against the minimum, AUC, calibration",
)
def get_model(request: HttpRequest) -> dict[str, Any]:
    return selectors.model_summary(actor_of(request))


@router.post(
    "/scoring/train",
    response={200: ScoringModelOut, **ERRORS},
    summary="Retrain the predictive model now (then recompute the scores)",
)
def post_train(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    train(actor)
    recompute_scores(actor)
    return selectors.model_summary(actor)


@router.post(
    "/scoring/recompute",
    response={200: RecomputeOut, **ERRORS},
    summary="Recompute every person's lead score now",
)
def post_recompute(request: HttpRequest) -> dict[str, Any]:
    return {"people": recompute_scores(actor_of(request))}


@router.get(
    "/scoring/people",
    response={200: PageOut[ScoreOut], **ERRORS},
    summary="Scored people, sorted by lead score or probability, optionally filtered",
)
def scored_people(request: HttpRequest, query: Query[ScoredPeopleQuery]) -> dict[str, Any]:
    qs = selectors.scored_people(actor_of(request), parse_filter_param(query.filter))
    column = "rule_score" if query.sort.endswith("lead_score") else "probability"
    order = ("-" if query.sort.startswith("-") else "") + column
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order=order)
    return {
        "items": [_score_json(s.person_id, s) for s in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/people/{int:person_id}/score",
    response={200: ScoreOut, **ERRORS},
    summary="A person's lead score, probability and reasons (scored false before a recompute)",
)
def person_score(request: HttpRequest, person_id: Id) -> dict[str, Any]:
    return _score_json(person_id, selectors.score_of(actor_of(request), person_id))
