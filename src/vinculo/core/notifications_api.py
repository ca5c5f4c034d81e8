"""API: the signed-in user's notifications (``/api/v1/notifications``): list (unread only on
request), mark one read, mark all read. Each is worded in the request's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from vinculo.core import notifications
from vinculo.core.actor import actor_of
from vinculo.core.models import Notification
from vinculo.core.pagination import paginate
from vinculo.core.schemas import ERRORS, Id, Int32, PageOut

router = Router(tags=["notifications"])


class NotificationQuery(Schema):
    unread: bool | None = Field(None, description="true: only unread; false: only read.")
    cursor: str | None = None
    limit: Int32 | None = None


class NotificationOut(Schema):
    id: int
    code: str = Field(examples=["goal.at_risk"])
    params: dict[str, Any]
    text: str = Field(description="The notification in the request's language.")
    link: str
    created_at: datetime
    read_at: datetime | None


class NotificationsReadOut(Schema):
    marked: int = Field(description="How many notifications were unread and are now read.")
    unread: int


def _json(n: Notification) -> dict[str, Any]:
    return {
        "id": n.pk,
        "code": n.code,
        "params": n.params,
        "text": notifications.text_of(n),
        "link": n.link,
        "created_at": n.created_at,
        "read_at": n.read_at,
    }


@router.get(
    "/notifications",
    response={200: PageOut[NotificationOut], **ERRORS},
    summary="My notifications, newest first",
)
def list_notifications(request: HttpRequest, query: Query[NotificationQuery]) -> dict[str, Any]:
    qs = notifications.mine(actor_of(request), unread=query.unread)
    page = paginate(qs, cursor=query.cursor, limit=query.limit, order="-pk")
    return {"items": [_json(n) for n in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/notifications/read-all",
    response={200: NotificationsReadOut, **ERRORS},
    summary="Mark all my notifications read",
)
def read_all(request: HttpRequest) -> dict[str, Any]:
    actor = actor_of(request)
    return {"marked": notifications.mark_all_read(actor), "unread": 0}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: NotificationOut, **ERRORS},
    summary="Mark one of my notifications read",
)
def read_one(request: HttpRequest, notification_id: Id) -> dict[str, Any]:
    return _json(notifications.mark_read(actor_of(request), notification_id))
