"""The data-quality KPI (registered in :class:`vinculo.quality.apps.QualityConfig`): the mean
score of the audits finished in the period (0 to 100). docs/kpis.md gives the definition."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vinculo.core.kpis import Aggregate, Direction, Kpi, Scope, Unit, register
from vinculo.quality.models import AuditRun


def _audits(scope: Scope) -> QuerySet:
    return AuditRun.objects.for_workspace(scope.workspace).filter(
        score__isnull=False, finished_at__isnull=False
    )


DATA_QUALITY = Kpi(
    key="data_quality_score",
    app="quality",
    name=_("Data quality score"),
    unit=Unit.NUMBER,
    good=Direction.UP,
    definition=_("The mean score (0 to 100) of the data audits finished in the period."),
    rows=_audits,
    time="finished_at",
    value="score",
    aggregate=Aggregate.MEAN,
)


def register_all() -> None:
    register(DATA_QUALITY)
