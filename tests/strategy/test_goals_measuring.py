"""Baseline, progress, forecast and status of goals against hand-computed fixtures (the
arithmetic beside each): a total of deals won, a segment filter, a level of a KPI whose good
direction is down, a deadline passed, not started, too early, a rep quota rolling up, the daily
job (one reading a day) and the alert sent once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.strategy.goal_fixtures import utc_workspace, won
from vinculo.core.models import Notification
from vinculo.strategy.goals import measuring, rules
from vinculo.strategy.goals import services as goals
from vinculo.strategy.models import GoalReading, GoalStatus


@pytest.fixture
def today(ana):
    return utc_workspace(ana)


def _goal(ana, today, **data):
    base = {
        "title": "Deals won this month",
        "kpi_key": "deals_won",
        "starts_on": today - timedelta(days=9),
        "deadline": today + timedelta(days=20),
        "target": "15",
    }
    return goals.create_goal(actor=ana.actor, data=base | data)


@pytest.fixture
def month(ana, today):
    """Deals won: 6 in the 30 days before the start (S = today - 9), 5 since (S, S+2, S+4,
    S+6, S+8), none today."""
    start = today - timedelta(days=9)
    for n in range(1, 7):
        won(ana.actor, start - timedelta(days=n * 4))  # S-4 … S-24: inside S-30..S-1
    won(ana.actor, start - timedelta(days=31))  # before the baseline's 30 days: not counted
    for n in (0, 2, 4, 6, 8):
        won(ana.actor, start + timedelta(days=n))
    return start


def test_a_total_measures_baseline_progress_forecast_and_status(ana, bruno, today, month):
    goal = _goal(ana, today, owner_id=bruno.user.pk)
    # Baseline: the goal lasts 30 days (S .. S+29); the 30 days before the start: 6 deals.
    assert goal.baseline == Decimal("6.0000")
    assert (goal.baseline_start, goal.baseline_end) == (month - timedelta(30), month - timedelta(1))
    assert goal.current == Decimal("5.0000")  # S, S+2, S+4, S+6, S+8
    # Readings filled in from the daily series, one per day S .. today (x = 0..9):
    # 1, 1, 2, 2, 3, 3, 4, 4, 5, 5.
    values = [r.value for r in GoalReading.objects.filter(goal=goal).order_by("day")]
    assert values == [Decimal(v) for v in (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)]
    # Least squares: mean x 4.5, mean y 3; sum dx*dy = 9+7+2.5+1.5+0+0+1.5+2.5+7+9 = 40;
    # sum dx^2 = 82.5; slope 40 / 82.5 = 0.484848 a day. 20 days left:
    # 5 + 0.484848 * 20 = 14.69696 -> 14.6970.
    assert goal.forecast == Decimal("14.6970")
    # 14.697 / 15 = 0.9798 of the way: at least 0.9, short of the target: at risk.
    assert goal.status == GoalStatus.AT_RISK
    assert goal.status_reason["code"] == "forecast_short"
    assert goal.status_reason["params"]["share"] == "0.9798"
    # The owner is told once, and not again for the same status.
    alerts = Notification.objects.filter(user=bruno.user, code="goal.at_risk")
    assert alerts.count() == 1
    assert alerts.get().params["title"] == "Deals won this month"
    goals.measure_now(actor=ana.actor, goal_id=goal.pk)
    assert alerts.count() == 1
    assert GoalReading.objects.filter(goal=goal).count() == 10  # today's replaced, not added


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("14", GoalStatus.ON_TRACK, "forecast_reaches"),  # 14.697 >= 14
        ("20", GoalStatus.OFF_TRACK, "forecast_far"),  # 14.697 / 20 = 0.73 < 0.9
        ("5", GoalStatus.ACHIEVED, "reached"),  # 5 already
    ],
)
def test_the_status_follows_the_forecast_against_the_target(ana, today, month, target, status,
                                                           code):  # fmt: skip
    goal = _goal(ana, today, target=target)
    assert (goal.status, goal.status_reason["code"]) == (status, code)


def test_a_segment_filter_counts_only_its_records(ana, today, month):
    # Two more deals titled "Big" since the start (S+1, S+3), one before it (S-2).
    won(ana.actor, month + timedelta(days=1), title="Big one")
    won(ana.actor, month + timedelta(days=3), title="Big two")
    won(ana.actor, month - timedelta(days=2), title="Big old")
    segment = {"field": "title", "op": "contains", "value": "Big"}
    goal = _goal(ana, today, segment=segment, segment_object="deal", target="4")
    # Only the Big deals: baseline 1 (S-2), current 2 (S+1, S+3).
    assert (goal.baseline, goal.current) == (Decimal(1), Decimal(2))
    # Readings S..S+9: 0, 1, 1, 2, 2, 2, 2, 2, 2, 2: mean x 4.5, mean y 1.6;
    # sum dx*dy = (-4.5)(-1.6) + (-3.5)(-0.6) + (-2.5)(-0.6) + (-1.5)(0.4) + 0.4 * (-0.5 + 0.5
    # + 1.5 + 2.5 + 3.5 + 4.5) = 7.2 + 2.1 + 1.5 - 0.6 + 4.8 = 15; slope 15 / 82.5 = 0.181818;
    # forecast 2 + 0.181818 * 20 = 5.63636 -> reaches 4: on track.
    assert goal.forecast == Decimal("5.6364")
    assert goal.status == GoalStatus.ON_TRACK


def test_a_level_goal_on_a_kpi_whose_good_direction_is_down(ana, today):
    # Sales cycle (median days from created to won), a level over the 30 days to the day.
    start = today - timedelta(days=10)
    # Before the start (S-30 .. S-1): cycles of 8, 10 and 12 days: median 10 days.
    for cycle, closed in ((8, 5), (10, 6), (12, 7)):
        day = start - timedelta(days=closed)
        won(ana.actor, day, created=day - timedelta(days=cycle))
    # The last 30 days to today: cycles of 4 and 6 days (after S), 10 (S-5 above: 10 days):
    # the 30 days to today are today-29 .. today, so S-5 .. S-7 are inside too: cycles 8, 10,
    # 12, 4, 6 -> median 8 days.
    for cycle, closed in ((4, 2), (6, 3)):
        day = start + timedelta(days=closed)
        won(ana.actor, day, created=day - timedelta(days=cycle))
    goal = _goal(
        ana, today, kpi_key="sales_cycle", measure="level", window_days=30,
        starts_on=start, target=str(5 * 86400),
    )  # fmt: skip
    day = Decimal(86400)
    assert goal.baseline == 10 * day  # S-30 .. S-1: 8, 10, 12
    assert goal.current == 8 * day
    # Progress from the baseline down to the target: (8 - 10) / (5 - 10) = 0.4.
    assert rules.share(goal.current, goal.target, rules.Shape.LEVEL, goal.baseline,
                       rules.Direction.DOWN) == Decimal("0.4")  # fmt: skip
    # One reading: no trend, the forecast is the current value; 0.4 of the way < 0.9: off track.
    assert goal.forecast == 8 * day
    assert (goal.status, goal.status_reason["code"]) == (GoalStatus.OFF_TRACK, "forecast_far")
    # Readings of the days before falling 9, 8.5 (days): the trend over 9, 8.5, 8 is -0.5 a
    # day; 19 days left: 8 - 9.5 = -1.5, bounded at 0 (a duration is never negative): reached.
    for n, value in ((2, 9), (1, Decimal("8.5"))):
        GoalReading.objects.create(
            workspace=ana.workspace, goal=goal, day=today - timedelta(days=n), value=value * day
        )
    goal = goals.measure_now(actor=ana.actor, goal_id=goal.pk)
    assert goal.forecast == 0
    assert (goal.status, goal.status_reason["code"]) == (GoalStatus.ON_TRACK, "forecast_reaches")


def test_a_goal_whose_deadline_has_passed_is_achieved_or_missed(ana, today):
    start, deadline = today - timedelta(days=40), today - timedelta(days=11)
    for n in (0, 5, 29):
        won(ana.actor, start + timedelta(days=n))
    won(ana.actor, deadline + timedelta(days=2))  # after the deadline: not counted
    hit = _goal(ana, today, starts_on=start, deadline=deadline, target="3")
    miss = _goal(ana, today, starts_on=start, deadline=deadline, target="4")
    assert (hit.current, hit.status, hit.closed_on) == (3, GoalStatus.ACHIEVED, today)
    assert hit.status_reason["code"] == "achieved_by_deadline"
    assert (miss.status, miss.status_reason["code"]) == (GoalStatus.MISSED, "missed")
    assert miss.forecast == 3  # nothing left to forecast
    # The last reading is the deadline's; the daily job leaves closed goals alone.
    assert GoalReading.objects.filter(goal=hit).order_by("day").last().day == deadline
    assert measuring.due_goals(ana.workspace.pk, today) == []


def test_a_goal_not_started_is_measured_on_its_start_day(ana, today, month):
    goal = _goal(ana, today, starts_on=today + timedelta(days=3), deadline=today + timedelta(30))
    assert goal.status == GoalStatus.NOT_STARTED and goal.baseline is None
    assert not GoalReading.objects.filter(goal=goal).exists()
    assert measuring.measure_workspace(ana.actor, today) == 0
    # On its start day the job measures its baseline: the 28 days before (S-28 .. S-1 with
    # S = today + 3: today-25 .. today+2): the deals of S(month)+0..8 = today-9..today-1: 5,
    # and month-4, -8, -12, -16 = today-13, -17, -21, -25: 4 more: 9.
    measuring.measure_workspace(ana.actor, today + timedelta(days=3))
    goal.refresh_from_db()
    assert goal.baseline == 9
    assert (goal.status, goal.status_reason["code"]) == (GoalStatus.ON_TRACK, "too_early")


def test_the_daily_job_writes_one_reading_a_day(ana, today, month):
    goal = _goal(ana, today)
    assert measuring.measure_workspace(ana.actor, today) == 1
    assert measuring.measure_workspace(ana.actor, today) == 1
    assert GoalReading.objects.filter(goal=goal, day=today).count() == 1
    assert GoalReading.objects.filter(goal=goal).count() == 10


def test_rep_quotas_roll_up_to_the_team_goal(ana, bruno, today, month):
    start = today - timedelta(days=9)
    for n in (1, 3, 5):  # Bruno: 3 deals since the start; 1 before it
        won(ana.actor, start + timedelta(days=n), owner=bruno.user)
    won(ana.actor, start - timedelta(days=3), owner=bruno.user)
    team = _goal(ana, today, title="Team", target="20")
    # The month fixture's deals are Ana's (the creator owns a new deal): 5 since, 6 before.
    ana_quota = _goal(ana, today, title="Ana", parent_id=team.pk, filter_owner_id=ana.user.pk,
                      owner_id=ana.user.pk, target="12")  # fmt: skip
    bruno_quota = _goal(ana, today, title="Bruno", parent_id=team.pk, target="8",
                        filter_owner_id=bruno.user.pk, owner_id=bruno.user.pk)  # fmt: skip
    assert (ana_quota.current, bruno_quota.current) == (5, 3)
    team.refresh_from_db()
    # The team's value is its quotas' sum: current 5 + 3, baseline 6 + 1, forecast the sum.
    assert team.current == 8 and team.baseline == 7
    assert team.forecast == ana_quota.forecast + bruno_quota.forecast
    # Bruno's readings S..S+9: 0, 1, 1, 2, 2, 3, 3, 3, 3, 3 -> mean 2.1; sum dx*dy =
    # (-4.5)(-2.1) + (-3.5)(-1.1) + (-2.5)(-1.1) + (-1.5)(-0.1) + (-0.5)(-0.1) + 0.9 * (0.5 +
    # 1.5 + 2.5 + 3.5 + 4.5) = 9.45 + 3.85 + 2.75 + 0.15 + 0.05 + 11.25 = 27.5; slope 1/3;
    # forecast 3 + 0.333333 * 20 = 9.66666 -> 9.6667. Ana's: 14.6970 (the first test). Sum
    # 24.3637 >= 20: on track.
    assert bruno_quota.forecast == Decimal("9.6667")
    assert team.forecast == Decimal("24.3637")
    assert team.status == GoalStatus.ON_TRACK
    # The daily job measures the quotas, then the team goal from them.
    measuring.measure_workspace(ana.actor, today)
    team.refresh_from_db()
    assert team.current == 8
