"""The structure deals move through: pipelines and their stages."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.permissions import require
from vinculo.sales.models import Pipeline, Stage


def pipelines(actor: Actor, *, include_archived: bool = False) -> QuerySet[Pipeline]:
    """The workspace's pipelines with their stages in order; archived ones only on request."""
    require(actor, "records.view")
    qs = Pipeline.objects.for_workspace(actor.workspace).prefetch_related(
        Prefetch("stages", queryset=Stage.objects.order_by("position", "id"))
    )
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    return qs


def get_pipeline(actor: Actor, pipeline_id: int) -> Pipeline:
    """One pipeline (archived too) with its stages; 404 outside the workspace."""
    pipeline = pipelines(actor, include_archived=True).filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(_("No pipeline with id %(id)s.") % {"id": pipeline_id})
    return pipeline


def get_stage(actor: Actor, stage_id: int) -> Stage:
    require(actor, "records.view")
    stage = Stage.objects.for_workspace(actor.workspace).filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(_("No stage with id %(id)s.") % {"id": stage_id})
    return stage
