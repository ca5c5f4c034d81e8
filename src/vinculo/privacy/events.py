"""Domain events of the privacy app: their payload schemas and examples."""

from __future__ import annotations

from pydantic import Field

from vinculo.core.event_types import EventType, Payload, register_event_types
from vinculo.privacy.models import ErasureReason


class PersonErased(Payload):
    subject: str = Field(description="The erased person's stand-in, erased-person-<16 hex>.")
    reason: ErasureReason


register_event_types(
    EventType(
        "person.erased",
        "A person was erased (LGPD): receivers should erase their copies of the subject id.",
        PersonErased,
        example={"subject": "erased-person-5f2b9c1d0e8a7364", "reason": "request"},
    ),
)
