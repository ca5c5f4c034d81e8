"""Why deals were lost: a pipeline's lost reasons, and how many lost deals each one counts."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.sales.models import Deal, DealStatus, LostReason, Pipeline
from vinculo.sales.selectors.structure import get_pipeline


def get_lost_reason(actor: Actor, reason_id: int) -> LostReason:
    """One lost reason (archived too); 404 outside the workspace."""
    require(actor, "records.view")
    reason = LostReason.objects.for_workspace(actor.workspace).filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(_("No lost reason with id %(id)s.") % {"id": reason_id})
    return reason


def lost_reason_summary(actor: Actor, pipeline: Pipeline, *, days: int = 90) -> dict[str, Any]:
    """What a pipeline's settings page shows of its lost reasons: the list (archived ones too)
    and, per reason, the lost deals closed in the last ``days`` days and overall."""
    since = timezone.localdate() - timedelta(days=days - 1)
    recent = {
        (row.reason.pk if row.reason else None): row.deals
        for row in lost_reason_counts(actor, pipeline.pk, start=since)
    }
    rows = [
        {
            "reason": row.reason,
            "recent": recent.get(row.reason.pk if row.reason else None, 0),
            "total": row.deals,
        }
        for row in lost_reason_counts(actor, pipeline.pk)
    ]
    return {
        "lost_reasons": lost_reasons(actor, pipeline, include_archived=True),
        "lost_counts": rows,
        "lost_count_days": days,
    }


def lost_reasons(
    actor: Actor, pipeline: int | Pipeline, *, include_archived: bool = False
) -> list[LostReason]:
    """A pipeline's lost reasons in order (the active ones unless ``include_archived``);
    404 for a pipeline outside the workspace (a pipeline read with a selector is trusted)."""
    if not isinstance(pipeline, Pipeline):
        pipeline = get_pipeline(actor, pipeline)
    qs = LostReason.objects.filter(pipeline=pipeline).order_by("position", "id")
    if not include_archived:
        qs = qs.filter(is_active=True)
    return list(qs)


@dataclass
class LostReasonCount:
    reason: LostReason | None  # None: lost deals without a listed reason (before the lists)
    deals: int


def lost_reason_counts(
    actor: Actor, pipeline_id: int, *, start: date | None = None, end: date | None = None
) -> list[LostReasonCount]:
    """How many live deals of a pipeline were lost for each reason, closed from ``start`` to
    ``end`` (days in the workspace's time zone, both inclusive, open-ended when None): every
    reason of the pipeline in its order (archived ones only when they count), then the deals
    lost without a reason. For the win/loss analysis."""
    reasons = lost_reasons(actor, pipeline_id, include_archived=True)
    try:
        zone = zoneinfo.ZoneInfo(actor.workspace.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    qs = Deal.objects.for_workspace(actor.workspace).filter(
        pipeline_id=pipeline_id, status=DealStatus.LOST, deleted_at__isnull=True
    )
    if start is not None:
        qs = qs.filter(closed_at__gte=datetime.combine(start, time.min, tzinfo=zone))
    if end is not None:
        qs = qs.filter(
            closed_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        )
    counts = dict(qs.order_by().values_list("lost_reason_id").annotate(n=Count("id")))
    rows = [
        LostReasonCount(reason, counts.get(reason.pk, 0))
        for reason in reasons
        if reason.is_active or counts.get(reason.pk)
    ]
    if counts.get(None):
        rows.append(LostReasonCount(None, counts[None]))
    return rows
