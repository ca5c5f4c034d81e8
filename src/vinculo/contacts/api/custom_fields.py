"""Custom field endpoints (settings): define and change the typed fields of people, companies
and deals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from vinculo.contacts import selectors, services
from vinculo.contacts.api._common import In
from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id, Position

router = Router()


class ChoiceIn(In):
    value: str
    label: str | None = None


class CustomFieldIn(In):
    object_type: str | None = Field(None, description="person, company or deal")
    key: str | None = Field(None, description="Defaults to a slug of the label; never changes.")
    label: str | None = None
    field_type: str | None = Field(
        None,
        description="text, long_text, number, money, date, datetime, boolean, choice, "
        "multi_choice, email, phone, url",
    )
    required: bool | None = None
    unique: bool | None = None
    identifier: bool | None = Field(
        None,
        description="Used to find duplicates (an ID card, a student or patient number): the "
        "matcher compares records on it. People and companies only; text, number, date, email, "
        "phone or choice.",
    )
    choices: list[ChoiceIn | str] | None = None
    help_text: str | None = None
    position: Position | None = None
    archived: bool | None = None


class CustomFieldOut(Schema):
    id: int
    object_type: str
    key: str
    label: str
    field_type: str
    required: bool
    unique: bool
    identifier: bool = Field(description="Used to find duplicates.")
    choices: list[dict[str, str]]
    help_text: str
    position: int
    archived_at: datetime | None


class CustomFieldChanged(CustomFieldOut):
    nonconforming: int = Field(
        description="Stored values that do not fit the definition now; they are kept as they are."
    )


class CustomFieldQuery(Schema):
    object_type: str | None = None
    include_archived: bool = False


def _field(d: Any) -> dict[str, Any]:
    return {
        f: getattr(d, f)
        for f in (
            "id",
            "object_type",
            "key",
            "label",
            "field_type",
            "required",
            "unique",
            "identifier",
            "choices",
            "help_text",
            "position",
            "archived_at",
        )
    }


@router.get("/custom-fields", response={200: list[CustomFieldOut], **ERRORS})
def list_custom_fields(
    request: HttpRequest, query: Query[CustomFieldQuery]
) -> list[dict[str, Any]]:
    return [
        _field(d)
        for d in selectors.custom_fields(
            actor_of(request),
            object_type=query.object_type,
            include_archived=query.include_archived,
        )
    ]


def _choices(payload: CustomFieldIn) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    if payload.choices is not None:
        data["choices"] = [c if isinstance(c, str) else c.dict() for c in payload.choices]
    return data


@router.post(
    "/custom-fields",
    response={201: CustomFieldOut, **ERRORS},
    summary="Define a custom field for people, companies or deals",
)
def create_custom_field(request: HttpRequest, payload: CustomFieldIn) -> Status[dict]:
    definition = services.create_custom_field(actor=actor_of(request), data=_choices(payload))
    return Status(201, _field(definition))


@router.patch(
    "/custom-fields/{field_id}",
    response={200: CustomFieldChanged, **ERRORS},
    summary="Change a custom field; stored values are never lost",
)
def update_custom_field(
    request: HttpRequest, field_id: Id, payload: CustomFieldIn
) -> dict[str, Any]:
    data = _choices(payload)
    data.pop("object_type", None)
    data.pop("key", None)
    change = services.update_custom_field(actor=actor_of(request), field_id=field_id, data=data)
    return {**_field(change.definition), "nonconforming": change.nonconforming}
