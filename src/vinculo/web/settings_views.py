"""The Settings screens: workspace, members and roles, teams, API tokens, custom fields,
lifecycle stages, pipelines and tags.

Each form posts to a view that calls one service; a :class:`ServiceError` comes back as the
same page with the message next to the field and what the user typed kept (status 422).
Controls a role cannot use are hidden; the services refuse them anyway (403 page).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contact_services
from vinculo.contacts.custom_fields import IDENTIFIER_OBJECTS
from vinculo.contacts.models import CustomObject, FieldType, JourneyPhase
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ServiceError, ValidationFailed
from vinculo.sales import selectors as sales_selectors
from vinculo.sales import services as sales_services
from vinculo.sales.models import StageKind
from vinculo.web.ui import actor, field_errors, is_htmx, render_once, show_once, workspace_view
from vinculo.workspaces import invitations
from vinculo.workspaces import selectors as ws_selectors
from vinculo.workspaces import services as ws_services
from vinculo.workspaces.models import Role
from vinculo.workspaces.permissions import can, require

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
        "tags",
        "web:settings:tags",
        gettext_lazy("Tags"),
        "records.view",
        "records.write",
        gettext_lazy("Rename, recolour or delete tags."),
    ),
]

CURRENCIES = ["BRL", "USD", "EUR", "GBP", "ARS", "CLP", "COP", "MXN", "PEN", "UYU", "PYG", "BOB"]


def _sections(a: Actor) -> list[dict[str, Any]]:
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


def _page(
    request: HttpRequest,
    template: str,
    section: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Render a settings page inside the settings layout (sub-navigation of the sections)."""
    a = actor(request)
    sections = _sections(a)
    if section and section not in {s["key"] for s in sections}:
        # A section the role cannot see: the same 403 page the services produce.
        require(a, next(s[3] for s in SECTIONS if s[0] == section))
    return render(
        request,
        template,
        {"sections": sections, "section": section, **context},
        status=status,
    )


def _errors(exc: ServiceError) -> dict[str, list[str]]:
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


def _posted_ids(request: HttpRequest, name: str = "ids") -> list[int]:
    return [int(i) for i in request.POST.getlist(name) if i.isdigit()]


def _order_from_positions(request: HttpRequest, current: Iterable[Any]) -> list[int]:
    """The new order of ``current`` (objects with ``pk``): posted ``ids`` if any, else the
    ``position_<id>`` inputs of the no-JavaScript form (ties keep the current order)."""
    items = list(current)
    ids = _posted_ids(request)
    if ids:
        return ids
    keyed = []
    for index, item in enumerate(items):
        raw = request.POST.get(f"position_{item.pk}", "").strip()
        position = int(raw) if raw.lstrip("-").isdigit() else index + 1
        keyed.append((position, index, item.pk))
    return [pk for _position, _index, pk in sorted(keyed)]


def _wants_fragment(request: HttpRequest) -> bool:
    return is_htmx(request) or request.headers.get("X-Sortable") == "1"


# --- index ------------------------------------------------------------------------------------


@workspace_view
def index(request: HttpRequest) -> HttpResponse:
    return _page(request, "web/settings/index.html", "", {})


# --- workspace --------------------------------------------------------------------------------

WORKSPACE_FIELDS = ("name", "default_currency", "locale", "timezone", "country")


@workspace_view
def workspace(request: HttpRequest) -> HttpResponse:
    """The workspace's name, currency, language and time zone (read-only without the right)."""
    a = actor(request)
    errors: dict[str, list[str]] = {}
    current = a.workspace
    data = {name: getattr(current, name) for name in WORKSPACE_FIELDS}
    if request.method == "POST":
        posted = {name: request.POST[name] for name in WORKSPACE_FIELDS if name in request.POST}
        data = {**data, **posted}
        try:
            ws_services.update_workspace(actor=a, data=posted)
        except ServiceError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("web:settings:workspace")
    return _page(
        request,
        "web/settings/workspace.html",
        "workspace",
        {
            "data": data,
            "country": current.country,
            "errors": errors,
            "can_change": can(a, "workspace.manage"),
            "languages": settings.LANGUAGES,
            "currencies": CURRENCIES,
            "timezones": sorted(zoneinfo.available_timezones()),
        },
        status=422 if errors else 200,
    )


# --- members ----------------------------------------------------------------------------------


def _role_choices(a: Actor) -> list[tuple[str, str]]:
    """The roles this actor may hand out (only owners grant the owner role)."""
    return [
        (value, label)
        for value, label in Role.choices
        if value != Role.OWNER or can(a, "owners.manage")
    ]


def _members_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return _page(
        request,
        "web/settings/members.html",
        "members",
        {
            "memberships": ws_selectors.members(a).order_by("user__email"),
            "invitations": invitations.pending_invitations(a),
            "roles": _role_choices(a),
            "all_roles": Role.choices,
            "can_change": can(a, "members.manage"),
            "can_manage_owners": can(a, "owners.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def members(request: HttpRequest) -> HttpResponse:
    return render_once(request, "member", _members_page, "added")


@workspace_view
@require_POST
def member_add(request: HttpRequest) -> HttpResponse:
    """Invite a member; the link (when it was not emailed) is shown once, after the redirect."""
    a = actor(request)
    data = {
        "email": request.POST.get("email", ""),
        "full_name": request.POST.get("full_name", ""),
        "role": request.POST.get("role", ""),
    }
    try:
        new = invitations.invite_member(
            actor=a, email=data["email"], role=data["role"], full_name=data["full_name"]
        )
    except ServiceError as exc:
        return _members_page(request, status=422, errors=_errors(exc), data=data)
    added = {
        "email": new.invitation.email,
        "emailed": new.emailed,
        "url": None if new.emailed else new.url,
    }
    show_once(request, "member", added)
    return redirect("web:settings:members")


def _member_row(
    request: HttpRequest, membership_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    a = actor(request)
    return render(
        request,
        "web/settings/_member_row.html",
        {
            "m": ws_selectors.get_member(a, membership_id),
            "roles": _role_choices(a),
            "can_change": can(a, "members.manage"),
            "can_manage_owners": can(a, "owners.manage"),
            **extra,
        },
        status=status,
    )


@workspace_view
@require_POST
def member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    """Change a member's role (htmx swaps the row; without JavaScript, back to the list)."""
    a = actor(request)
    role = request.POST.get("role", "")
    try:
        ws_services.change_member_role(actor=a, membership_id=membership_id, role=role)
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        # The detail says why (e.g. "a workspace needs at least one owner"); show it as it comes.
        if is_htmx(request):
            return _member_row(
                request, membership_id, status=422, row_error=exc.detail, posted_role=role
            )
        messages.error(request, exc.detail)
        return redirect("web:settings:members")
    if is_htmx(request):
        return _member_row(request, membership_id, saved=True)
    messages.success(request, _("Role changed."))
    return redirect("web:settings:members")


@workspace_view
@require_POST
def member_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    a = actor(request)
    try:
        ws_services.remove_member(actor=a, membership_id=membership_id)
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Member removed; their API tokens were revoked."))
    return redirect("web:settings:members")


# --- teams ------------------------------------------------------------------------------------


def _teams_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    team_list = list(ws_selectors.teams(a))
    for team in team_list:
        team.seat_ids = {seat.user_id for seat in team.team_members.all()}  # type: ignore[attr-defined]
    return _page(
        request,
        "web/settings/teams.html",
        "teams",
        {
            "teams": team_list,
            "users": [m.user for m in ws_selectors.members(a).order_by("user__email")],
            "can_change": can(a, "teams.manage"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


def _team_data(request: HttpRequest) -> dict[str, Any]:
    lead = request.POST.get("lead_id", "")
    return {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "lead_id": int(lead) if lead.isdigit() else None,
    }


@workspace_view
def teams(request: HttpRequest) -> HttpResponse:
    return _teams_page(request)


@workspace_view
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    data = _team_data(request)
    try:
        team = ws_services.create_team(actor=actor(request), data=data)
    except ServiceError as exc:
        return _teams_page(request, status=422, errors=_errors(exc), failed="new", posted=data)
    messages.success(request, _("Team %(name)s created.") % {"name": team.name})
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_update(request: HttpRequest, team_id: int) -> HttpResponse:
    data = _team_data(request)
    try:
        ws_services.update_team(actor=actor(request), team_id=team_id, data=data)
    except ServiceError as exc:
        return _teams_page(request, status=422, errors=_errors(exc), failed=team_id, posted=data)
    messages.success(request, _("Team saved."))
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    ws_services.delete_team(actor=actor(request), team_id=team_id)
    messages.success(request, _("Team deleted; its members keep their access."))
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_member_add(request: HttpRequest, team_id: int) -> HttpResponse:
    raw = request.POST.get("user_id", "")
    try:
        ws_services.add_team_member(
            actor=actor(request), team_id=team_id, user_id=int(raw) if raw.isdigit() else 0
        )
    except ServiceError as exc:
        return _teams_page(
            request, status=422, errors=_errors(exc), failed=team_id, posted={"user_id": raw}
        )
    messages.success(request, _("Added to the team."))
    return redirect("web:settings:teams")


@workspace_view
@require_POST
def team_member_remove(request: HttpRequest, team_id: int, user_id: int) -> HttpResponse:
    ws_services.remove_team_member(actor=actor(request), team_id=team_id, user_id=user_id)
    messages.success(request, _("Removed from the team."))
    return redirect("web:settings:teams")


# --- API tokens -------------------------------------------------------------------------------


def _tokens_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return _page(
        request,
        "web/settings/tokens.html",
        "tokens",
        {
            "tokens": ws_selectors.api_tokens(a).order_by("-pk"),
            "sees_everyone": can(a, "tokens.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def tokens(request: HttpRequest) -> HttpResponse:
    return render_once(request, "token", _tokens_page, "created")


def _expiry(a: Actor, raw: str) -> datetime | None:
    """The end of the chosen day in the workspace's time zone; ``ValueError`` when unreadable."""
    raw = raw.strip()
    if not raw:
        return None
    day = datetime.strptime(raw, "%Y-%m-%d").date()  # noqa: DTZ007 (a date, made aware below)
    return datetime.combine(day, time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(a.workspace.timezone))


@workspace_view
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token for the signed-in user; its plaintext is shown once, after the redirect."""
    a = actor(request)
    data = {"name": request.POST.get("name", ""), "expires_at": request.POST.get("expires_at", "")}
    try:
        expires_at = _expiry(a, data["expires_at"])
    except ValueError:
        return _tokens_page(
            request,
            status=422,
            errors={"expires_at": [_("Enter a date such as 2030-12-31.")]},
            data=data,
        )
    try:
        new = ws_services.create_api_token(actor=a, name=data["name"], expires_at=expires_at)
    except ServiceError as exc:
        return _tokens_page(request, status=422, errors=_errors(exc), data=data)
    show_once(request, "token", {"name": new.token.name, "plaintext": new.plaintext})
    return redirect("web:settings:tokens")


@workspace_view
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ws_services.revoke_api_token(actor=actor(request), token_id=token_id)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("web:settings:tokens")


# --- custom fields ----------------------------------------------------------------------------

CHOICE_TYPES = {FieldType.CHOICE, FieldType.MULTI_CHOICE}


def _choices_from_text(text: str) -> list[Any]:
    """One choice per line; ``value | label`` when the stored value differs from the label."""
    choices: list[Any] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        value, sep, label = line.partition("|")
        if sep:
            choices.append({"value": value.strip(), "label": label.strip() or value.strip()})
        else:
            choices.append(line)
    return choices


def _choices_as_text(choices: list[dict[str, str]]) -> str:
    return "\n".join(
        c["value"] if c.get("label", c["value"]) == c["value"] else f"{c['value']} | {c['label']}"
        for c in choices or []
    )


def _object_type(request: HttpRequest) -> str:
    value = request.GET.get("object") or request.POST.get("object_type") or CustomObject.PERSON
    return value if value in CustomObject.values else CustomObject.PERSON


def _custom_fields_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    object_type = extra.pop("object_type", None) or _object_type(request)
    return _page(
        request,
        "web/settings/custom_fields.html",
        "custom_fields",
        {
            "object_type": object_type,
            "objects": CustomObject.choices,
            "definitions": contact_selectors.custom_fields(
                a, object_type=object_type, include_archived=True
            ),
            "field_types": FieldType.choices,
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def custom_fields(request: HttpRequest) -> HttpResponse:
    return _custom_fields_page(request)


@workspace_view
@require_POST
def custom_field_create(request: HttpRequest) -> HttpResponse:
    object_type = request.POST.get("object_type", "")
    data: dict[str, Any] = {
        "object_type": object_type,
        "label": request.POST.get("label", ""),
        "key": request.POST.get("key", ""),
        "field_type": request.POST.get("field_type", ""),
        "required": "required" in request.POST,
        "unique": "unique" in request.POST,
        "identifier": "identifier" in request.POST,
        "help_text": request.POST.get("help_text", ""),
    }
    choices_text = request.POST.get("choices", "")
    if data["field_type"] in CHOICE_TYPES:
        data["choices"] = _choices_from_text(choices_text)
    try:
        definition = contact_services.create_custom_field(actor=actor(request), data=data)
    except ServiceError as exc:
        return _custom_fields_page(
            request,
            status=422,
            errors=_errors(exc),
            data={**data, "choices": choices_text},
            object_type=object_type if object_type in CustomObject.values else None,
        )
    messages.success(request, _("Field %(label)s created.") % {"label": definition.label})
    return redirect(reverse("web:settings:custom_fields") + f"?object={definition.object_type}")


def _get_definition(a: Actor, field_id: int) -> Any:
    definition = (
        contact_selectors.custom_fields(a, include_archived=True).filter(pk=field_id).first()
    )
    if definition is None:
        raise NotFound(_("No custom field with id %(id)s.") % {"id": field_id})
    return definition


@workspace_view
def custom_field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    """Relabel, re-choice, require, mark as identifier or archive a field; says how many stored
    values stop fitting."""
    a = actor(request)
    definition = _get_definition(a, field_id)
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {
        "label": definition.label,
        "help_text": definition.help_text,
        "required": definition.required,
        "identifier": definition.identifier,
        "archived": definition.archived_at is not None,
        "choices": _choices_as_text(definition.choices),
    }
    if request.method == "POST":
        data = {
            "label": request.POST.get("label", ""),
            "help_text": request.POST.get("help_text", ""),
            "required": "required" in request.POST,
            "identifier": "identifier" in request.POST,
            "archived": "archived" in request.POST,
        }
        choices_text = request.POST.get("choices", "")
        payload = dict(data)
        if definition.field_type in CHOICE_TYPES:
            payload["choices"] = _choices_from_text(choices_text)
        try:
            change = contact_services.update_custom_field(actor=a, field_id=field_id, data=payload)
        except ServiceError as exc:
            errors = _errors(exc)
            data["choices"] = choices_text
        else:
            messages.success(
                request, _("Field %(label)s saved.") % {"label": change.definition.label}
            )
            if change.nonconforming:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)s stored value no longer fits this field. It is kept as it is; "
                        "fix it when that record is next edited.",
                        "%(n)s stored values no longer fit this field. They are kept as they "
                        "are; fix each when its record is next edited.",
                        change.nonconforming,
                    )
                    % {"n": change.nonconforming},
                )
            return redirect(
                reverse("web:settings:custom_fields") + f"?object={definition.object_type}"
            )
    return _page(
        request,
        "web/settings/custom_field_edit.html",
        "custom_fields",
        {
            "definition": definition,
            "is_choice": definition.field_type in CHOICE_TYPES,
            "can_identify": definition.object_type in IDENTIFIER_OBJECTS,
            "data": data,
            "errors": errors,
            "can_change": can(a, "settings.manage"),
        },
        status=422 if errors else 200,
    )


# --- lifecycle stages -------------------------------------------------------------------------


def _lifecycle_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return _page(
        request,
        "web/settings/lifecycle.html",
        "lifecycle",
        {
            "stages": contact_selectors.lifecycle_stages(a),
            "phases": JourneyPhase.choices,
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def lifecycle(request: HttpRequest) -> HttpResponse:
    return _lifecycle_page(request)


@workspace_view
@require_POST
def lifecycle_create(request: HttpRequest) -> HttpResponse:
    data = {
        "name": request.POST.get("name", ""),
        "key": request.POST.get("key", ""),
        "phase": request.POST.get("phase", ""),
        "description": request.POST.get("description", ""),
    }
    try:
        stage = contact_services.create_lifecycle_stage(actor=actor(request), data=data)
    except ServiceError as exc:
        return _lifecycle_page(request, status=422, errors=_errors(exc), failed="new", posted=data)
    messages.success(request, _("Stage %(name)s added.") % {"name": stage.name})
    return redirect("web:settings:lifecycle")


@workspace_view
@require_POST
def lifecycle_update(request: HttpRequest, stage_id: int) -> HttpResponse:
    data = {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "phase": request.POST.get("phase", ""),
        "is_active": "is_active" in request.POST,
    }
    try:
        stage = contact_services.update_lifecycle_stage(
            actor=actor(request), stage_id=stage_id, data=data
        )
    except ServiceError as exc:
        return _lifecycle_page(
            request, status=422, errors=_errors(exc), failed=stage_id, posted=data
        )
    messages.success(request, _("Stage %(name)s saved.") % {"name": stage.name})
    return redirect("web:settings:lifecycle")


@workspace_view
@require_POST
def lifecycle_reorder(request: HttpRequest) -> HttpResponse:
    """Save the order of the lifecycle stages (drag and drop, or the position inputs)."""
    a = actor(request)
    stages = contact_selectors.lifecycle_stages(a)
    order = _order_from_positions(request, stages)
    order += [s.pk for s in stages if s.pk not in order]
    try:
        contact_services.reorder_lifecycle_stages(actor=a, stage_ids=order)
    except ValidationFailed:
        raise NotFound(_("No such lifecycle stage in this workspace.")) from None
    if _wants_fragment(request):
        return HttpResponse(status=204)
    messages.success(request, _("Order saved."))
    return redirect("web:settings:lifecycle")


# --- pipelines and stages ---------------------------------------------------------------------


@workspace_view
def pipelines(request: HttpRequest) -> HttpResponse:
    return _pipelines_page(request)


def _pipelines_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return _page(
        request,
        "web/settings/pipelines.html",
        "pipelines",
        {
            "pipelines": sales_selectors.pipelines(a, include_archived=True).order_by(
                "archived_at", "position", "pk"
            ),
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
@require_POST
def pipeline_create(request: HttpRequest) -> HttpResponse:
    """A new pipeline with the default stages (edit them on its page)."""
    data = {"name": request.POST.get("name", "")}
    try:
        pipeline = sales_services.create_pipeline(actor=actor(request), data=data)
    except ServiceError as exc:
        return _pipelines_page(request, status=422, errors=_errors(exc), data=data)
    messages.success(request, _("Pipeline %(name)s created.") % {"name": pipeline.name})
    return redirect("web:settings:pipeline", pipeline_id=pipeline.pk)


def _pipeline_page(
    request: HttpRequest, pipeline_id: int, *, status: int = 200, **extra: Any
) -> HttpResponse:
    a = actor(request)
    pipeline = sales_selectors.get_pipeline(a, pipeline_id)
    return _page(
        request,
        "web/settings/pipeline.html",
        "pipelines",
        {
            "pipeline": pipeline,
            "stages": list(pipeline.stages.all()),
            "kinds": StageKind.choices,
            **sales_selectors.lost_reason_summary(a, pipeline),
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def pipeline_detail(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """A pipeline's stages; POST renames it, makes it the default or (un)archives it."""
    if request.method != "POST":
        return _pipeline_page(request, pipeline_id)
    data: dict[str, Any] = {}
    if "name" in request.POST:
        data["name"] = request.POST.get("name", "")
    if request.POST.get("is_default") == "1":
        data["is_default"] = True
    if request.POST.get("archived") in {"0", "1"}:
        data["archived"] = request.POST["archived"] == "1"
    try:
        sales_services.update_pipeline(actor=actor(request), pipeline_id=pipeline_id, data=data)
    except ServiceError as exc:
        return _pipeline_page(
            request, pipeline_id, status=422, errors=_errors(exc), failed="pipeline", posted=data
        )
    messages.success(request, _("Pipeline saved."))
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


def _stage_data(request: HttpRequest) -> dict[str, Any]:
    probability = request.POST.get("probability", "").strip()
    return {
        "name": request.POST.get("name", ""),
        "kind": request.POST.get("kind", ""),
        "probability": probability or None,
        "rotting_days": request.POST.get("rotting_days", "").strip() or None,
    }


@workspace_view
@require_POST
def stage_create(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    data = _stage_data(request)
    try:
        stage = sales_services.create_stage(
            actor=actor(request), pipeline_id=pipeline_id, data=data
        )
    except ServiceError as exc:
        return _pipeline_page(
            request, pipeline_id, status=422, errors=_errors(exc), failed="new", posted=data
        )
    messages.success(request, _("Stage %(name)s added.") % {"name": stage.name})
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


@workspace_view
@require_POST
def stage_update(request: HttpRequest, stage_id: int) -> HttpResponse:
    a = actor(request)
    data = _stage_data(request)
    try:
        stage = sales_services.update_stage(actor=a, stage_id=stage_id, data=data)
    except ServiceError as exc:
        pipeline_id = sales_selectors.get_stage(a, stage_id).pipeline_id
        return _pipeline_page(
            request, pipeline_id, status=422, errors=_errors(exc), failed=stage_id, posted=data
        )
    messages.success(request, _("Stage %(name)s saved.") % {"name": stage.name})
    return redirect("web:settings:pipeline", pipeline_id=stage.pipeline_id)


@workspace_view
@require_POST
def stage_delete(request: HttpRequest, stage_id: int) -> HttpResponse:
    """Delete a stage, moving its deals to the chosen stage of the same kind."""
    a = actor(request)
    pipeline_id = sales_selectors.get_stage(a, stage_id).pipeline_id
    target = request.POST.get("move_deals_to", "")
    try:
        sales_services.delete_stage(
            actor=a, stage_id=stage_id, move_deals_to=int(target) if target.isdigit() else None
        )
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Stage deleted."))
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


@workspace_view
@require_POST
def stage_reorder(request: HttpRequest, pipeline_id: int) -> HttpResponse:
    """Save the order of a pipeline's stages (drag and drop, or the position inputs)."""
    a = actor(request)
    pipeline = sales_selectors.get_pipeline(a, pipeline_id)
    order = _order_from_positions(request, pipeline.stages.all())
    try:
        sales_services.reorder_stages(actor=a, pipeline_id=pipeline_id, stage_ids=order)
    except ServiceError as exc:
        field_errors(exc)  # 403/404 pages
        if _wants_fragment(request):
            return HttpResponse(exc.detail, status=422, content_type="text/plain; charset=utf-8")
        messages.error(request, exc.detail)
        return redirect("web:settings:pipeline", pipeline_id=pipeline_id)
    if _wants_fragment(request):
        return HttpResponse(status=204)
    messages.success(request, _("Order saved."))
    return redirect("web:settings:pipeline", pipeline_id=pipeline_id)


# --- tags -------------------------------------------------------------------------------------


def _tags_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    return _page(
        request,
        "web/settings/tags.html",
        "tags",
        {
            "tags": contact_selectors.tags(a),
            "can_change": can(a, "records.write"),
            "can_delete": can(a, "records.delete"),
            "errors": {},
            "failed": None,
            "posted": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def tags(request: HttpRequest) -> HttpResponse:
    return _tags_page(request)


@workspace_view
@require_POST
def tag_update(request: HttpRequest, tag_id: int) -> HttpResponse:
    data = {"name": request.POST.get("name", ""), "color": request.POST.get("color", "")}
    try:
        tag = contact_services.update_tag(actor=actor(request), tag_id=tag_id, data=data)
    except ServiceError as exc:
        return _tags_page(request, status=422, errors=_errors(exc), failed=tag_id, posted=data)
    messages.success(request, _("Tag %(name)s saved.") % {"name": tag.name})
    return redirect("web:settings:tags")


@workspace_view
@require_POST
def tag_delete(request: HttpRequest, tag_id: int) -> HttpResponse:
    contact_services.delete_tag(actor=actor(request), tag_id=tag_id)
    messages.success(request, _("Tag deleted and removed from every record."))
    return redirect("web:settings:tags")
