"""What filters over activities (notes, calls, meetings, emails, tasks) may test.

The filter language lives in vinculo.core.filters, which imports this module lazily.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vinculo.activities.models import Activity
from vinculo.core.filters import FilterField, FilterObject, FilterRelation, register_object

ACTIVITY_FIELDS: tuple[FilterField, ...] = (
    FilterField("kind", "choice", _("Kind")),
    FilterField("subject", "text", _("Subject")),
    FilterField("body", "long_text", _("Body")),
    FilterField("occurred_at", "datetime", _("When")),
    FilterField("duration_seconds", "number", _("Duration (seconds)")),
    FilterField("direction", "choice", _("Direction")),
    FilterField("call_outcome", "choice", _("Call outcome")),
    FilterField("location", "text", _("Location")),
    FilterField("email_from", "email", _("Email from")),
    FilterField("email_to", "text", _("Email to")),
    FilterField("assignee", "user", _("Assignee")),
    FilterField("due_at", "datetime", _("Due")),
    FilterField("priority", "choice", _("Priority")),
    FilterField("reminder_at", "datetime", _("Reminder")),
    FilterField("completed_at", "datetime", _("Completed")),
    FilterField("completed_by", "user", _("Completed by")),
    FilterField("created_at", "datetime", _("Created")),
    FilterField("created_by", "user", _("Created by")),
)

register_object(
    FilterObject(
        object_type="activity",
        model=Activity,
        label=_("Activities"),
        fields=ACTIVITY_FIELDS,
        relations=(
            FilterRelation("person", "person", link="pk", outer="person_id", label=_("Person")),
            FilterRelation("company", "company", link="pk", outer="company_id", label=_("Company")),
            FilterRelation("deal", "deal", link="pk", outer="deal_id", label=_("Deal")),
        ),
    )
)
