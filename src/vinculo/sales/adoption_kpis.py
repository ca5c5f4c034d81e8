"""The adoption KPIs on records (registered in :class:`vinculo.sales.apps.SalesConfig`, the
lowest floor that sees people, companies and deals; shown under "Adoption"):

- ``records_created``: people, companies and deals created in the period, by who created them
  (``created_by`` on the record: imports and forms included, which write no audit entry each);
- ``records_updated``: the distinct people, companies and deals edited in the period, by who
  edited them, from the audit log (``person.updated``, ``company.updated``, ``deal.updated``,
  ``deal.stage_changed``): a record's ``updated_at`` keeps only its last change.

Records in the bin are left out of both. docs/kpis.md ("Adoption") gives the definitions."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from vinculo.contacts.models import Company, Person
from vinculo.core.kpis import Aggregate, Computed, Direction, Frame, Kpi, Scope, Unit, register
from vinculo.core.kpis.sql import measure_in_sql
from vinculo.core.models import AuditEntry
from vinculo.core.tenancy import TeamMember
from vinculo.sales.models import Deal

MODELS = (Person, Company, Deal)
UPDATES = ("person.updated", "company.updated", "deal.updated", "deal.stage_changed")
OBJECT_TYPES = {"contacts.person": Person, "contacts.company": Company, "sales.deal": Deal}


def _members(scope: Scope, path: str) -> dict[str, Any]:
    """The filter of the scope's owner or team on ``path`` (the acting user)."""
    wanted: dict[str, Any] = {}
    if scope.owner_id is not None:
        wanted[path] = scope.owner_id
    if scope.team_id is not None:
        wanted[f"{path}__in"] = list(
            TeamMember.objects.for_workspace(scope.workspace)
            .filter(team_id=scope.team_id)
            .values_list("user_id", flat=True)
        )
    return wanted


def _created_rows(scope: Scope, model: Any) -> QuerySet:
    return model.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)


def _add(into: list[Any], more: list[Any]) -> list[Any]:
    return [a + b for a, b in zip(into, more, strict=True)]


def _created(scope: Scope, frame: Frame) -> Computed:
    """The three record types' counts added up: each counted in the database as an event KPI."""
    counting = Kpi(
        key="records_created_part",
        name="",
        unit=Unit.COUNT,
        good=Direction.UP,
        definition="",
        rows=lambda s: QuerySet(),
        time="created_at",
    )
    series = [0] * len(frame.buckets)
    value = previous = 0
    groups: dict[Any, int] = defaultdict(int)
    for model in MODELS:
        qs = _created_rows(scope, model).filter(**_members(scope, "created_by_id"))
        part_series, part, part_previous, part_groups = measure_in_sql(
            counting,
            qs,
            edges=frame.edges,
            window=frame.window,
            before=frame.before,
            group_path="created_by_id" if frame.group_by else None,
        )
        series = _add(series, part_series)
        value += part
        previous += part_previous
        for key, n in part_groups.items():
            groups[key] += n
    return Computed(series=series, value=value, previous=previous, groups=dict(groups))


def _live(model: Any) -> Exists:
    """The audit entry's record is alive (not binned, not erased)."""
    return Exists(
        model.objects.filter(
            pk=Cast(OuterRef("object_id"), IntegerField()), deleted_at__isnull=True
        )
    )


def _updates(scope: Scope) -> QuerySet:
    alive = Q()
    for object_type, model in OBJECT_TYPES.items():
        alive |= Q(object_type=object_type) & Q(_live(model))
    return (
        AuditEntry.objects.for_workspace(scope.workspace)
        .filter(action__in=UPDATES)
        .filter(alive)
        .annotate(kpi_record=Concat("object_type", Value(":"), "object_id"))
    )


RECORDS_CREATED = Kpi(
    key="records_created",
    app="adoption",
    name=_("Records created"),
    unit=Unit.COUNT,
    good=Direction.UP,
    definition=_(
        "People, companies and deals created in the period (by hand, import, form or API) and "
        "not in the bin; cut by owner: who created them."
    ),
    rows=lambda scope: _created_rows(scope, Person),
    aggregate=Aggregate.COUNT,  # of the three tables' rows, added up by ``compute``
    compute=_created,
    dimensions={"owner": "created_by_id"},
)

RECORDS_UPDATED = Kpi(
    key="records_updated",
    app="adoption",
    name=_("Records updated"),
    unit=Unit.COUNT,
    good=Direction.UP,
    definition=_(
        "People, companies and deals edited in the period (fields changed, a deal moved), each "
        "record once, not in the bin; cut by owner: who edited them."
    ),
    rows=_updates,
    time="created_at",
    value="kpi_record",
    aggregate=Aggregate.DISTINCT,
    dimensions={"owner": "actor_id"},
)


def register_all() -> None:
    register(RECORDS_CREATED)
    register(RECORDS_UPDATED)
