"""The activities' adoption KPIs (registered in :class:`vinculo.activities.apps.ActivitiesConfig`,
shown under "Adoption"): activities logged by each user, and the share of tasks done by their due
moment. docs/kpis.md ("Adoption") gives the definitions."""

from __future__ import annotations

from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vinculo.activities.models import Activity, ActivityKind
from vinculo.core.kpis import Aggregate, Direction, Kpi, Scope, Unit, register

# Work logged in the CRM (a task is a to-do, counted by tasks_on_time instead).
LOGGED = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL, ActivityKind.NOTE)
SEGMENTS = {"person": "person_id", "deal": "deal_id"}


def _logged(scope: Scope) -> QuerySet:
    return Activity.objects.for_workspace(scope.workspace).filter(
        kind__in=LOGGED, deleted_at__isnull=True
    )


def _tasks_due(scope: Scope) -> QuerySet:
    """Live tasks with a due moment that is settled: completed, or due before now (a task due
    later today and still open is neither on time nor late yet)."""
    return (
        Activity.objects.for_workspace(scope.workspace)
        .filter(kind=ActivityKind.TASK, deleted_at__isnull=True, due_at__isnull=False)
        .filter(Q(completed_at__isnull=False) | Q(due_at__lt=timezone.now()))
        .annotate(
            kpi_on_time=Case(
                When(completed_at__lte=F("due_at"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


ACTIVITIES_LOGGED = Kpi(
    key="activities_logged",
    app="adoption",
    name=_("Activities logged"),
    unit=Unit.COUNT,
    good=Direction.UP,
    definition=_(
        "Calls, meetings, emails and notes logged in the CRM in the period, by the moment they "
        "were logged; cut by owner: who logged them."
    ),
    rows=_logged,
    time="created_at",
    dimensions={"owner": "created_by_id"},
    segments=SEGMENTS,
)

TASKS_ON_TIME = Kpi(
    key="tasks_on_time",
    app="adoption",
    name=_("Tasks done on time"),
    unit=Unit.PERCENT,
    good=Direction.UP,
    definition=_(
        "Of the tasks due in the period (whose due moment has passed, or done already), the "
        "share completed by their due moment; cut by owner: the task's assignee."
    ),
    rows=_tasks_due,
    time="due_at",
    value="kpi_on_time",
    aggregate=Aggregate.RATE,
    dimensions={"owner": "assignee_id"},
    segments=SEGMENTS,
)


def register_all() -> None:
    register(ACTIVITIES_LOGGED)
    register(TASKS_ON_TIME)
