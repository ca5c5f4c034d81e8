"""A week before a scheduled review its owners are reminded once, in their language: the plan's
objective and tactic owners and the managers (else the owners); not a review further ahead, not
another workspace's people."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone, translation

from tests.strategy.test_reviews import make_plan
from vinculo.core.models import Notification
from vinculo.core.notifications import text_of
from vinculo.strategy.models import Tactic
from vinculo.strategy.reviews import services
from vinculo.strategy.reviews.reminders import remind_workspace


def test_a_review_coming_up_is_reminded_once(ana, bruno, carla):
    plan, tactic, _goal = make_plan(ana)
    Tactic.objects.filter(pk=tactic.pk).update(owner=bruno.user)  # a sales rep owns a tactic
    today = timezone.localdate()
    soon = services.create_review(ana.actor, plan, {"held_on": today + timedelta(days=5)})
    services.create_review(ana.actor, plan, {"held_on": today + timedelta(days=20)})
    assert remind_workspace(ana.actor) == 1
    told = Notification.objects.filter(code="review.coming")
    # Bruno owns a tactic; Ana is the owner (there is no manager): both, nobody else.
    assert sorted(n.user.email for n in told) == ["ana@aurora.test", "bruno@aurora.test"]
    assert {n.link for n in told} == {f"/strategy/reviews/{soon.pk}/"}
    with translation.override("pt-br"):
        assert text_of(told[0]).startswith("A revisão do plano “Revisão de ")
    assert remind_workspace(ana.actor) == 0  # once
    assert remind_workspace(carla.actor) == 0
    assert not Notification.objects.filter(workspace=carla.workspace).exists()
