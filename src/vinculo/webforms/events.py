"""Domain events of web forms: their payload schemas and examples."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop
from pydantic import Field

from vinculo.core.event_types import EventType, Payload, register_event_types


class FormRef(Payload):
    id: int
    name: str


class FormSubmitted(Payload):
    form: FormRef
    submission_id: int
    person_id: int = Field(description="The person the submission was matched to or created.")
    person_created: bool
    consent: bool = Field(description="Whether the consent box was checked.")
    fields: dict[str, Any] = Field(description="The accepted values, by the form's field keys.")
    visitor_id: str = Field(description="The site visitor's id, or an empty text.")


register_event_types(
    EventType(
        "form.submitted",
        gettext_noop(
            "A web form was submitted and accepted (payload: form {id, name}, submission_id, "
            "person_id, person_created, consent, fields, visitor_id)."
        ),
        FormSubmitted,
        example={
            "form": {"id": 7, "name": "Encomendas de Natal"},
            "submission_id": 311,
            "person_id": 42,
            "person_created": False,
            "consent": True,
            "fields": {"email": "joana@padaria.com.br", "first_name": "Joana"},
            "visitor_id": "v_8c1f2a",
        },
    ),
)
