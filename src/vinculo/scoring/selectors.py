"""Reads of lead scoring shared by the UI and the API, always scoped by workspace."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vinculo.contacts.models import Person
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.filters import apply_filter
from vinculo.core.permissions import require
from vinculo.scoring import predictive
from vinculo.scoring.features import outcome_counts
from vinculo.scoring.models import LeadScore, ModelStatus, PredictiveModel, ScoringRule
from vinculo.scoring.reasons import feature_label, reason_text


def rules(actor: Actor) -> QuerySet[ScoringRule]:
    require(actor, "records.view")
    return ScoringRule.objects.for_workspace(actor.workspace).order_by("id")


def get_rule(actor: Actor, rule_id: int) -> ScoringRule:
    rule = rules(actor).filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("No scoring rule with id %(id)s.") % {"id": rule_id})
    return rule


def live_person(actor: Actor, person_id: int) -> Person:
    require(actor, "records.view")
    person = (
        Person.objects.for_workspace(actor.workspace)
        .filter(pk=person_id, deleted_at__isnull=True)
        .first()
    )
    if person is None:
        raise NotFound(_("No person with id %(id)s.") % {"id": person_id})
    return person


def scored_people(actor: Actor, tree: dict | None) -> QuerySet[LeadScore]:
    """The scores of the workspace's live people that match ``tree`` (the filter language); the
    caller orders and pages."""
    require(actor, "records.view")
    people = apply_filter(
        Person.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True),
        "person",
        tree,
        actor=actor,
    )
    return LeadScore.objects.for_workspace(actor.workspace).filter(person__in=people)


def score_of(actor: Actor, person_id: int) -> LeadScore | None:
    """A live person's stored score (None before the first recompute); 404 for no such person."""
    live_person(actor, person_id)
    return LeadScore.objects.for_workspace(actor.workspace).filter(person_id=person_id).first()


def worded(reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each stored reason with its text in the reader's language."""
    return [{**r, "text": reason_text(r)} for r in reasons]


def top_people(actor: Actor, *, by: str = "rule_score", limit: int = 10) -> QuerySet[LeadScore]:
    """The highest scores of live people (``by``: ``rule_score`` or ``probability``)."""
    require(actor, "records.view")
    return (
        LeadScore.objects.for_workspace(actor.workspace)
        .filter(person__deleted_at__isnull=True)
        .exclude(**{f"{by}__isnull": True})
        .select_related("person")
        .order_by(f"-{by}", "person_id")[:limit]
    )


def model_summary(actor: Actor) -> dict[str, Any]:
    """The model's status for the screen and the API: outcomes against the minimum, the holdout
    AUC, calibration, feature weights and when it was trained."""
    require(actor, "records.view")
    row = PredictiveModel.objects.filter(workspace=actor.workspace).first()
    if row is None or row.status in {ModelStatus.UNTRAINED, ModelStatus.INSUFFICIENT}:
        # Counted live, so the screen says how many more outcomes are needed today.
        won, lost = outcome_counts(actor)
    else:
        won, lost = row.won, row.lost
    status = row.status if row else ModelStatus.UNTRAINED
    params = row.params if row else {}
    features = [
        {"feature": name, "label": feature_label(name), "weight": round(coef, 4)}
        for name, coef in zip(params.get("features", []), params.get("coef", []), strict=False)
    ]
    features.sort(key=lambda f: -abs(f["weight"]))
    return {
        "status": status,
        "status_label": str(ModelStatus(status).label),
        "in_use": status == ModelStatus.READY,
        "won": won,
        "lost": lost,
        "min_won": predictive.MIN_WON,
        "min_lost": predictive.MIN_LOST,
        "needs_won": max(0, predictive.MIN_WON - won),
        "needs_lost": max(0, predictive.MIN_LOST - lost),
        "holdout_size": row.holdout_size if row else 0,
        "auc": row.auc if row else None,
        "auc_low": row.auc_low if row else None,
        "calibration": row.calibration if row else [],
        "features": features,
        "trained_at": row.trained_at if row else None,
    }
