"""Domain events of the activities app."""

from vinculo.core.events import register_event_type

for _name, _description in [
    ("activity.logged", "A note, call, meeting or email was logged on a customer record."),
    ("activity.updated", "An activity or task was changed."),
    ("activity.deleted", "An activity or task was moved to the bin."),
    ("activity.restored", "An activity or task was restored from the bin."),
    ("task.created", "A task was created and assigned."),
    ("task.completed", "A task was marked done."),
    ("task.reopened", "A done task was opened again."),
]:
    register_event_type(_name, _description)
