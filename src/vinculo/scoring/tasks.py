"""Background tasks of lead scoring: the daily retrain and recompute of every workspace, and the
recompute of one workspace as a job."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import jobs, schedule
from vinculo.core.actor import Actor
from vinculo.core.tenancy import Workspace
from vinculo.scoring.services.recompute import RECOMPUTE_JOB, recompute_scores
from vinculo.scoring.services.training import train


def _refresh(actor: Actor) -> int:
    train(actor)
    recompute_scores(actor)
    return 1


def refresh_all_workspaces() -> int:
    """Retrain every workspace's model, then recompute its scores, as the system; returns how
    many workspaces were done."""
    return schedule.each_workspace(_refresh, "Lead scoring")


@task()
def refresh_scores_task() -> int:
    """The daily retrain and recompute (see :func:`refresh_all_workspaces`)."""
    return refresh_all_workspaces()


@task()
def recompute_workspace_task(workspace_id: int) -> int:
    """Recompute one workspace's scores (queued after a rule changes)."""
    workspace = Workspace.objects.get(pk=workspace_id)
    return recompute_scores(Actor.system(workspace))


schedule.register("scoring.refresh", interval=timedelta(days=1), task=refresh_scores_task)
jobs.register(RECOMPUTE_JOB, recompute_workspace_task)
