"""Domain events of the contacts app."""

from vinculo.core.events import register_event_type

for _name, _description in [
    ("person.created", "A person was added."),
    ("person.updated", "A person's fields changed (payload: the changed field names)."),
    ("person.deleted", "A person was moved to the bin."),
    ("person.restored", "A person was restored from the bin."),
    ("person.lifecycle_changed", "A person moved to another lifecycle stage."),
    ("person.consent_changed", "A person's consent for a channel changed."),
    ("company.created", "A company was added."),
    ("company.updated", "A company's fields changed."),
    ("company.deleted", "A company was moved to the bin."),
    ("company.restored", "A company was restored from the bin."),
    ("company.lifecycle_changed", "A company moved to another lifecycle stage."),
    ("custom_field.created", "A custom field was defined."),
    ("custom_field.updated", "A custom field definition changed."),
    ("lifecycle_stage.updated", "The workspace's lifecycle stages changed."),
]:
    register_event_type(_name, _description)
