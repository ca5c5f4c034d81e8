"""The completeness of the records each user owns (registered in
:class:`vinculo.quality.apps.QualityConfig`, shown under "Adoption"): ``record_completeness``.

A record's completeness is the share of the fields the data-quality audit measures for its type
(:data:`vinculo.quality.services.audit.COMPLETENESS_FIELDS` and the live custom fields of that
type) that have a value, "empty" meaning what the filter language's ``is_empty`` means (the very
tree the audit counts with). The KPI is a snapshot: at a moment, the mean completeness of the
live people, companies and deals created before it, each counted once and with today's fields
(their past values are not kept). Cut by owner: the record's owner. docs/kpis.md ("Adoption")."""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from vinculo.contacts.models import Company, Person
from vinculo.contacts.selectors import custom_fields
from vinculo.core.filters import apply_filter
from vinculo.core.kpis import Aggregate, Computed, Direction, Frame, Kpi, Scope, Unit, register
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


def completeness_rows(scope: Scope) -> list[tuple[datetime, Any, float]]:
    """(created_at, owner id, completeness 0..1) of every live record in the scope."""
    out: list[tuple[datetime, Any, float]] = []
    for object_type in MODELS:
        live = _live(scope, object_type)
        records = list(live.values_list("pk", "created_at", "owner_id"))
        if not records:
            continue
        names = fields_of(scope, object_type)
        empty: Counter = Counter()
        for name in names:
            tree = empty_tree(name)
            empty.update(
                apply_filter(live, object_type, tree, actor=scope.actor).values_list(
                    "pk", flat=True
                )
            )
        total = len(names)
        out += [(created, owner, (total - empty[pk]) / total) for pk, created, owner in records]
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _compute(scope: Scope, frame: Frame) -> Computed:
    rows = sorted(completeness_rows(scope), key=lambda r: r[0])
    times = [r[0] for r in rows]

    def at(moment: datetime) -> float | None:
        return _mean([r[2] for r in rows[: bisect.bisect_left(times, moment)]])

    groups: dict[Any, Any] = {}
    if frame.group_by:
        by_owner: dict[Any, list[float]] = defaultdict(list)
        for created, owner, share in rows:
            if created < frame.window[1]:
                by_owner[owner].append(share)
        groups = {owner: _mean(shares) for owner, shares in by_owner.items()}
    return Computed(
        series=[at(edge) for edge in frame.edges[1:]],
        value=at(frame.window[1]),
        previous=at(frame.before[1]),
        groups=groups,
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
