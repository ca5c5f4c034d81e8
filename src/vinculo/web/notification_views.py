"""The notifications page (``/notifications/``): the signed-in user's notifications in this
workspace, newest first, worded in their language; open one (marks it read), mark all read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from vinculo.core import notifications
from vinculo.core.ui import actor, workspace_view

PAGE = 100


@workspace_view
def notifications_page(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    only_unread = request.GET.get("unread") == "1"
    rows = list(notifications.mine(a, unread=True if only_unread else None)[:PAGE])
    items = [(n, notifications.text_of(n)) for n in rows]
    return render(
        request,
        "web/notifications.html",
        {"items": items, "only_unread": only_unread},
    )


@workspace_view
@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark it read and go where it points (the list when it points nowhere safe)."""
    found = notifications.mark_read(actor(request), notification_id)
    link = found.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("web:notifications")


@workspace_view
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications.mark_all_read(actor(request))
    return redirect("web:notifications")
