# ruff: noqa: RUF001, RUF003  (the reasons say "3×" with a multiplication sign)
"""The predictive score on synthetic histories: with a known signal (pricing page views before
the deal) it trains, beats a coin toss on the holdout and names the signal in its reasons; with
none it says so and gives no probability and no reasons; below the minimum of outcomes it does
not train and says how many more are needed. Features are read as of each deal's creation."""

from __future__ import annotations

from datetime import timedelta

from django.utils import translation

from tests.scoring.history import BASE, make_history
from vinculo.contacts import services as contacts
from vinculo.events.models import TrackedEvent
from vinculo.scoring import predictive
from vinculo.scoring.features import FeatureSpec, raw_features
from vinculo.scoring.models import LeadScore, ModelStatus
from vinculo.scoring.selectors import model_summary, worded
from vinculo.scoring.services.recompute import recompute_scores
from vinculo.scoring.services.training import train

API = "/api/v1"


def test_a_known_signal_is_learned_and_named(ana):
    make_history(ana, won=150, lost=150, signal=True)
    model = train(ana.actor)
    assert model.status == ModelStatus.READY
    assert model.won == 150 and model.lost == 150
    assert model.holdout_size == 90  # 30% of 300, stratified
    assert model.auc > 0.8 and model.auc_low > 0.5
    assert sum(b["n"] for b in model.calibration) == 90
    weights = dict(zip(model.params["features"], model.params["coef"], strict=True))
    strongest = max(weights, key=lambda k: abs(weights[k]))
    assert strongest == "event:page_viewed" and weights[strongest] > 0

    # A new lead who viewed the pricing page 6 times this month scores above one who did not.
    keen = contacts.create_person(actor=ana.actor, data={"first_name": "Keen"})
    cold = contacts.create_person(actor=ana.actor, data={"first_name": "Cold"})
    now = BASE + timedelta(days=1)
    TrackedEvent.objects.bulk_create(
        [
            TrackedEvent(workspace=ana.workspace, name="page_viewed", person=keen,
                         occurred_at=now - timedelta(days=d))
            for d in range(1, 7)
        ]
    )  # fmt: skip
    recompute_scores(ana.actor, now=now)
    scores = {s.person_id: s for s in LeadScore.objects.for_workspace(ana.workspace)}
    assert scores[keen.pk].probability > 0.8 > scores[cold.pk].probability
    reasons = [r for r in scores[keen.pk].reasons if r["code"] == "model"]
    assert reasons[0]["feature"] == "event:page_viewed" and reasons[0]["effect"] > 0
    with translation.override("en"):
        text = worded(reasons)[0]["text"]
    assert text == "Raises the chance of winning: Page viewed 6× in the last 90 days"
    with translation.override("pt-br"):
        assert worded(reasons)[0]["text"].startswith("Aumenta a chance de ganho:")


def test_no_signal_says_so_and_gives_no_reasons(ana):
    make_history(ana, won=150, lost=150, signal=False)
    model = train(ana.actor)
    assert model.status == ModelStatus.NO_SIGNAL
    assert model.auc_low <= 0.5  # the holdout cannot tell won from lost better than chance
    recompute_scores(ana.actor)
    assert not LeadScore.objects.for_workspace(ana.workspace).exclude(probability=None).exists()
    assert not any(
        r["code"] == "model"
        for reasons in LeadScore.objects.for_workspace(ana.workspace).values_list(
            "reasons", flat=True
        )
        for r in reasons
    )
    summary = model_summary(ana.actor)
    assert summary["in_use"] is False
    with translation.override("en"):
        assert str(ModelStatus(summary["status"]).label) == "No signal: the score is not used"


def test_below_the_minimum_it_does_not_train(ana):
    make_history(ana, won=predictive.MIN_WON - 1, lost=predictive.MIN_LOST + 10, signal=True)
    model = train(ana.actor)
    assert model.status == ModelStatus.INSUFFICIENT and model.auc is None
    summary = model_summary(ana.actor)
    assert (summary["needs_won"], summary["needs_lost"]) == (1, 0)
    body = ana.client().get(f"{API}/scoring/model").json()
    assert body["status"] == "insufficient" and body["needs_won"] == 1


def test_features_are_read_as_of_the_deal_creation(ana):
    person = contacts.create_person(actor=ana.actor, data={"first_name": "Ana Paula"})
    for days in (-5, 10, 100):  # after, 10 days before, and 100 days before the moment
        TrackedEvent.objects.create(
            workspace=ana.workspace, name="page_viewed", person=person,
            occurred_at=BASE - timedelta(days=days),
        )  # fmt: skip
    spec = FeatureSpec(events=("page_viewed",), sources=())
    row = raw_features(ana.actor, spec, [(person.pk, BASE)])[0]
    # Only the view 10 days before counts: the later one had not happened, the 100-day-old one
    # is outside the 90-day look-back.
    assert row[spec.names.index("event:page_viewed")] == 1
