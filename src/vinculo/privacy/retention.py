"""Automatic purge of the bin after the retention period each workspace sets."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from vinculo.contacts.models import Person
from vinculo.core.actor import Actor, Source
from vinculo.core.tenancy import Workspace
from vinculo.privacy.erasure import erase_person
from vinculo.privacy.models import DEFAULT_BIN_RETENTION_DAYS, ErasureReason, PrivacySettings

logger = logging.getLogger(__name__)

# Each erasure scans every workspace table: a run erases at most this many people, the rest wait
# for the next run (every 6 hours), so one run stays bounded however full the bins are.
MAX_PER_RUN = 200


@dataclass
class PurgeResult:
    erased: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


def purge_bin(now: datetime | None = None, *, limit: int = MAX_PER_RUN) -> PurgeResult:
    """Erase, through :func:`erase_person`, every person in a bin longer than its workspace's
    ``bin_retention_days`` (30 by default; 0 keeps the bin forever).

    Each person is erased in their own transaction: one that fails is logged and left for the
    next run, and the others go on. At most ``limit`` people are tried per run.
    """
    now = now or timezone.now()
    retention = dict(PrivacySettings.objects.values_list("workspace_id", "bin_retention_days"))
    result = PurgeResult()
    for workspace in Workspace.objects.order_by("pk"):
        days = retention.get(workspace.pk, DEFAULT_BIN_RETENTION_DAYS)
        if not days:
            continue
        due = Person.objects.filter(
            workspace=workspace, deleted_at__isnull=False, deleted_at__lt=now - timedelta(days=days)
        ).values_list("pk", flat=True)
        actor = Actor.system(workspace, Source.SYSTEM)
        budget = limit - result.erased - len(result.failed)
        if budget <= 0:
            break
        for person_id in list(due.order_by("deleted_at", "pk")[:budget]):
            try:
                erase_person(actor=actor, person_id=person_id, reason=ErasureReason.BIN_RETENTION)
            except Exception as exc:
                logger.exception("bin purge: could not erase person %s", person_id)
                result.failed.append((person_id, type(exc).__name__))
            else:
                result.erased += 1
    return result
