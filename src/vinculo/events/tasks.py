"""Background tasks of the events app: the daily customer-value recompute (RFM, CLV, churn risk)
of every workspace, and the daily compaction of the purchase roll-up."""

from __future__ import annotations

import logging
from datetime import timedelta

from django_tasks import task

from vinculo.core import schedule
from vinculo.core.actor import Actor
from vinculo.core.tenancy import Workspace
from vinculo.events.rollup import compact
from vinculo.events.services.rfm import recompute_rfm

logger = logging.getLogger(__name__)


def recompute_all_workspaces() -> int:
    """Recompute every workspace's RFM scores, CLV and churn risk as the system; returns how many
    were done."""
    done = 0
    for workspace in Workspace.objects.order_by("pk").iterator():
        try:
            recompute_rfm(Actor.system(workspace))
        except Exception:
            # One workspace's failure must not skip the others.
            logger.exception("RFM recompute of workspace %s failed", workspace.pk)
            continue
        done += 1
    return done


@task()
def recompute_rfm_task() -> int:
    """The daily RFM + CLV + churn recompute (see :func:`recompute_all_workspaces`)."""
    return recompute_all_workspaces()


schedule.register("events.rfm", interval=timedelta(days=1), task=recompute_rfm_task)


@task()
def compact_rollup_task() -> int:
    """Join the hours the ingest appended several rows to, in every workspace (the purchase
    KPIs read fewer rows); returns the hours joined."""
    joined = 0
    for workspace_id in Workspace.objects.order_by("pk").values_list("pk", flat=True):
        try:
            joined += compact(workspace_id)
        except Exception:
            logger.exception("Purchase roll-up compaction of workspace %s failed", workspace_id)
    return joined


schedule.register("events.rollup", interval=timedelta(days=1), task=compact_rollup_task)
