"""Many activities and tasks logged at once (imports, seeding, API bulk calls)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.activities import timeline
from vinculo.activities.models import Activity, ActivityKind
from vinculo.activities.services.entries import (
    advance_last_activity,
    event_payload,
    timeline_entry,
)
from vinculo.activities.services.first_touch import refresh_first_touch, touched_people
from vinculo.activities.services.references import References
from vinculo.activities.services.validation import clean_fields, workspace_zone
from vinculo.core import audit, events
from vinculo.core.actor import Actor
from vinculo.core.bulk import MAX_BULK_ROWS, BulkResult, RowError
from vinculo.core.errors import FieldError, ValidationFailed
from vinculo.core.fastinsert import insert_objects
from vinculo.core.permissions import require


def bulk_log_activities(
    *, actor: Actor, rows: Sequence[Mapping[str, Any]], max_rows: int | None = MAX_BULK_ROWS
) -> BulkResult[Activity]:
    """Log many activities and tasks at once (imports, seeding, API bulk calls).

    Each row is what :func:`log_activity` takes (``kind`` included; ``task`` rows are tasks as in
    :func:`create_task`); ``occurred_at`` may be in the past. Good rows are written with bulk
    inserts, their timeline entries and events in bulk, one audit entry for the call; bad rows
    are reported by index with the fields at fault. Refuses more than ``max_rows`` rows (422,
    ``rows``); ``max_rows=None`` lifts the cap (imports and seeding).
    """
    with transaction.atomic():
        require(actor, "activities.write")
        if max_rows is not None and len(rows) > max_rows:
            raise ValidationFailed.field(
                "rows",
                _("At most %(n)s rows per call; split the batch.") % {"n": max_rows},
                "too_many",
            )
        result: BulkResult[Activity] = BulkResult()
        refs = References.for_rows(actor, rows)
        now = timezone.now()
        user_id = actor.user.pk if actor.user is not None else None
        pending: list[Activity] = []
        with timezone.override(workspace_zone(actor)):
            for index, row in enumerate(rows):
                if not isinstance(row, Mapping):
                    result.errors.append(
                        RowError(index, [FieldError("row", _("Each row must be an object."))])
                    )
                    continue
                try:
                    cleaned = clean_fields(actor, row, refs, now=now)
                except ValidationFailed as exc:
                    result.errors.append(RowError(index, exc.errors))
                    continue
                pending.append(
                    Activity(
                        workspace_id=actor.workspace.pk,
                        created_by_id=user_id,
                        created_at=now,
                        **cleaned,
                    )
                )
        if pending:
            created = insert_objects(pending)
            timeline.record_many(actor, (timeline_entry(a) for a in created))
            for name, subset in (
                ("activity.logged", [a for a in created if a.kind != ActivityKind.TASK]),
                ("task.created", [a for a in created if a.kind == ActivityKind.TASK]),
            ):
                events.emit_many(
                    name,
                    actor=actor,
                    subjects=[("activity", a.pk, event_payload(a)) for a in subset],
                )
            advance_last_activity(actor, created)
            refresh_first_touch(actor.workspace, touched_people(created))
            result.created = created
        audit.record(
            actor,
            "activity.bulk_logged",
            object_type=Activity._meta.label_lower,
            changes={"created": [None, len(result.created)], "refused": [None, len(result.errors)]},
        )
    return result
