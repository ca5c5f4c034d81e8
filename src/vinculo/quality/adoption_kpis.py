"""The completeness of the records each user owns (registered in
:class:`vinculo.quality.apps.QualityConfig`, shown under "Adoption"): ``record_completeness``.

A record's completeness is the share of the fields the data-quality audit measures for its type
(:data:`vinculo.quality.services.audit.COMPLETENESS_FIELDS` and the live custom fields of that
type) that have a value, "empty" meaning what the filter language's ``is_empty`` means (the very
tree the audit counts with). The KPI is a snapshot: at a moment, the mean completeness of the
live people, companies and deals created before it, each counted once and with today's fields
(their past values are not kept). Cut by owner: the record's owner. docs/kpis.md ("Adoption")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils.translation import gettext_lazy as _

from vinculo.contacts.models import Company, Person
from vinculo.contacts.selectors import custom_fields
from vinculo.core.filters import compile_filter
from vinculo.core.kpis import Aggregate, Computed, Direction, Frame, Kpi, Scope, Unit, register
from vinculo.core.kpis.buckets import BucketOf
from vinculo.core.tenancy import TeamMember
from vinculo.quality.services.audit import COMPLETENESS_FIELDS, empty_tree
from vinculo.sales.models import Deal

MODELS: dict[str, Any] = {"person": Person, "company": Company, "deal": Deal}


def _live(scope: Scope, object_type: str) -> QuerySet:
    qs = MODELS[object_type].objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)
    if scope.owner_id is not None:
        qs = qs.filter(owner_id=scope.owner_id)
    if scope.team_id is not None:
        qs = qs.filter(
            owner_id__in=TeamMember.objects.for_workspace(scope.workspace)
            .filter(team_id=scope.team_id)
            .values("user_id")
        )
    return qs


def fields_of(scope: Scope, object_type: str) -> list[str]:
    """The fields measured for ``object_type``: the audit's, then the live custom fields."""
    names = list(COMPLETENESS_FIELDS[object_type])
    names += [f"custom_fields.{d.key}" for d in custom_fields(scope.actor, object_type=object_type)]
    return names


# Before every moment a KPI asks about (a record is never created before this).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _empties(scope: Scope, object_type: str) -> tuple[int, dict[str, Count]]:
    """How many fields are measured for ``object_type``, and a count of the records each one
    is empty in (the filter language's ``is_empty``: the audit's very condition)."""
    names = fields_of(scope, object_type)
    return len(names), {
        f"kpi_e{i}": Count(
            "pk", filter=compile_filter(object_type, empty_tree(name), actor=scope.actor)
        )
        for i, name in enumerate(names)
    }


def _counted(rows: Any, total: int) -> dict[Any, tuple[int, float]]:
    """Per key: (records, missing share summed over them: their empty fields / ``total``)."""
    return {
        row.pop("kpi_key"): (row.pop("kpi_n"), sum(row.values()) / total)
        for row in (dict(r) for r in rows)
    }


def completeness_counts(
    scope: Scope, bounds: list[datetime], *, by_owner_before: datetime | None = None
) -> tuple[list[tuple[int, float]], dict[Any, tuple[int, float]]]:
    """Per span of ``bounds`` (creation times): the live records created in it and their
    missing shares summed; and, with ``by_owner_before``, the same per owner for the records
    created before that moment. Counted by the database: one grouped query per record type
    (and one more per type for the owners)."""
    spans = [(0, 0.0)] * (len(bounds) - 1)
    owners: dict[Any, tuple[int, float]] = {}
    for object_type in MODELS:
        live = _live(scope, object_type)
        total, empties = _empties(scope, object_type)
        if not total:
            continue
        within = live.filter(created_at__gte=bounds[0], created_at__lt=bounds[-1])
        per_span = _counted(
            within.annotate(kpi_key=BucketOf("created_at", bounds))
            .values("kpi_key")
            .annotate(kpi_n=Count("pk"), **empties)
            .order_by(),
            total,
        )
        for key, (n, missing) in per_span.items():
            spans[key] = (spans[key][0] + n, spans[key][1] + missing)
        if by_owner_before is not None:
            per_owner = _counted(
                live.filter(created_at__lt=by_owner_before)
                .annotate(kpi_key=F("owner_id"))
                .values("kpi_key")
                .annotate(kpi_n=Count("pk"), **empties)
                .order_by(),
                total,
            )
            for key, (n, missing) in per_owner.items():
                had = owners.get(key, (0, 0.0))
                owners[key] = (had[0] + n, had[1] + missing)
    return spans, owners


def _mean(count: int, missing: float) -> float | None:
    return (count - missing) / count if count else None


def _compute(scope: Scope, frame: Frame) -> Computed:
    # Spans: before the period, then each bucket; a moment's value counts every span before it.
    bounds = [EPOCH, *frame.edges]
    spans, owners = completeness_counts(
        scope, bounds, by_owner_before=frame.window[1] if frame.group_by else None
    )
    running, seen = [], (0, 0.0)
    for n, missing in spans:
        seen = (seen[0] + n, seen[1] + missing)
        running.append(_mean(*seen))
    return Computed(
        series=running[1:],
        value=running[-1],
        previous=running[0],
        groups={owner: _mean(*counted) for owner, counted in owners.items()},
    )


RECORD_COMPLETENESS = Kpi(
    key="record_completeness",
    app="adoption",
    name=_("Record completeness"),
    unit=Unit.PERCENT,
    good=Direction.UP,
    definition=_(
        "The mean completeness of the people, companies and deals that existed at the end of "
        "the period (not in the bin): per record, the share of the audited fields that have a "
        "value, as they are today; cut by owner: the record's owner."
    ),
    rows=lambda scope: _live(scope, "person"),
    aggregate=Aggregate.MEAN,  # of the records' completeness, worked out by ``compute``
    until="deleted_at",  # a snapshot: the records alive at each moment (``compute`` reads them)
    compute=_compute,
    dimensions={"owner": "owner_id"},
)


def register_all() -> None:
    register(RECORD_COMPLETENESS)
