"""The strategy layer's daily work (schedules the worker runs): every workspace's goals measured,
and the reviews coming up reminded."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from vinculo.core import schedule
from vinculo.core.actor import Actor
from vinculo.core.tenancy import Workspace
from vinculo.strategy.goals.measuring import measure_workspace
from vinculo.strategy.reviews.reminders import remind_all_workspaces

logger = logging.getLogger(__name__)


def measure_all_workspaces() -> int:
    """Measure every started, open goal of every workspace as the system (today's reading,
    forecast, status, alerts); how many goals were measured."""
    done = 0
    for workspace in Workspace.objects.order_by("pk").iterator():
        try:
            done += measure_workspace(Actor.system(workspace))
        except Exception:
            # One workspace's failure must not skip the others.
            logger.exception("Measuring the goals of workspace %s failed", workspace.pk)
    return done


@task()
def measure_goals_task() -> int:
    return measure_all_workspaces()


schedule.register("strategy.goals", interval=timedelta(days=1), task=measure_goals_task)


@task()
def remind_reviews_task() -> int:
    """A week before each scheduled review, its reminder (strategy.reviews.reminders)."""
    return remind_all_workspaces()


schedule.register("strategy.reviews", interval=timedelta(days=1), task=remind_reviews_task)
