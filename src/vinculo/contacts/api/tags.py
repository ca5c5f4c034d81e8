"""Tag endpoints: list, rename or recolour, delete."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from vinculo.contacts import selectors, services
from vinculo.contacts.api._common import In
from vinculo.core.actor import actor_of
from vinculo.core.schemas import ERRORS, Id

router = Router()


class TagOut(Schema):
    id: int
    name: str
    color: str


class TagIn(In):
    name: str | None = None
    color: str | None = None


@router.get("/tags", response={200: list[TagOut], **ERRORS})
def list_tags(request: HttpRequest, q: str | None = None) -> list[dict[str, Any]]:
    return [
        {"id": t.id, "name": t.name, "color": t.color}
        for t in selectors.tags(actor_of(request), q=q)
    ]


@router.patch("/tags/{tag_id}", response={200: TagOut, **ERRORS})
def update_tag(request: HttpRequest, tag_id: Id, payload: TagIn) -> dict[str, Any]:
    tag = services.update_tag(
        actor=actor_of(request), tag_id=tag_id, data=payload.dict(exclude_unset=True)
    )
    return {"id": tag.id, "name": tag.name, "color": tag.color}


@router.delete("/tags/{tag_id}", response={204: None, **ERRORS})
def delete_tag(request: HttpRequest, tag_id: Id) -> Status[None]:
    services.delete_tag(actor=actor_of(request), tag_id=tag_id)
    return Status(204, None)
