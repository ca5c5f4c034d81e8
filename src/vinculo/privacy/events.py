"""Domain events of the privacy app."""

from vinculo.core.events import register_event_type

register_event_type(
    "person.erased",
    "A person was erased (LGPD): receivers should erase their copies of the subject id.",
)
