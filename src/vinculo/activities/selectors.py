"""Reads of activities, tasks and timelines, always scoped to the actor's workspace."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity, ActivityKind, TimelineEntry
from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.filters import apply_filter
from vinculo.core.pagination import Page, paginate
from vinculo.core.permissions import require
from vinculo.sales.models import Deal

TASK_WINDOWS = ("today", "overdue", "upcoming", "all")


def activities(
    actor: Actor,
    *,
    kind: str | None = None,
    person_id: int | None = None,
    company_id: int | None = None,
    deal_id: int | None = None,
    assignee_id: int | None = None,
    open_tasks: bool | None = None,
    due_before: datetime | None = None,
    deleted: bool = False,
    filter: dict[str, Any] | None = None,
) -> QuerySet[Activity]:
    """The workspace's activities and tasks (the bin with ``deleted=True``), unordered.

    ``open_tasks`` True keeps tasks not done yet, False tasks already done; ``filter`` is a
    condition tree of the shared filter language (unknown fields are a 400/422 from
    :func:`vinculo.core.filters.apply_filter`). Refuses an unknown ``kind`` (422).
    """
    require(actor, "records.view")
    qs = Activity.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=not deleted)
    if kind:
        if kind not in ActivityKind.values:
            raise ValidationFailed.field(
                "kind",
                _("Unknown kind; use one of: %(choices)s.")
                % {"choices": ", ".join(ActivityKind.values)},
                "invalid_choice",
            )
        qs = qs.filter(kind=kind)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if deal_id is not None:
        qs = qs.filter(deal_id=deal_id)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if open_tasks is not None:
        qs = qs.filter(kind=ActivityKind.TASK, completed_at__isnull=open_tasks)
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    if filter:
        qs = apply_filter(qs, "activity", filter, actor=actor)
    return qs


def get_activity(actor: Actor, activity_id: int) -> Activity:
    """One activity or task of the workspace (also from the bin); 404 otherwise."""
    require(actor, "records.view")
    activity = Activity.objects.for_workspace(actor.workspace).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(_("No activity with id %(id)s.") % {"id": activity_id})
    return activity


def today_bounds(actor: Actor, *, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of today in the workspace's time zone, as aware datetimes."""
    try:
        zone = zoneinfo.ZoneInfo(actor.workspace.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local_today = timezone.localtime(now or timezone.now(), zone).date()
    start = datetime.combine(local_today, time.min, tzinfo=zone)
    end = datetime.combine(local_today + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def my_tasks(
    actor: Actor,
    *,
    when: str = "today",
    assignee_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[Activity]:
    """Open tasks of a member (the actor by default), unordered.

    ``today``: due today in the workspace's time zone; ``overdue``: due before now;
    ``upcoming``: due after today; ``all``: every open task, with or without a due date.
    Refuses an unknown ``when`` (422).
    """
    require(actor, "records.view")
    if when not in TASK_WINDOWS:
        raise ValidationFailed.field(
            "when",
            _("Use one of: %(choices)s.") % {"choices": ", ".join(TASK_WINDOWS)},
            "invalid_choice",
        )
    if assignee_id is None:
        assignee_id = actor.user.pk if actor.user is not None else None
    qs = Activity.objects.for_workspace(actor.workspace).filter(
        kind=ActivityKind.TASK,
        assignee_id=assignee_id,
        completed_at__isnull=True,
        deleted_at__isnull=True,
    )
    return _in_window(actor, qs, when, now)


def _in_window(
    actor: Actor, qs: QuerySet[Activity], when: str, now: datetime | None
) -> QuerySet[Activity]:
    now = now or timezone.now()
    start, end = today_bounds(actor, now=now)
    if when == "today":
        qs = qs.filter(due_at__gte=start, due_at__lt=end)
    elif when == "overdue":
        qs = qs.filter(due_at__lt=now)
    elif when == "upcoming":
        qs = qs.filter(due_at__gte=end)
    return qs


def team_tasks(
    actor: Actor, *, when: str = "today", now: datetime | None = None
) -> QuerySet[Activity]:
    """Open tasks of every member of the workspace, in the same windows as :func:`my_tasks`.

    Refuses an unknown ``when`` (422).
    """
    require(actor, "records.view")
    if when not in TASK_WINDOWS:
        raise ValidationFailed.field(
            "when",
            _("Use one of: %(choices)s.") % {"choices": ", ".join(TASK_WINDOWS)},
            "invalid_choice",
        )
    qs = Activity.objects.for_workspace(actor.workspace).filter(
        kind=ActivityKind.TASK, completed_at__isnull=True, deleted_at__isnull=True
    )
    return _in_window(actor, qs, when, now)


def recent_timeline(
    actor: Actor,
    *,
    owner_id: int | None = None,
    since: datetime | None = None,
    limit: int = 15,
) -> list[TimelineEntry]:
    """The latest timeline entries of the workspace, newest first (future ones left out).

    With ``owner_id``: only entries about people, companies or deals that member owns, or
    written by that member. Entries of activities in the bin are hidden.
    """
    require(actor, "records.view")
    now = timezone.now()
    entries = (
        TimelineEntry.objects.for_workspace(actor.workspace)
        .filter(occurred_at__lte=now)
        .filter(Q(activity__isnull=True) | Q(activity__deleted_at__isnull=True))
    )
    if since is not None:
        entries = entries.filter(occurred_at__gte=since)
    if owner_id is not None:
        entries = entries.filter(
            Q(person__owner_id=owner_id)
            | Q(company__owner_id=owner_id)
            | Q(deal__owner_id=owner_id)
            | Q(actor_id=owner_id)
        )
    return list(
        entries.select_related("actor", "person", "company", "deal")
        .defer("data", "actor__password")
        .annotate(data_text=KeyTransform("text", "data"))  # summary_text without all of data
        .order_by("-occurred_at", "-id")[:limit]
    )


_SUBJECTS = ("person_id", "company_id", "deal_id")


def _subject_exists(actor: Actor, field: str, pk: int) -> bool:
    # Cross-app read (by workspace); to become contacts/sales selectors once they exist.
    model = {"person_id": Person, "company_id": Company, "deal_id": Deal}[field]
    return model.objects.for_workspace(actor.workspace).filter(pk=pk).exists()


def timeline(
    actor: Actor,
    *,
    person_id: int | None = None,
    company_id: int | None = None,
    deal_id: int | None = None,
    kinds: Sequence[str] | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[TimelineEntry]:
    """One page of a person's, company's or deal's timeline, newest first.

    Everything about the record: its activities (including those on its deals, which name the
    deal's person and company), stage changes, lifecycle and consent changes… Entries of
    activities in the bin are hidden. ``kinds`` keeps the given kinds; ``activity.*`` keeps a
    family. Keyset-paginated on (occurred_at, id): one indexed query per page, actor and
    activity joined. Refuses a record of another workspace (404) and anything but exactly one
    of the three ids (422).
    """
    require(actor, "records.view")
    given = {
        f: v
        for f, v in zip(_SUBJECTS, (person_id, company_id, deal_id), strict=True)
        if v is not None
    }
    if len(given) != 1:
        raise ValidationFailed.field(
            "person_id", _("Give exactly one of person_id, company_id or deal_id."), "required"
        )
    ((field, pk),) = given.items()
    if not _subject_exists(actor, field, pk):
        what = {"person_id": _("person"), "company_id": _("company"), "deal_id": _("deal")}[field]
        raise NotFound(_("No %(what)s with id %(id)s.") % {"what": what, "id": pk})
    entries = (
        TimelineEntry.objects.for_workspace(actor.workspace)
        .filter(**{field: pk})
        .filter(Q(activity__isnull=True) | Q(activity__deleted_at__isnull=True))
        .select_related("actor", "activity")
        .defer("activity__body", "actor__password")
    )
    if kinds:
        exact = [k for k in kinds if not k.endswith(".*")]
        families = [k[:-1] for k in kinds if k.endswith(".*")]
        condition = Q(kind__in=exact) if exact else Q()
        for prefix in families:
            condition |= Q(kind__startswith=prefix)
        entries = entries.filter(condition)
    return paginate(entries, cursor=cursor, limit=limit, order="-occurred_at")
