"""The strategy layer's daily work (schedules the worker runs): every workspace's goals measured,
and the reviews coming up reminded."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import schedule
from vinculo.strategy.goals.measuring import measure_workspace
from vinculo.strategy.reviews.reminders import remind_all_workspaces


def measure_all_workspaces() -> int:
    """Measure every started, open goal of every workspace as the system (today's reading,
    forecast, status, alerts); how many goals were measured."""
    return schedule.each_workspace(measure_workspace, "Measuring the goals")


@task()
def measure_goals_task() -> int:
    return measure_all_workspaces()


schedule.register("strategy.goals", interval=timedelta(days=1), task=measure_goals_task)


@task()
def remind_reviews_task() -> int:
    """A week before each scheduled review, its reminder (strategy.reviews.reminders)."""
    return remind_all_workspaces()


schedule.register("strategy.reviews", interval=timedelta(days=1), task=remind_reviews_task)
