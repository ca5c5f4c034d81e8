"""Domain events of the activities app."""

from django.utils.translation import gettext_noop

from vinculo.core.events import register_event_type

for _name, _description in [
    (
        "activity.logged",
        gettext_noop("A note, call, meeting or email was logged on a customer record."),
    ),
    ("activity.updated", gettext_noop("An activity or task was changed.")),
    ("activity.deleted", gettext_noop("An activity or task was moved to the bin.")),
    ("activity.restored", gettext_noop("An activity or task was restored from the bin.")),
    ("task.created", gettext_noop("A task was created and assigned.")),
    ("task.completed", gettext_noop("A task was marked done.")),
    ("task.reopened", gettext_noop("A done task was opened again.")),
]:
    register_event_type(_name, _description)
