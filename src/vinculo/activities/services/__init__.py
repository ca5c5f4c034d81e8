"""Every write on activities and tasks (C3): log, schedule, change, complete, bin, restore, bulk.

Each service runs in one transaction: permission, validation (every bad field at once), write,
audit entry, timeline entry, domain event.

How activities appear on the timeline:

* each activity writes one entry of kind ``activity.<kind>`` (``activity.call``, ``activity.task``…)
  naming the activity and its person, company and deal. That entry *mirrors* the activity:
  changing the activity changes the entry's summary, time, data and links;
* history events about an activity (``task.completed``, ``task.reopened``) are appended and
  never rewritten;
* deleting an activity (soft, ``deleted_at``) leaves its entries in place: the timeline selector
  hides every entry whose activity is in the bin (``activity__deleted_at``), so restoring the
  activity brings its history back unchanged.

``last_activity_at`` of people and companies moves forward only (a backdated activity never moves
it back, a deleted one never rewinds it), counting notes, calls, meetings and emails that already
happened — not tasks, not meetings in the future.

The modules, each importing only those above it: ``fields`` (the fields of each kind),
``references`` (linked records and members looked up in bulk), ``validation``, ``entries`` (the
timeline entry, event payload and last-activity move of an activity), ``first_touch`` (each
person's first touch, kept for the lead response KPIs), ``activity`` (log, create, change, bin,
restore), ``task_completion``, ``bulk``, ``merge``.
"""

from vinculo.activities.services.activity import (
    create_task,
    delete_activity,
    log_activity,
    restore_activity,
    update_activity,
)
from vinculo.activities.services.bulk import bulk_log_activities
from vinculo.activities.services.fields import (
    ALL_FIELDS,
    KIND_FIELDS,
    LINK_FIELDS,
    MAX_BODY,
    MAX_DURATION_SECONDS,
)
from vinculo.activities.services.first_touch import refresh_first_touch
from vinculo.activities.services.merge import reassign_activities
from vinculo.activities.services.task_completion import complete_task, reopen_task
from vinculo.activities.services.validation import validate_activity

__all__ = [
    "ALL_FIELDS",
    "KIND_FIELDS",
    "LINK_FIELDS",
    "MAX_BODY",
    "MAX_DURATION_SECONDS",
    "bulk_log_activities",
    "complete_task",
    "create_task",
    "delete_activity",
    "log_activity",
    "reassign_activities",
    "refresh_first_touch",
    "reopen_task",
    "restore_activity",
    "update_activity",
    "validate_activity",
]
