"""Domain events of the activities app."""

from vinculo.core.events import register_event_type

for _name, _description in []:
    register_event_type(_name, _description)
