"""The data-quality score KPI: the mean score of the audits finished in the period."""

from __future__ import annotations

from datetime import UTC, date, datetime

from vinculo.core.kpis import Grain, Scope, measure
from vinculo.quality.models import AuditRun


def test_data_quality_score_is_the_mean_of_the_period(ana, carla):
    ana.actor.workspace.timezone = "UTC"
    ana.actor.workspace.save(update_fields=["timezone"])
    for workspace, score, day in [
        (ana.workspace, 70, 3), (ana.workspace, 90, 17), (ana.workspace, None, 20),
        (carla.workspace, 10, 5),
    ]:  # fmt: skip
        AuditRun.objects.create(
            workspace=workspace, score=score, finished_at=datetime(2026, 8, day, tzinfo=UTC)
        )
    august = measure(
        "data_quality_score",
        Scope(actor=ana.actor),
        start=date(2026, 8, 1),
        end=date(2026, 8, 31),
        grain=Grain.WEEK,
    )
    # (70 + 90) / 2; the unfinished audit (no score) and Carla's do not count.
    assert august.value == 80
    assert august.previous is None  # no audit in July: no score, not 0
    assert [p.value for p in august.series if p.value is not None] == [70, 90]
