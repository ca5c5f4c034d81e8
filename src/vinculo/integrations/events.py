"""Domain events of outbound webhooks."""

from django.utils.translation import gettext_noop

from vinculo.core.events import register_event_type

for _name, _description in [
    ("webhook.created", gettext_noop("A webhook subscription was added.")),
    (
        "webhook.updated",
        gettext_noop("A webhook subscription's URL, events, condition or state changed."),
    ),
    ("webhook.deleted", gettext_noop("A webhook subscription was deleted.")),
    ("webhook.secret_rotated", gettext_noop("A webhook subscription got a new signing secret.")),
    (
        "webhook.disabled",
        "A webhook subscription was disabled (payload: reason, detail); automatic after "
        "repeated failures or a 410 Gone.",
    ),
    ("webhook.enabled", gettext_noop("A disabled webhook subscription was enabled again.")),
]:
    register_event_type(_name, _description)
