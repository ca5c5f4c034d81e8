"""The activities KPIs (registered in :class:`vinculo.activities.apps.ActivitiesConfig`): calls
and meetings logged, by who logged them, and how fast a new person is first touched (the lead
response time, its median and the share touched within 5 minutes, an hour, a day).
docs/kpis.md gives the definitions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    Func,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from vinculo.activities.models import Activity, ActivityKind
from vinculo.contacts.models import Person
from vinculo.core.kpis import Aggregate, Direction, Elapsed, Kpi, Scope, Unit, register

DIMENSIONS = {"owner": "created_by_id"}
SEGMENTS = {"person": "person_id", "deal": "deal_id"}


def _logged(kind: str) -> Callable[[Scope], QuerySet]:
    def rows(scope: Scope) -> QuerySet:
        return Activity.objects.for_workspace(scope.workspace).filter(
            kind=kind, deleted_at__isnull=True
        )

    return rows


PERSON_DIMENSIONS = {
    "owner": "owner_id",
    "source": "source",
    "lifecycle_stage": "lifecycle_stage__key",
}


def _people(scope: Scope) -> QuerySet:
    """People not binned; each carries the moment of their first touch at or after their
    creation (``first_touched_at``, kept by :mod:`vinculo.activities.services.first_touch`)."""
    return Person.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)


def _response_times(scope: Scope) -> QuerySet:
    return _people(scope).annotate(kpi_response=Elapsed("first_touched_at", "created_at"))


class Later(Func):
    """A time plus whole seconds. On SQLite as text (a stored time is ``YYYY-MM-DD HH:MM:SS``
    and maybe ``.ffffff``): the seconds added to the whole part, the fraction kept, so it
    compares exactly with stored times without a Python function per row."""

    output_field = DateTimeField()

    def __init__(self, time: str, seconds: int) -> None:
        super().__init__(F(time))
        self.seconds = int(seconds)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        column, params = compiler.compile(self.source_expressions[0])
        shifted = f"datetime(substr({column}, 1, 19), '+{self.seconds} seconds')"
        return f"({shifted} || substr({column}, 20))", [*params, *params]

    def as_sql(self, compiler: Any, connection: Any, *args: Any, **extra: Any) -> tuple[str, Any]:
        column, params = compiler.compile(self.source_expressions[0])
        return f"({column} + INTERVAL '{self.seconds} seconds')", list(params)


def _touched_within(limit: timedelta) -> Callable[[Scope], QuerySet]:
    """People not binned, with whether they were touched within ``limit`` of their creation
    (their first touch is that early; never touched: not in time)."""

    def rows(scope: Scope) -> QuerySet:
        deadline = Later("created_at", int(limit.total_seconds()))
        return _people(scope).annotate(
            kpi_in_time=Case(
                When(first_touched_at__lte=deadline, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )

    return rows


def _within(key: str, limit: timedelta, label: object, words: object) -> Kpi:
    return Kpi(
        key=key,
        app="activities",
        name=label,
        unit=Unit.PERCENT,
        good=Direction.UP,
        definition=words,
        rows=_touched_within(limit),
        time="created_at",
        value="kpi_in_time",
        aggregate=Aggregate.RATE,
        dimensions=PERSON_DIMENSIONS,
        segments={"person": "pk"},
    )


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
    Kpi(
        key="lead_response_time",
        app="activities",
        name=_("Lead response time"),
        unit=Unit.DURATION,
        good=Direction.DOWN,
        definition=_(
            "Of the people added in the period and touched since (a call, meeting or email "
            "logged on them), the median time from their creation to the first touch."
        ),
        rows=_response_times,
        time="created_at",
        value="kpi_response",
        aggregate=Aggregate.MEDIAN,
        dimensions=PERSON_DIMENSIONS,
        segments={"person": "pk"},
    ),
    _within(
        "lead_response_5m",
        timedelta(minutes=5),
        _("Leads touched within 5 minutes"),
        _("Of the people added in the period, the share touched within 5 minutes."),
    ),
    _within(
        "lead_response_1h",
        timedelta(hours=1),
        _("Leads touched within an hour"),
        _("Of the people added in the period, the share touched within an hour."),
    ),
    _within(
        "lead_response_1d",
        timedelta(days=1),
        _("Leads touched within a day"),
        _("Of the people added in the period, the share touched within a day."),
    ),
)


def register_all() -> None:
    for kpi in KPIS:
        register(kpi)
