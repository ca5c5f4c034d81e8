"""The bin purge: people in the bin longer than the workspace's retention are erased."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from vinculo.core import schedule
from vinculo.privacy.retention import purge_bin


@task()
def purge_bin_task() -> int:
    """Erase every person whose time in the bin is over (all workspaces)."""
    return purge_bin().erased


schedule.register("privacy.purge_bin", interval=timedelta(hours=6), task=purge_bin_task)
