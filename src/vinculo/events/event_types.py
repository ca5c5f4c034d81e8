"""Domain events of the events app (payloads documented in docs/events.md)."""

from django.utils.translation import gettext_noop

from vinculo.core.events import register_event_type

for _name, _description in [
    (
        "event.received",
        gettext_noop(
            "A tracked event was stored (payload: id, name, person_id, visitor_id, occurred_at, "
            "source, key, properties, and amount/currency/order_id for purchases)."
        ),
    ),
    (
        "purchase.recorded",
        gettext_noop(
            "A purchase was recorded (payload: event_id, person_id, order_id, amount, currency, "
            "item_count, occurred_at)."
        ),
    ),
    (
        "visitor.linked",
        gettext_noop(
            "An anonymous site visitor was linked to a person (payload: visitor_id, person_id, "
            "linked: how many earlier events were attached)."
        ),
    ),
]:
    register_event_type(_name, _description)
