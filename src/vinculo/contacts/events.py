"""Domain events of the contacts app."""

from django.utils.translation import gettext_noop

from vinculo.core.events import register_event_type

for _name, _description in [
    ("person.created", gettext_noop("A person was added.")),
    (
        "person.updated",
        gettext_noop("A person's fields changed (payload: the changed field names)."),
    ),
    ("person.deleted", gettext_noop("A person was moved to the bin.")),
    ("person.restored", gettext_noop("A person was restored from the bin.")),
    ("person.lifecycle_changed", gettext_noop("A person moved to another lifecycle stage.")),
    ("person.consent_changed", gettext_noop("A person's consent for a channel changed.")),
    ("company.created", gettext_noop("A company was added.")),
    ("company.updated", gettext_noop("A company's fields changed.")),
    ("company.deleted", gettext_noop("A company was moved to the bin.")),
    ("company.restored", gettext_noop("A company was restored from the bin.")),
    ("company.lifecycle_changed", gettext_noop("A company moved to another lifecycle stage.")),
    ("custom_field.created", gettext_noop("A custom field was defined.")),
    ("custom_field.updated", gettext_noop("A custom field definition changed.")),
    ("lifecycle_stage.updated", gettext_noop("The workspace's lifecycle stages changed.")),
]:
    register_event_type(_name, _description)
