"""Each person's first touch (``Person.first_touched_at``): the earliest call, meeting or email
logged on them, not in the bin, at or after their creation (history imported from before they
were added is not a response). The lead response KPIs read it instead of the activities.

Every write that can change it calls :func:`refresh_first_touch` in its transaction: logging
(one or in bulk), changing an activity's time or person, binning and restoring one, and moving
activities between people (a merge and its undo). It recomputes from the activities, so calling
it again changes nothing. The people's rows are locked first (PostgreSQL): two transactions
touching one person at once then work it out one after the other, the second seeing the first's
activity, instead of each writing a first touch that misses the other's."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Min

from vinculo.activities.models import TOUCHES, Activity
from vinculo.contacts.models import Person
from vinculo.contacts.services import set_first_touches
from vinculo.core.tenancy import Workspace

CHUNK = 500


def refresh_first_touch(workspace: Workspace, person_ids: Iterable[int | None]) -> None:
    """Work out again the first touch of the workspace's people ``person_ids`` (None ignored)
    from their activities and store it."""
    ids = sorted({pk for pk in person_ids if pk is not None})
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        locked = Person.objects.for_workspace(workspace).select_for_update().filter(pk__in=chunk)
        list(locked.order_by("pk").values_list("pk", flat=True))
        firsts = dict(
            Activity.objects.for_workspace(workspace)
            .filter(
                person_id__in=chunk,
                kind__in=TOUCHES,
                deleted_at__isnull=True,
                occurred_at__gte=F("person__created_at"),
            )
            .order_by()
            .values("person_id")
            .annotate(first=Min("occurred_at"))
            .values_list("person_id", "first")
        )
        set_first_touches(workspace_id=workspace.pk, moments={pk: firsts.get(pk) for pk in chunk})


def touched_people(activities: Iterable[Activity]) -> list[int]:
    """The people of the touches among ``activities`` (whose first touch they may be)."""
    return sorted({a.person_id for a in activities if a.kind in TOUCHES and a.person_id})
