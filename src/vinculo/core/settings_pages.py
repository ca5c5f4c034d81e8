"""The Settings layout: its sections (apps append theirs at ``ready()``, as privacy does), the
page that renders a screen inside it, the home page, and what every settings form shares (field
errors folded per list line, the order posted by drag and drop or by position inputs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vinculo.core.actor import Actor
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can, require
from vinculo.core.ui import actor, field_errors, is_htmx, workspace_view

# (key, url name, label, permission to see, permission to change, what it holds)
SECTIONS = [
    (
        "workspace",
        "web:settings:workspace",
        gettext_lazy("Workspace"),
        "workspace.view",
        "workspace.manage",
        gettext_lazy("Name, currency, language and time zone."),
    ),
    (
        "members",
        "web:settings:members",
        gettext_lazy("Members and roles"),
        "members.view",
        "members.manage",
        gettext_lazy("Who works here and what each role may do."),
    ),
    (
        "teams",
        "web:settings:teams",
        gettext_lazy("Teams"),
        "members.view",
        "teams.manage",
        gettext_lazy("Groups of members, with a lead."),
    ),
    (
        "tokens",
        "web:settings:tokens",
        gettext_lazy("API tokens"),
        "tokens.create",
        "tokens.create",
        gettext_lazy("Keys for scripts and integrations that use the API."),
    ),
    (
        "custom_fields",
        "web:settings:custom_fields",
        gettext_lazy("Custom fields"),
        "records.view",
        "settings.manage",
        gettext_lazy("Your own fields on people, companies and deals."),
    ),
    (
        "lifecycle",
        "web:settings:lifecycle",
        gettext_lazy("Lifecycle stages"),
        "records.view",
        "settings.manage",
        gettext_lazy("The stages of the customer journey and what each means here."),
    ),
    (
        "pipelines",
        "web:settings:pipelines",
        gettext_lazy("Pipelines"),
        "records.view",
        "settings.manage",
        gettext_lazy("Sales pipelines, their stages and win probabilities."),
    ),
    (
        "spend",
        "web:settings:spend",
        gettext_lazy("Marketing spend"),
        "insights.view",
        "marketing.write",
        gettext_lazy("Spend per month and channel: what CAC divides by new customers."),
    ),
    (
        "currency_rates",
        "web:settings:currency_rates",
        gettext_lazy("Currency rates"),
        "insights.view",
        "settings.manage",
        gettext_lazy("What other currencies are worth in yours, month by month."),
    ),
    (
        "tags",
        "web:settings:tags",
        gettext_lazy("Tags"),
        "records.view",
        "records.write",
        gettext_lazy("Rename, recolour or delete tags."),
    ),
]


def visible_sections(a: Actor) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "url_name": url_name,
            "label": label,
            "description": description,
            "can_change": can(a, change),
        }
        for key, url_name, label, view, change, description in SECTIONS
        if can(a, view)
    ]


def page(
    request: HttpRequest,
    template: str,
    section: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Render a settings page inside the settings layout (sub-navigation of the sections)."""
    a = actor(request)
    sections = visible_sections(a)
    if section and section not in {s["key"] for s in sections}:
        # A section the role cannot see: the same 403 page the services produce.
        require(a, next(s[3] for s in SECTIONS if s[0] == section))
    return render(
        request,
        template,
        {"sections": sections, "section": section, **context},
        status=status,
    )


def form_errors(exc: ServiceError) -> dict[str, list[str]]:
    """Field errors of a service error, with list items (``choices.2``) folded on their list."""
    errors = field_errors(exc)
    folded: dict[str, list[str]] = {}
    for name, msgs in errors.items():
        head, _sep, tail = name.partition(".")
        if tail.isdigit():
            line = int(tail) + 1
            folded.setdefault(head, []).extend(
                _("Line %(n)s: %(message)s") % {"n": line, "message": m} for m in msgs
            )
        else:
            folded.setdefault(name, []).extend(msgs)
    return folded


def posted_ids(request: HttpRequest, name: str = "ids") -> list[int]:
    return [int(i) for i in request.POST.getlist(name) if i.isdigit()]


def order_from_positions(request: HttpRequest, current: Iterable[Any]) -> list[int]:
    """The new order of ``current`` (objects with ``pk``): posted ``ids`` if any, else the
    ``position_<id>`` inputs of the no-JavaScript form (ties keep the current order)."""
    items = list(current)
    ids = posted_ids(request)
    if ids:
        return ids
    keyed = []
    for index, item in enumerate(items):
        raw = request.POST.get(f"position_{item.pk}", "").strip()
        position = int(raw) if raw.lstrip("-").isdigit() else index + 1
        keyed.append((position, index, item.pk))
    return [pk for _position, _index, pk in sorted(keyed)]


def wants_fragment(request: HttpRequest) -> bool:
    return is_htmx(request) or request.headers.get("X-Sortable") == "1"


@workspace_view
def index(request: HttpRequest) -> HttpResponse:
    return page(request, "web/settings/index.html", "", {})
