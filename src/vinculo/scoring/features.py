"""What the predictive score knows about a person at a moment ``t`` (reads only).

Training reads each won or lost deal's person **as of the deal's creation** (``t`` = the deal's
``created_at``): events, activities and company links before ``t`` only, so nothing that
happened while the deal was open (and nothing caused by its outcome) leaks into the features.
Scoring reads every person as of now. The person's own fields (email, phone, job title, source)
have no history: they are read as they are today, a limitation docs/lead-scoring.md states.

Features (counts are ``log1p``-ed, so 0, 1, 10 and 100 events are evenly spaced):

* ``has_email``, ``has_phone``, ``has_job_title``, ``has_company``: 0 or 1;
* ``days_known``: days since the person was created;
* ``activities``: activities logged on the person in the last :data:`LOOKBACK_DAYS`;
* ``event:<name>``: tracked events of each of the workspace's :data:`MAX_EVENTS` most common
  names in the last :data:`LOOKBACK_DAYS`;
* ``source:<source>``: the person's source is one of the :data:`MAX_SOURCES` most common.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db.models import Count, QuerySet

from vinculo.activities.models import Activity
from vinculo.contacts.models import Affiliation, Person
from vinculo.core.actor import Actor
from vinculo.events.models import TrackedEvent
from vinculo.sales.models import Deal, DealStatus

LOOKBACK_DAYS = 90
MAX_EVENTS = 8
MAX_SOURCES = 5
FLAGS = ("has_email", "has_phone", "has_job_title", "has_company")
COUNTS = ("days_known", "activities")


@dataclass(frozen=True)
class FeatureSpec:
    """Which event names and sources the model has a feature for (fixed at training)."""

    events: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [
            *FLAGS,
            *COUNTS,
            *(f"event:{e}" for e in self.events),
            *(f"source:{s}" for s in self.sources),
        ]


def spec_for(actor: Actor, person_ids: Iterable[int]) -> FeatureSpec:
    """The most common event names of the workspace and sources of ``person_ids``."""
    ids = set(person_ids)
    sources = Counter(
        source
        for pk, source in Person.objects.for_workspace(actor.workspace).values_list("pk", "source")
        if pk in ids and source
    )
    names = Counter(
        dict(
            TrackedEvent.objects.for_workspace(actor.workspace)
            .filter(person__isnull=False)
            .values_list("name")
            .annotate(n=Count("id"))
            .values_list("name", "n")
        )
    )
    return FeatureSpec(
        events=tuple(sorted(n for n, _c in names.most_common(MAX_EVENTS))),
        sources=tuple(sorted(s for s, _c in sources.most_common(MAX_SOURCES))),
    )


def _times(rows: Iterable[tuple[object, datetime]]) -> dict[object, list[float]]:
    found: dict[object, list[float]] = defaultdict(list)
    for key, at in rows:
        found[key].append(at.timestamp())
    for values in found.values():
        values.sort()
    return found


def _in_window(times: list[float], at: float) -> int:
    """How many of the sorted ``times`` fall in (at - LOOKBACK_DAYS, at)."""
    return bisect.bisect_left(times, at) - bisect.bisect_right(times, at - LOOKBACK_DAYS * 86400)


def raw_features(
    actor: Actor, spec: FeatureSpec, rows: Sequence[tuple[int, datetime]]
) -> np.ndarray:
    """One row of raw values (counts not yet ``log1p``-ed) per ``(person id, moment)``, in
    :attr:`FeatureSpec.names` order."""
    ids = {pk for pk, _at in rows}
    ws = actor.workspace
    if not rows:
        return np.zeros((0, len(spec.names)))
    earliest = min(at for _pk, at in rows) - timedelta(days=LOOKBACK_DAYS)
    latest = max(at for _pk, at in rows)
    people = {
        p[0]: p
        for p in Person.objects.for_workspace(ws).values_list(
            "pk", "email", "phone", "mobile_phone", "job_title", "source", "created_at"
        )
        if p[0] in ids
    }
    linked = _times(
        (pk, at)
        for pk, at in Affiliation.objects.for_workspace(ws).values_list("person_id", "created_at")
        if pk in ids
    )
    activity = _times(
        (pk, at)
        for pk, at in Activity.objects.for_workspace(ws)
        .filter(deleted_at__isnull=True, occurred_at__gte=earliest, occurred_at__lt=latest)
        .values_list("person_id", "occurred_at")
        .iterator(chunk_size=5000)
        if pk in ids
    )
    events = _times(
        ((pk, name), at)
        for pk, name, at in TrackedEvent.objects.for_workspace(ws)
        .filter(name__in=spec.events, occurred_at__gte=earliest, occurred_at__lt=latest)
        .values_list("person_id", "name", "occurred_at")
        .iterator(chunk_size=5000)
        if pk in ids
    )
    source_index = {s: i for i, s in enumerate(spec.sources)}
    out = np.zeros((len(rows), len(spec.names)))
    base = len(FLAGS) + len(COUNTS)
    for r, (pk, at) in enumerate(rows):
        p = people.get(pk)
        if p is None:
            continue
        t = at.timestamp()
        out[r, 0] = bool(p[1])
        out[r, 1] = bool(p[2] or p[3])
        out[r, 2] = bool(p[4])
        out[r, 3] = bisect.bisect_left(linked.get(pk, []), t) > 0
        out[r, 4] = max(0.0, (t - p[6].timestamp()) / 86400)
        out[r, 5] = _in_window(activity.get(pk, []), t)
        for e, name in enumerate(spec.events):
            out[r, base + e] = _in_window(events.get((pk, name), []), t)
        if p[5] in source_index:
            out[r, base + len(spec.events) + source_index[p[5]]] = 1
    return out


def transform(spec: FeatureSpec, raw: np.ndarray) -> np.ndarray:
    """The model's input: counts ``log1p``-ed, flags as they are."""
    x = raw.copy()
    counted = [i for i, n in enumerate(spec.names) if n in COUNTS or n.startswith("event:")]
    x[:, counted] = np.log1p(x[:, counted])
    return x


def is_count(name: str) -> bool:
    return name in COUNTS or name.startswith("event:")


def _closed_deals(actor: Actor) -> QuerySet[Deal]:
    return Deal.objects.for_workspace(actor.workspace).filter(
        status__in=[DealStatus.WON, DealStatus.LOST],
        deleted_at__isnull=True,
        person__isnull=False,
        person__deleted_at__isnull=True,
    )


def outcomes(actor: Actor) -> list[tuple[int, datetime, int]]:
    """``(person id, deal created at, 1 if won else 0)`` of every closed deal with a person."""
    return [
        (pk, at, int(status == DealStatus.WON))
        for pk, at, status in _closed_deals(actor)
        .order_by("pk")
        .values_list("person_id", "created_at", "status")
    ]


def outcome_counts(actor: Actor) -> tuple[int, int]:
    """How many won and lost deals :func:`outcomes` has (one query)."""
    counts = dict(_closed_deals(actor).order_by().values_list("status").annotate(n=Count("id")))
    return counts.get(DealStatus.WON, 0), counts.get(DealStatus.LOST, 0)
