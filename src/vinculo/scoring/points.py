"""The rule-based score (reads only): each person's points from the workspace's active rules,
with one reason per rule that gave points.

* A **field** rule gives its points to every live person matching its condition.
* A **behaviour** rule counts the person's events named ``event_name`` (and, when set, whose
  property ``property_key`` contains ``property_contains``, both case-folded) that
  occurred in the last ``window_days`` up to ``now`` (all of them without a window). Each
  occurrence ``d`` days old is worth ``points * 0.5 ** (d / half_life_days)`` (``points`` without
  a half-life); the sum is capped at ``cap`` in absolute value, then rounded half away from zero.

The score is the sum of the rules' points. docs/lead-scoring.md has a worked example.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from vinculo.contacts.models import Person
from vinculo.core import filters
from vinculo.core.actor import Actor
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.events.models import TrackedEvent
from vinculo.scoring.models import RuleKind, ScoringRule

DAY = 86400.0


@dataclass
class RulePoints:
    """One person's rule score and the reasons (``{"code", "points", ...params}``)."""

    score: int = 0
    reasons: list[dict[str, Any]] = field(default_factory=list)


def round_half_away(value: float) -> int:
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def behaviour_points(rule: ScoringRule, ages_days: list[float]) -> int:
    """A behaviour rule's points for occurrences ``ages_days`` old (see the module)."""
    total = 0.0
    for age in ages_days:
        weight = 0.5 ** (age / rule.half_life_days) if rule.half_life_days else 1.0
        total += rule.points * weight
    if rule.cap is not None and abs(total) > rule.cap:
        total = math.copysign(rule.cap, total)
    return round_half_away(total)


def _field_matches(actor: Actor, rule: ScoringRule, now: datetime) -> list[int]:
    q = filters.compile_filter("person", rule.condition, actor=actor, now=now)
    people = Person.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True)
    return list(people.filter(q).values_list("pk", flat=True))


def _occurrences(actor: Actor, rule: ScoringRule, now: datetime) -> dict[int, list[float]]:
    """Each person's occurrences of the rule's event, by age in days."""
    events = TrackedEvent.objects.for_workspace(actor.workspace).filter(
        name=rule.event_name, person__isnull=False, occurred_at__lte=now
    )
    if rule.window_days:
        events = events.filter(occurred_at__gt=now - timedelta(days=rule.window_days))
    needle = fold(rule.property_contains) if rule.property_contains else ""
    columns = ["person_id", "occurred_at"] + (["properties"] if needle else [])
    ages: dict[int, list[float]] = defaultdict(list)
    for row in events.values_list(*columns).iterator(chunk_size=5000):
        if needle:
            props = row[2] if isinstance(row[2], dict) else {}
            if needle not in fold(str(props.get(rule.property_key, ""))):
                continue
        ages[row[0]].append((now - row[1]).total_seconds() / DAY)
    return ages


def rule_points(
    actor: Actor, *, now: datetime | None = None, rules: list[ScoringRule] | None = None
) -> dict[int, RulePoints]:
    """Every scored person's points and reasons, by person id (people no rule gave points are
    left out)."""
    require(actor, "records.view")
    now = now or timezone.now()
    if rules is None:
        rules = list(
            ScoringRule.objects.for_workspace(actor.workspace).filter(is_active=True).order_by("id")
        )
    scores: dict[int, RulePoints] = defaultdict(RulePoints)
    live: set[int] | None = None
    for rule in rules:
        if rule.kind == RuleKind.FIELD:
            for person_id in _field_matches(actor, rule, now):
                scores[person_id].score += rule.points
                scores[person_id].reasons.append(
                    {"code": "field", "points": rule.points, "rule": rule.name}
                )
            continue
        if live is None:
            live = set(
                Person.objects.for_workspace(actor.workspace)
                .filter(deleted_at__isnull=True)
                .values_list("pk", flat=True)
            )
        for person_id, ages in _occurrences(actor, rule, now).items():
            got = behaviour_points(rule, ages)
            if person_id not in live or got == 0:
                continue
            scores[person_id].score += got
            scores[person_id].reasons.append(
                {
                    "code": "behaviour",
                    "points": got,
                    "rule": rule.name,
                    "event": rule.event_name,
                    "property": rule.property_key,
                    "contains": rule.property_contains,
                    "count": len(ages),
                    "window_days": rule.window_days,
                }
            )
    for result in scores.values():
        result.reasons.sort(key=lambda r: -abs(r["points"]))
    return dict(scores)
