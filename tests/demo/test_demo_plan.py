"""The demo workspace ships with a CRM plan (the B2B services draft begun eight weeks ago) whose
goals are measured on the demo's data: part on track or achieved, part not, each with its reason,
and a review scheduled."""

from __future__ import annotations

from vinculo.demo.workspace import ensure_demo_workspace
from vinculo.strategy.models import Goal, GoalStatus, Review, Tactic


def test_the_demo_plan_is_measured_and_mixed(db):
    ensure_demo_workspace(people=300, progress=None)
    goals = list(Goal.objects.all())
    assert len(goals) == 5 and all(g.measured_at and g.status_reason.get("code") for g in goals)
    statuses = {g.status for g in goals}
    good = {GoalStatus.ON_TRACK, GoalStatus.ACHIEVED}
    assert statuses & good and statuses - good, statuses  # part on track, part not
    assert not Goal.objects.filter(tactic__isnull=True).exists()
    assert Tactic.objects.count() == 4
    assert Review.objects.filter(status="scheduled").count() == 1
