"""Customer cohorts from the lifecycle history (registered as the ``lifecycle`` basis of
:mod:`vinculo.core.reports` in :class:`vinculo.contacts.apps.ContactsConfig`), and the rule
of what a customer stage is, shared with the churn KPI.

A **customer stage** is a lifecycle stage of the growth or advocacy phase ("customer" and
"advocate" by default) whose key does not say the customer left (:data:`CHURN_KEYS`): a workspace
that adds a "churned" stage, in whatever phase, has it counted as churn. A person's cohort is the
month (workspace time zone) they first entered a customer stage; at month offset k the cohort's
retained are those whose stage at the end of that month (the last move at or before it) is a
customer stage. Leaving for any other stage, or having the stage cleared, is churn; coming back
is retention again. Binned people are left out. docs/kpis.md ("Reports") gives the rule."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from vinculo.contacts.models import JourneyPhase, LifecycleChange, LifecycleStage
from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_tz
from vinculo.core.kpis.engine import moment
from vinculo.core.permissions import require
from vinculo.core.reports import CohortRow, Cohorts, add_months, month_of, months_between

LABEL = gettext_lazy("Lifecycle")
CUSTOMER_PHASES = (JourneyPhase.GROWTH, JourneyPhase.ADVOCACY)
CHURN_KEYS = ("churned", "churn", "lost", "ex_customer", "former_customer")


def customer_stage(prefix: str = "") -> Q:
    """The condition "the stage (at ``prefix``) is a customer stage" on a queryset's rows."""
    at = f"{prefix}__" if prefix else ""
    return Q(**{f"{at}phase__in": CUSTOMER_PHASES}) & ~Q(**{f"{at}key__in": CHURN_KEYS})


def customer_stage_ids(workspace: object) -> list[int]:
    """The ids of the workspace's customer stages."""
    return list(
        LifecycleStage.objects.for_workspace(workspace)
        .filter(customer_stage())
        .values_list("pk", flat=True)
    )


def churn_moves(workspace: object) -> QuerySet:
    """The moves of people (binned or not) out of a customer stage into anything else (another
    stage, or the stage cleared), found by the stages' ids: read from the (workspace, stage
    left, time, stage entered, person) index without joining the stages."""
    customer = customer_stage_ids(workspace)
    return (
        LifecycleChange.objects.for_workspace(workspace)
        .filter(person__isnull=False, from_stage_id__in=customer)
        .exclude(to_stage_id__in=customer)
    )


def lifecycle_cohorts(
    actor: Actor, *, first: date, last: date, currency: str | None = None
) -> Cohorts:
    """The customer cohorts of the months ``first``..``last`` (first days), each followed to
    ``last`` (``currency`` is not used: the lifecycle has no money)."""
    require(actor, "insights.view")
    tz = workspace_tz(actor)
    until = moment(add_months(last, 1), tz)
    moves = LifecycleChange.objects.for_workspace(actor.workspace).filter(
        person__isnull=False, person__deleted_at__isnull=True, changed_at__lt=until
    )
    customer_ids = set(customer_stage_ids(actor.workspace))
    history: dict[int, list[tuple[datetime, bool]]] = defaultdict(list)
    for person, at, to_stage in moves.order_by("changed_at", "id").values_list(
        "person_id", "changed_at", "to_stage_id"
    ):
        history[person].append((at, to_stage in customer_ids))
    return Cohorts("lifecycle", first, last, _rows(history, tz, first, last))


def _month_ends(cohort: date, last: date, tz: ZoneInfo) -> list[datetime]:
    return [moment(add_months(cohort, k + 1), tz) for k in range(months_between(cohort, last) + 1)]


def _rows(
    history: dict[int, list[tuple[datetime, bool]]], tz: ZoneInfo, first: date, last: date
) -> list[CohortRow]:
    members: dict[date, list[list[tuple[datetime, bool]]]] = defaultdict(list)
    for moves in history.values():
        entered = next((at for at, customer in moves if customer), None)
        if entered is None:
            continue
        cohort = month_of(entered, tz)
        if first <= cohort <= last:
            members[cohort].append(moves)
    out = []
    for i in range(months_between(first, last) + 1):
        cohort = add_months(first, i)
        people = members.get(cohort, [])
        retained = [
            sum(1 for moves in people if _customer_at(moves, end))
            for end in _month_ends(cohort, last, tz)
        ]
        out.append(CohortRow(cohort, len(people), retained))
    return out


def _customer_at(moves: list[tuple[datetime, bool]], end: datetime) -> bool:
    """Whether the last move before ``end`` left the person in a customer stage."""
    state = False
    for at, customer in moves:
        if at >= end:
            break
        state = customer
    return state
