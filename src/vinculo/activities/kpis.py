"""The activities KPIs (registered in :class:`vinculo.activities.apps.ActivitiesConfig`): calls
and meetings logged, by who logged them. docs/kpis.md gives the definitions."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vinculo.activities.models import Activity, ActivityKind
from vinculo.core.kpis import Direction, Kpi, Scope, Unit, register

DIMENSIONS = {"owner": "created_by_id"}
SEGMENTS = {"person": "person_id", "deal": "deal_id"}


def _logged(kind: str) -> Callable[[Scope], QuerySet]:
    def rows(scope: Scope) -> QuerySet:
        return Activity.objects.for_workspace(scope.workspace).filter(
            kind=kind, deleted_at__isnull=True
        )

    return rows


KPIS = (
    Kpi(
        key="calls",
        app="activities",
        name=_("Calls"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_("Calls logged, by the moment they happened; cut by owner: who logged them."),
        rows=_logged(ActivityKind.CALL),
        time="occurred_at",
        dimensions=DIMENSIONS,
        segments=SEGMENTS,
    ),
    Kpi(
        key="meetings",
        app="activities",
        name=_("Meetings"),
        unit=Unit.COUNT,
        good=Direction.UP,
        definition=_(
            "Meetings logged, by the moment they happened; cut by owner: who logged them."
        ),
        rows=_logged(ActivityKind.MEETING),
        time="occurred_at",
        dimensions=DIMENSIONS,
        segments=SEGMENTS,
    ),
)


def register_all() -> None:
    for kpi in KPIS:
        register(kpi)
