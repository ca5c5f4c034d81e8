"""Reviews of the plan: the snapshot freezes goals, KPIs and budgets as of its day and stays as
it was when the data changes; holding one schedules the next; decisions become tasks for their
owners; the comparison with the previous review; the PDF and XLSX documents read back; another
workspace's reviews are out of reach."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from freezegun import freeze_time
from openpyxl import load_workbook
from pypdf import PdfReader

from vinculo.activities.models import Activity, ActivityKind
from vinculo.contacts.services.people import create_person
from vinculo.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from vinculo.strategy.documents import review_pdf, review_xlsx
from vinculo.strategy.models import (
    Function,
    Goal,
    GoalStatus,
    Objective,
    Plan,
    Review,
    ReviewStatus,
    Strategy,
    Tactic,
    TacticSpend,
)
from vinculo.strategy.reviews import services
from vinculo.strategy.reviews.selectors import compare

TODAY = date(2026, 6, 15)


def make_plan(persona) -> tuple[Plan, Tactic, Goal]:
    """A plan with one objective, one sales strategy, one tactic (R$ 10,000 and 40 hours
    budgeted) and one goal on ``new_people`` measured at 30 of 50 people, on track."""
    ws = persona.workspace
    plan = Plan.objects.create(workspace=ws, title="Plano 2026", review_every_months=3)
    objective = Objective.objects.create(workspace=ws, plan=plan, title="Crescer 20%")
    strategy = Strategy.objects.create(
        workspace=ws, objective=objective, function=Function.SALES, title="Prospecção ativa"
    )
    tactic = Tactic.objects.create(
        workspace=ws,
        strategy=strategy,
        title="Ligações para leads novos",
        budget_amount=Decimal("10000"),
        budget_currency="BRL",
        budget_hours=Decimal("40"),
    )
    goal = Goal.objects.create(
        workspace=ws,
        tactic=tactic,
        title="50 pessoas novas no trimestre",
        kpi_key="new_people",
        starts_on=date(2026, 4, 1),
        deadline=date(2026, 6, 30),
        target=Decimal("50"),
        baseline=Decimal("20"),
        current=Decimal("30"),
        forecast=Decimal("52"),
        status=GoalStatus.ON_TRACK,
        measured_at=timezone.now(),
    )
    return plan, tactic, goal


def spend(persona, tactic, amount, currency="BRL", hours=None):
    return TacticSpend.objects.create(
        workspace=persona.workspace,
        tactic=tactic,
        spent_on=TODAY,
        amount=Decimal(amount),
        currency=currency,
        hours=hours,
    )


@pytest.fixture
def planned(ana):
    with freeze_time("2026-06-15 12:00:00"):
        plan, tactic, goal = make_plan(ana)
        # 3 people added on 2026-05-10 (inside the review's period), 1 on 2026-06-15 (after it).
        with freeze_time("2026-05-10 15:00:00"):
            for name in ("Lia", "Rui", "Ivo"):
                create_person(actor=ana.actor, data={"first_name": name})
        for name in ("Edu",):
            create_person(actor=ana.actor, data={"first_name": name})
        spend(ana, tactic, "2500.00", hours=Decimal("6"))
        spend(ana, tactic, "100.00", currency="USD")
    return plan, tactic, goal


def test_freeze_takes_goals_kpis_and_budgets_and_keeps_them(ana, planned):
    plan, tactic, goal = planned
    with freeze_time("2026-06-15 12:00:00"):
        review = services.create_review(ana.actor, plan, {"held_on": "2026-06-15"})
        review = services.freeze(ana.actor, review.pk)
    snap = review.snapshot
    # The first review looks back 90 days: 2026-03-17 .. 2026-06-14 (the day itself not over).
    assert (snap["start"], snap["end"]) == ("2026-03-17", "2026-06-14")
    [g] = snap["goals"]
    assert (g["title"], g["current"], g["target"], g["status"]) == (
        "50 pessoas novas no trimestre",
        "30.0000",
        "50.0000",
        "on_track",
    )
    [k] = snap["kpis"]
    # new_people in the period: the 3 added on 2026-05-10; Edu (2026-06-15) is after it.
    assert (k["key"], k["value"]) == ("new_people", "3")
    [b] = snap["budgets"]
    # Spend per currency, never added across currencies: 2,500 BRL and 100 USD; 6 hours.
    assert b["planned"] == "10000.00" and b["currency"] == "BRL"
    assert b["spent"] == {"BRL": "2500.00", "USD": "100.00"}
    assert (b["planned_hours"], b["spent_hours"]) == ("40.0", "6.0")

    # The data changes afterwards: the goal is measured again, more is spent, people added.
    Goal.objects.filter(pk=goal.pk).update(current=Decimal("45"), status=GoalStatus.AT_RISK)
    spend(ana, tactic, "999.00")
    create_person(actor=ana.actor, data={"first_name": "Nei"})
    held = services.hold(ana.actor, review.pk)  # frozen already: not taken again
    held.refresh_from_db()
    assert held.snapshot == snap and held.status == ReviewStatus.HELD
    with pytest.raises(Conflict):
        services.freeze(ana.actor, review.pk)


def test_holding_schedules_the_next_review(ana, planned):
    plan, _tactic, _goal = planned
    with freeze_time("2026-06-15 12:00:00"):
        review = services.create_review(ana.actor, plan, {"held_on": "2026-05-31"})
        services.hold(ana.actor, review.pk)
    plan.refresh_from_db()
    # Every 3 months after 2026-05-31: 2026-08-31.
    nxt = Review.objects.get(plan=plan, status=ReviewStatus.SCHEDULED)
    assert nxt.held_on == date(2026, 8, 31) == plan.next_review_on
    with pytest.raises(Conflict):
        services.hold(ana.actor, review.pk)
    # A held review keeps its date; its findings can still be written.
    with pytest.raises(ValidationFailed) as bad:
        services.update_review(ana.actor, review.pk, {"held_on": "2026-06-01"})
    assert bad.value.errors[0].field == "held_on"
    services.update_review(ana.actor, review.pk, {"findings": "Ligações atrasadas."})
    assert Review.objects.get(pk=review.pk).findings == "Ligações atrasadas."


def test_decisions_become_tasks_for_their_owners(ana, bruno, carla, planned):
    plan, _tactic, _goal = planned
    review = services.create_review(ana.actor, plan, {"held_on": "2026-06-15"})
    decision = services.add_decision(
        ana.actor,
        review.pk,
        {"text": "Contratar mais um SDR", "owner_id": bruno.user.pk, "due_on": "2026-07-10"},
    )
    task = Activity.objects.get(pk=decision.task_id)
    assert task.kind == ActivityKind.TASK and task.subject == "Contratar mais um SDR"
    assert task.assignee_id == bruno.user.pk
    zone = ZoneInfo(ana.workspace.timezone)
    assert timezone.localtime(task.due_at, timezone=zone).date() == date(2026, 7, 10)
    # An owner from another workspace, an empty text and a bad date: each named, nothing kept.
    with pytest.raises(ValidationFailed) as bad:
        services.add_decision(ana.actor, review.pk, {"text": "x", "owner_id": carla.user.pk})
    assert [e.field for e in bad.value.errors] == ["owner_id"]
    with pytest.raises(ValidationFailed) as bad:
        services.add_decision(ana.actor, review.pk, {"text": " ", "due_on": "10/07/2026"})
    assert sorted(e.field for e in bad.value.errors) == ["due_on", "text"]
    assert review.decisions.count() == 1
    # A sales rep cannot change the plan's reviews.
    with pytest.raises(PermissionDenied):
        services.add_decision(bruno.actor, review.pk, {"text": "Sem permissão"})


def test_another_workspace_cannot_reach_a_review(ana, carla, planned):
    plan, _tactic, _goal = planned
    review = services.create_review(ana.actor, plan, {"held_on": "2026-06-15"})
    for call in (
        lambda: services.freeze(carla.actor, review.pk),
        lambda: services.hold(carla.actor, review.pk),
        lambda: services.update_review(carla.actor, review.pk, {"findings": "x"}),
        lambda: services.add_decision(carla.actor, review.pk, {"text": "x"}),
    ):
        with pytest.raises(NotFound):
            call()
    assert Review.objects.get(pk=review.pk).frozen_at is None


def test_the_comparison_shows_what_moved_since_the_previous_review(ana, planned):
    plan, _tactic, goal = planned
    with freeze_time("2026-03-31 12:00:00"):
        first = services.create_review(ana.actor, plan, {"held_on": "2026-03-31"})
        services.hold(ana.actor, first.pk)  # frozen with the goal at 30, on track
    assert compare(Review.objects.get(pk=first.pk)).previous is None
    Goal.objects.filter(pk=goal.pk).update(current=Decimal("45"), status=GoalStatus.AT_RISK)
    second = Review.objects.get(plan=plan, status=ReviewStatus.SCHEDULED)
    assert second.held_on == date(2026, 6, 30)
    with freeze_time("2026-06-30 12:00:00"):
        services.freeze(ana.actor, second.pk)
    second.refresh_from_db()
    # The second review looks at the days since the first: 2026-03-31 .. 2026-06-29.
    assert (second.snapshot["start"], second.snapshot["end"]) == ("2026-03-31", "2026-06-29")
    comparison = compare(second)
    assert comparison.previous == first
    [change] = comparison.goals
    assert (change.status_then, change.status_now) == ("on_track", "at_risk")
    assert change.delta == Decimal("15")  # 45 now - 30 then
    [budget] = comparison.budgets
    assert budget.delta == Decimal("0")  # 2,500 BRL spent at both


def test_documents_read_back_in_the_readers_language(ana, bruno, planned):
    plan, _tactic, _goal = planned
    with freeze_time("2026-06-15 12:00:00"):
        review = services.create_review(
            ana.actor, plan, {"held_on": "2026-06-15", "title": "Revisão do 2º trimestre"}
        )
        services.update_review(ana.actor, review.pk, {"findings": "Prospecção abaixo do plano."})
        services.add_decision(
            ana.actor, review.pk, {"text": "Dobrar as ligações", "owner_id": bruno.user.pk}
        )
        review = services.freeze(ana.actor, review.pk)
    with translation.override("pt-br"):
        document = review_pdf(review)
        book = load_workbook(io.BytesIO(review_xlsx(review)))
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    words = " ".join(words.split())
    for expected in (
        "Revisão do 2º trimestre",
        "Prospecção abaixo do plano.",
        "50 pessoas novas no trimestre",
        "Dobrar as ligações",
        "Ligações para leads novos",
        "R$ 10.000,00",  # the budget in the reader's format
    ):
        assert expected in words, expected
    assert "Metas" in words  # the headings in Portuguese
    goals = book.worksheets[0]
    assert goals.title == "Metas"
    row = [c.value for c in goals[2]]
    assert row[0] == "50 pessoas novas no trimestre"
    assert [float(v) for v in row[2:6]] == [20, 30, 50, 52]  # baseline, now, target, forecast
    assert row[6] == "No rumo"  # the status in words
    assert [s.title for s in book.worksheets][1:3] == ["KPIs", "Orçamentos"]
