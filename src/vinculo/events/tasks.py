"""Background tasks of the events app: the daily customer-value recompute (RFM, CLV, churn risk)
of every workspace, and the daily compaction of the purchase roll-up."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import schedule
from vinculo.core.actor import Actor
from vinculo.events.services.rfm import recompute_rfm
from vinculo.events.services.rollup import compact


def _recompute(actor: Actor) -> int:
    recompute_rfm(actor)
    return 1


def recompute_all_workspaces() -> int:
    """Recompute every workspace's RFM scores, CLV and churn risk as the system; returns how many
    were done."""
    return schedule.each_workspace(_recompute, "RFM recompute")


@task()
def recompute_rfm_task() -> int:
    """The daily RFM + CLV + churn recompute (see :func:`recompute_all_workspaces`)."""
    return recompute_all_workspaces()


schedule.register("events.rfm", interval=timedelta(days=1), task=recompute_rfm_task)


@task()
def compact_rollup_task() -> int:
    """Join the hours the ingest appended several rows to, in every workspace (the purchase
    KPIs read fewer rows); returns the hours joined."""
    return schedule.each_workspace(
        lambda actor: compact(actor.workspace.pk), "Purchase roll-up compaction"
    )


schedule.register("events.rollup", interval=timedelta(days=1), task=compact_rollup_task)
