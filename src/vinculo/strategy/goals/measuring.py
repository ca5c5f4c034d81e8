"""Measuring goals (writes): the baseline when a goal starts, today's reading, the forecast and
the status (:mod:`.rules`), a team goal rolled up from its quotas, and the owner alerted when a
goal turns at risk or off track. Called by the daily job, "measure now" and a goal's creation;
page views never measure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from vinculo.core import notifications
from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Direction, Grain, Kpi, Scope, get, measure
from vinculo.core.kpis.engine import MAX_BUCKETS
from vinculo.core.tenancy import Membership, Role, User
from vinculo.strategy.goals import rules
from vinculo.strategy.models import Goal, GoalMeasure, GoalReading, GoalStatus

ALERTED = (GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)


def scope_of(goal: Goal, actor: Actor) -> Scope:
    """The KPI's cut the goal names (the system actor measures: who clicks changes nothing)."""
    return Scope(
        actor=Actor.system(actor.workspace),
        owner_id=goal.filter_owner_id,
        team_id=goal.filter_team_id,
        pipeline_id=goal.filter_pipeline_id,
        source=goal.filter_source or None,
        lifecycle_stage=goal.filter_lifecycle_stage or None,
        segment=goal.segment or None,
        currency=goal.currency,
    )


def _value(kpi: Kpi, goal: Goal, actor: Actor, start: date, end: date) -> Decimal | None:
    m = measure(
        kpi.key,
        scope_of(goal, actor),
        start=start,
        end=end,
        grain=Grain.QUARTER,
        segment_object=goal.segment_object,
    )
    return rules.number(m.value)


def baseline_period(goal: Goal) -> tuple[date, date]:
    """Cumulative goals: the same number of days as the goal, just before its start; level
    goals: the ``window_days`` before the start."""
    days = (
        (goal.deadline - goal.starts_on).days + 1
        if goal.measure == GoalMeasure.CUMULATIVE
        else goal.window_days
    )
    return goal.starts_on - timedelta(days=days), goal.starts_on - timedelta(days=1)


def current_period(goal: Goal, day: date) -> tuple[date, date]:
    """Cumulative: from the start to ``day``; level: the ``window_days`` to ``day``."""
    if goal.measure == GoalMeasure.CUMULATIVE:
        return goal.starts_on, day
    return day - timedelta(days=goal.window_days - 1), day


def _measure_own(kpi: Kpi, goal: Goal, actor: Actor, day: date) -> Decimal | None:
    """The goal's KPI over its current period; a cumulative count or sum also fills in the
    readings of the days before (from the daily series) that have none."""
    start, end = current_period(goal, day)
    daily = (
        goal.measure == GoalMeasure.CUMULATIVE
        and kpi.aggregate in rules.DAILY_ADDITIVE
        and kpi.compute is None
        and not kpi.is_snapshot
        and (end - start).days + 1 <= MAX_BUCKETS
    )
    m = measure(
        kpi.key,
        scope_of(goal, actor),
        start=start,
        end=end,
        grain=Grain.DAY if daily else Grain.QUARTER,
        segment_object=goal.segment_object,
    )
    if daily:
        have = set(GoalReading.objects.filter(goal=goal).values_list("day", flat=True))
        running = Decimal(0)
        missing = []
        for point in m.series:
            running += Decimal(str(point.value or 0))
            if point.end < end and point.end not in have:
                missing.append(
                    GoalReading(
                        workspace_id=goal.workspace_id,
                        goal=goal,
                        day=point.end,
                        value=rules.number(running),
                    )
                )
        GoalReading.objects.bulk_create(missing)
    return rules.number(m.value)


def _sum(values: list[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, Decimal(0)) if present else None


def _readings(goal: Goal) -> list[tuple[date, Decimal | None]]:
    return list(GoalReading.objects.filter(goal=goal).order_by("day").values_list("day", "value"))


@transaction.atomic
def measure_goal(
    actor: Actor, goal: Goal, *, today: date | None = None, quotas_fresh: bool = False
) -> Goal:
    """Measure ``goal`` as of ``today`` (the workspace's): its baseline once started, today's
    reading (one per day, replaced when measured again), forecast and status, and alert its
    owner when it turns at risk or off track. A team goal measures its quotas first (unless
    ``quotas_fresh``) and adds them up."""
    today = today or workspace_today(actor)
    kpi = get(goal.kpi_key)
    now = timezone.now()
    if kpi is None or today < goal.starts_on:
        verdict = rules.judge(
            shape=rules.Shape.LEVEL, direction=Direction.UP, target=goal.target,
            baseline=None, current=None, forecast_value=None, starts_on=goal.starts_on,
            deadline=goal.deadline, today=today,
        )  # fmt: skip
        if kpi is None:
            verdict = rules.Judgement(goal.status, "kpi_missing", {"kpi": goal.kpi_key})
        goal.status, goal.status_reason, goal.measured_at = verdict.status, verdict.reason(), now
        goal.save(update_fields=["status", "status_reason", "measured_at", "updated_at"])
        return goal
    shape = rules.shape_of(kpi, goal.measure)
    day = min(today, goal.deadline)
    quotas = list(Goal.objects.for_workspace(goal.workspace_id).filter(parent=goal))
    if quotas:
        if not quotas_fresh:
            quotas = [measure_goal(actor, q, today=today) for q in quotas]
        goal.baseline = _sum([q.baseline for q in quotas])
        goal.baseline_measured_at = goal.baseline_measured_at or now
        current = _sum([q.current for q in quotas])
    else:
        if goal.baseline_measured_at is None:
            goal.baseline_start, goal.baseline_end = baseline_period(goal)
            goal.baseline = _value(kpi, goal, actor, goal.baseline_start, goal.baseline_end)
            goal.baseline_measured_at = now
        current = _measure_own(kpi, goal, actor, day)
    GoalReading.objects.update_or_create(
        goal=goal, day=day, defaults={"workspace_id": goal.workspace_id, "value": current}
    )
    if quotas:
        goal.forecast = _sum([q.forecast for q in quotas])
    else:
        goal.forecast = rules.forecast(
            kpi, shape, current, _readings(goal),
            starts_on=goal.starts_on, deadline=goal.deadline, day=day,
        )  # fmt: skip
    verdict = rules.judge(
        shape=shape, direction=rules.direction_of(kpi, shape), target=goal.target,
        baseline=goal.baseline, current=current, forecast_value=goal.forecast,
        starts_on=goal.starts_on, deadline=goal.deadline, today=today,
    )  # fmt: skip
    goal.current, goal.status, goal.status_reason = current, verdict.status, verdict.reason()
    goal.measured_at = now
    goal.closed_on = today if today > goal.deadline else None
    _alert(goal)
    goal.save()
    return goal


def _recipients(goal: Goal) -> list[User]:
    """The goal's owner; without one, the workspace's managers (else its owners and admins)."""
    if goal.owner_id is not None:
        return [goal.owner] if goal.owner is not None else []
    members = Membership.objects.for_workspace(goal.workspace_id).filter(is_active=True)
    managers = [m.user for m in members.filter(role=Role.MANAGER).select_related("user")]
    if managers:
        return managers
    return [
        m.user for m in members.filter(role__in=[Role.OWNER, Role.ADMIN]).select_related("user")
    ]


def _alert(goal: Goal) -> None:
    """Alert once when the goal turns at risk or off track (not again for the same status);
    back on track or achieved, the next fall alerts again."""
    if goal.status not in ALERTED:
        goal.alerted_status = ""
        return
    if goal.alerted_status == goal.status:
        return
    notifications.notify(
        goal.workspace,
        _recipients(goal),
        f"goal.{goal.status}",
        {
            "goal_id": goal.pk,
            "title": goal.title,
            "kpi": goal.kpi_key,
            "currency": goal.currency,
            "reason": goal.status_reason,
        },
        link=reverse("strategy:goal", args=[goal.pk]),
        email=True,
    )
    goal.alerted_status = goal.status


def due_goals(workspace_id: int, today: date) -> list[Goal]:
    """The goals the daily job measures: started and not closed, quotas before team goals."""
    qs = Goal.objects.for_workspace(workspace_id).filter(
        Q(starts_on__lte=today), Q(closed_on__isnull=True)
    )
    goals = list(qs.select_related("owner", "workspace"))
    return sorted(goals, key=lambda g: (g.parent_id is None, g.pk))


def measure_workspace(actor: Actor, today: date | None = None) -> int:
    """Measure every due goal of the workspace (the daily job); how many were."""
    today = today or workspace_today(actor)
    done = 0
    for goal in due_goals(actor.workspace.pk, today):
        measure_goal(actor, goal, today=today, quotas_fresh=goal.parent_id is None)
        done += 1
    return done
