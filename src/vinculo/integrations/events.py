"""Domain events of outbound webhooks."""

from vinculo.core.events import register_event_type

for _name, _description in [
    ("webhook.created", "A webhook subscription was added."),
    ("webhook.updated", "A webhook subscription's URL, events, condition or state changed."),
    ("webhook.deleted", "A webhook subscription was deleted."),
    ("webhook.secret_rotated", "A webhook subscription got a new signing secret."),
    (
        "webhook.disabled",
        "A webhook subscription was disabled (payload: reason, detail); automatic after "
        "repeated failures or a 410 Gone.",
    ),
    ("webhook.enabled", "A disabled webhook subscription was enabled again."),
]:
    register_event_type(_name, _description)
