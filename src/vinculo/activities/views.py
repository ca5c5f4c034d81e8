"""The screens of activities and tasks: the quick "log" form of the 360° pages, the task list
(mine or the team's, by window in the workspace time zone), complete/reopen in place, a new task."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.activities import selectors, services
from vinculo.activities.models import Activity, ActivityKind, Priority
from vinculo.contacts import selectors as contacts
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, NotFound, ServiceError
from vinculo.core.pagination import paginate
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, is_htmx, safe_next, workspace_view
from vinculo.sales import selectors as sales
from vinculo.workspaces.selectors import members

# Where a failed quick-log form waits (in the session) for the page it came from to show it again.
LOG_DRAFT_KEY = "activities.log_draft"
PAGE_SIZE = 50

WINDOWS = [
    ("today", gettext_lazy("Today")),
    ("overdue", gettext_lazy("Overdue")),
    ("upcoming", gettext_lazy("Upcoming")),
    ("all", gettext_lazy("All open")),
]
# Inputs of the forms that are not service fields as they are (minutes, the record picker).
_KIND_INPUTS = (
    "occurred_at",
    "direction",
    "call_outcome",
    "location",
    "email_to",
    "assignee_id",
    "due_at",
    "priority",
)


def activity_data(post: QueryDict, *, kind: str | None = None) -> dict[str, Any]:
    """The service input from a posted activity form.

    Only the inputs of the chosen kind are passed (the form holds every kind's inputs, the
    unused ones hidden); a duration is typed in minutes; ``link`` (``person:12``) comes from
    the record picker of the task form.
    """
    kind = kind or post.get("kind", "").strip().lower()
    data: dict[str, Any] = {"kind": kind}
    for name in ("subject", "body"):
        if name in post:
            data[name] = post.get(name, "")
    for name in services.LINK_FIELDS:
        if post.get(name, "").strip():
            data[name] = post.get(name, "").strip()
    link = post.get("link", "")
    if ":" in link:
        what, _sep, pk = link.partition(":")
        if what in ("person", "company", "deal"):
            data[f"{what}_id"] = pk
    allowed = services.KIND_FIELDS.get(kind, frozenset()) | {"occurred_at"}
    for name in _KIND_INPUTS:
        value = post.get(name, "").strip()
        if name in allowed and value:
            data[name] = value
    minutes = post.get("duration_minutes", "").strip()
    if "duration_seconds" in allowed and minutes:
        data["duration_seconds"] = int(minutes) * 60 if minutes.isdigit() else minutes
    return data


def _message_of(exc: ServiceError) -> str:
    parts: list[str] = []
    for text in [exc.detail, *(e.message for e in exc.errors)]:
        if text and text not in parts:
            parts.append(str(text))
    return " ".join(parts)


def _log_success_message(activity: Activity) -> str:
    if activity.kind == ActivityKind.TASK:
        return _("Task created: %(subject)s.") % {"subject": activity.subject}
    return _("%(kind)s logged.") % {"kind": activity.get_kind_display()}


@workspace_view
@require_POST
def log(request: HttpRequest) -> HttpResponse:
    """The quick form of the person, company and deal pages: log a call, note, meeting, email
    or create a task, then go back. A refusal goes back too, with the service's messages, and
    what was typed waits in the session so the form shows it again (see ``log_activity_form``)."""
    a = actor(request)
    target = safe_next(request, reverse("web:home"))
    data = activity_data(request.POST)
    try:
        activity = services.log_activity(actor=a, data=data)
    except ServiceError as exc:
        errors = field_errors(exc)
        if "duration_seconds" in errors:
            errors["duration_minutes"] = errors.pop("duration_seconds")
        request.session[LOG_DRAFT_KEY] = {
            "path": urlsplit(target).path,
            "values": {
                k: request.POST.get(k, "")
                for k in request.POST
                if k not in ("csrfmiddlewaretoken", "next")
            },
            "errors": errors,
        }
        messages.error(request, _message_of(exc))
        return redirect(target)
    messages.success(request, _log_success_message(activity))
    return redirect(target)


# --- tasks ----------------------------------------------------------------------------------


def _with_links(qs: Any) -> Any:
    return qs.select_related("person", "company", "deal", "assignee").defer(
        "body", "assignee__password"
    )


def _task_scope(request: HttpRequest, a: Actor, when: str) -> tuple[Any, str]:
    """The tasks of the page (mine; for team leads: anyone's or everyone's) and the filter."""
    assignee = request.GET.get("assignee", "")
    if can(a, "records.delete"):
        if assignee == "all":
            return selectors.team_tasks(a, when=when), assignee
        if assignee.isdigit():
            return selectors.my_tasks(a, when=when, assignee_id=int(assignee)), assignee
    return selectors.my_tasks(a, when=when), ""


def _row_context(request: HttpRequest, a: Actor) -> dict[str, Any]:
    return {
        "now": timezone.now(),
        "can_complete": can(a, "activities.write"),
    }


@workspace_view
def task_list(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    when = request.GET.get("when", "today")
    if when not in selectors.TASK_WINDOWS:
        when = "today"
    qs, assignee = _task_scope(request, a, when)
    page = paginate(
        _with_links(qs), cursor=request.GET.get("cursor"), limit=PAGE_SIZE, order="due_at"
    )
    context = {
        "page": page,
        "when": when,
        "assignee": assignee,
        "show_assignee": bool(assignee),
        **_row_context(request, a),
    }
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "activities/_task_rows.html", context)
    counts = {}
    for key, _label in WINDOWS:
        window_qs, _assignee = _task_scope(request, a, key)
        counts[key] = window_qs.count()
    team = can(a, "records.delete")
    context.update(
        windows=[(key, label, counts[key]) for key, label in WINDOWS],
        team=team,
        members=_active_members(a) if team else [],
        start_of_today=selectors.today_bounds(a)[0],
    )
    return render(request, "activities/task_list.html", context)


def _active_members(a: Actor) -> list[Any]:
    return [m.user for m in members(a).filter(is_active=True).order_by("user__email")]


def _task_row(request: HttpRequest, a: Actor, task_id: int, error: str = "") -> HttpResponse:
    task = _with_links(selectors.activities(a, kind="task")).filter(pk=task_id).first()
    if task is None:
        raise NotFound(_("No activity with id %(id)s.") % {"id": task_id})
    context = {
        "task": task,
        "error": error,
        "show_assignee": request.POST.get("show_assignee") == "1",
        **_row_context(request, a),
    }
    return render(request, "activities/_task_row.html", context)


def _toggle(request: HttpRequest, task_id: int, done: bool) -> HttpResponse:
    a = actor(request)
    error = ""
    try:
        if done:
            services.complete_task(actor=a, activity_id=task_id)
        else:
            services.reopen_task(actor=a, activity_id=task_id)
    except Conflict as exc:
        error = exc.detail
    if is_htmx(request):
        return _task_row(request, a, task_id, error)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, _("Task done."))
    else:
        messages.success(request, _("Task reopened."))
    return redirect(safe_next(request, reverse("activities:tasks")))


@workspace_view
@require_POST
def task_complete(request: HttpRequest, task_id: int) -> HttpResponse:
    """Mark a task done; htmx gets the row back (now with "reopen")."""
    return _toggle(request, task_id, done=True)


@workspace_view
@require_POST
def task_reopen(request: HttpRequest, task_id: int) -> HttpResponse:
    """Open a done task again; htmx gets the row back."""
    return _toggle(request, task_id, done=False)


def _picked_link(a: Actor, data: dict[str, Any]) -> dict[str, str] | None:
    """The record a task form points at, to show it again (None when not found)."""
    try:
        if data.get("person_id"):
            person = contacts.get_person(a, int(data["person_id"]))
            return {"value": f"person:{person.pk}", "label": person.full_name}
        if data.get("company_id"):
            company = contacts.get_company(a, int(data["company_id"]))
            return {"value": f"company:{company.pk}", "label": company.name}
        if data.get("deal_id"):
            deal = sales.get_deal(a, int(data["deal_id"]))
            return {"value": f"deal:{deal.pk}", "label": deal.title}
    except (NotFound, ValueError):
        return None
    return None


@workspace_view
def task_create(request: HttpRequest) -> HttpResponse:
    """A task on a person, company or deal (picked by searching), for me or a colleague."""
    a = actor(request)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = request.POST.dict()
        data = activity_data(request.POST, kind=ActivityKind.TASK)
        try:
            task = services.log_activity(actor=a, data=data)
        except ServiceError as exc:
            errors = field_errors(exc)
            picked = _picked_link(a, data)
        else:
            messages.success(request, _log_success_message(task))
            return redirect(
                safe_next(request, reverse("activities:tasks") + "?when=all", referer=False)
            )
    else:
        values = request.GET.dict()
        for what in ("person", "company", "deal"):  # ?person=12 as on the deal form
            if values.get(what) and not values.get(f"{what}_id"):
                values[f"{what}_id"] = values[what]
        picked = _picked_link(a, values)
    link_errors = [m for f in services.LINK_FIELDS for m in errors.get(f, [])]
    return render(
        request,
        "activities/task_form.html",
        {
            "values": values,
            "errors": errors,
            "link_errors": link_errors,
            "picked": picked,
            "members": _active_members(a),
            "priorities": Priority.choices,
            "me": a.user.pk if a.user else None,
            "can_log": can(a, "activities.write"),
        },
        status=422 if errors else 200,
    )
