"""Screens of goals (under /strategy/goals/): the list with its filters, a goal's page (chart,
status rule, quotas, readings, "measure now"), the create and edit form. Pages show the stored
measurement: no KPI is measured on a page view."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts.models import LifecycleStage
from vinculo.core.errors import ServiceError
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis import Unit, all_kpis, get
from vinculo.core.permissions import can, require
from vinculo.core.tenancy import Membership, Team
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.sales.models import Pipeline
from vinculo.strategy.goals import selectors, services, wording
from vinculo.strategy.goals.wording import progress_rule, status_rule
from vinculo.strategy.models import Goal, GoalMeasure, GoalStatus, Tactic

TEXT_FIELDS = (
    "title", "kpi_key", "measure", "window_days", "filter_owner_id", "filter_team_id",
    "filter_pipeline_id", "filter_source", "filter_lifecycle_stage", "segment_object",
    "currency", "owner_id", "team_id", "starts_on", "deadline", "tactic_id", "parent_id",
)  # fmt: skip
HOUR = Decimal(3600)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@workspace_view
def goal_list(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    status = request.GET.get("status", "")
    status = status if status in GoalStatus.values else ""
    owner_id, team_id = _int(request.GET.get("owner")), _int(request.GET.get("team"))
    rows = [
        selectors.shown(g)
        for g in selectors.goals(a, status=status or None, owner_id=owner_id, team_id=team_id)
    ]
    return render(
        request,
        "strategy/goal_list.html",
        {
            "rows": rows,
            "statuses": GoalStatus.choices,
            "picked": {"status": status, "owner": owner_id, "team": team_id},
            "members": _members(a),
            "teams": Team.objects.for_workspace(a.workspace),
            "can_manage": can(a, "strategy.manage"),
        },
    )


def _members(a: Any) -> list[tuple[int, str]]:
    rows = Membership.objects.for_workspace(a.workspace).select_related("user").order_by("pk")
    return [(m.user_id, m.user.full_name or m.user.email) for m in rows]


def kpi_link(goal: Goal, today: date) -> str:
    """The goal's KPI on its insights page, cut as the goal cuts it, over the goal's days."""
    params: dict[str, Any] = {
        "from": goal.starts_on.isoformat(),
        "to": min(max(today, goal.starts_on), goal.deadline).isoformat(),
    }
    for key, value in (
        ("owner_id", goal.filter_owner_id),
        ("team_id", goal.filter_team_id),
        ("pipeline_id", goal.filter_pipeline_id),
        ("source", goal.filter_source),
        ("lifecycle_stage", goal.filter_lifecycle_stage),
        ("currency", goal.currency),
    ):
        if value:
            params[key] = value
    if goal.segment:
        params |= {"filter": json.dumps(goal.segment), "segment_object": goal.segment_object}
    return f"{reverse('insights:kpi', args=[goal.kpi_key])}?{urlencode(params)}"


@workspace_view
def goal_detail(request: HttpRequest, goal_id: int) -> HttpResponse:
    a = actor(request)
    goal = selectors.get_goal(a, goal_id)
    s = selectors.shown(goal)
    rows = selectors.readings(goal)
    return render(
        request,
        "strategy/goal_detail.html",
        {
            "s": s,
            "goal": goal,
            "quotas": [selectors.shown(q) for q in selectors.quotas(a, goal)],
            "readings": [(r, wording.shown(s.kpi, r.value, goal.currency)) for r in rows],
            "chart": selectors.chart(goal, rows),
            "rule": status_rule(s.shape),
            "progress_rule": progress_rule(s.shape),
            "kpi_link": kpi_link(goal, workspace_today(a)),
            "can_manage": can(a, "strategy.manage"),
        },
    )


@workspace_view
@require_POST
def goal_measure(request: HttpRequest, goal_id: int) -> HttpResponse:
    services.measure_now(actor=actor(request), goal_id=goal_id)
    messages.success(request, _("Goal measured."))
    return redirect("strategy:goal", goal_id)


@workspace_view
@require_POST
def goal_delete(request: HttpRequest, goal_id: int) -> HttpResponse:
    services.delete_goal(actor=actor(request), goal_id=goal_id)
    messages.success(request, _("Goal deleted."))
    return redirect("strategy:goals")


def _scale(goal_kpi: str) -> Decimal:
    """What the form's target is multiplied by: percent → share, hours → seconds."""
    kpi = get(goal_kpi)
    if kpi is not None and kpi.unit is Unit.PERCENT:
        return Decimal("0.01")
    if kpi is not None and kpi.unit is Unit.DURATION:
        return HOUR
    return Decimal(1)


def _posted(request: HttpRequest) -> tuple[dict[str, Any], dict[str, list[str]]]:
    data: dict[str, Any] = {f: request.POST.get(f, "").strip() for f in TEXT_FIELDS}
    errors: dict[str, list[str]] = {}
    raw_target = request.POST.get("target", "").strip().replace(",", ".")
    try:
        data["target"] = str(Decimal(raw_target) * _scale(data["kpi_key"])) if raw_target else ""
    except InvalidOperation:
        data["target"] = raw_target
    raw = request.POST.get("segment", "").strip()
    try:
        data["segment"] = json.loads(raw) if raw else None
    except ValueError as exc:
        errors["segment"] = [_("The segment is not valid JSON: %(why)s") % {"why": exc}]
    return data, errors


def _form_of(goal: Goal | None) -> dict[str, Any]:
    if goal is None:
        return {"measure": GoalMeasure.CUMULATIVE, "window_days": 90, "segment_object": "person"}
    form = {f: getattr(goal, f) for f in TEXT_FIELDS}
    form["segment"] = json.dumps(goal.segment) if goal.segment else ""
    form["target"] = (goal.target / _scale(goal.kpi_key)).normalize()
    return {k: ("" if v is None else v) for k, v in form.items()}


def _form_context(a: Any, goal: Goal | None, form: dict, errors: dict) -> dict[str, Any]:
    parents = selectors.goals(a).filter(parent__isnull=True)
    if goal is not None:
        parents = parents.exclude(pk=goal.pk)
    return {
        "goal": goal,
        "form": form,
        "errors": errors,
        "kpis": all_kpis(),
        "measures": GoalMeasure.choices,
        "members": _members(a),
        "teams": Team.objects.for_workspace(a.workspace),
        "pipelines": Pipeline.objects.for_workspace(a.workspace).filter(archived_at__isnull=True),
        "stages": LifecycleStage.objects.for_workspace(a.workspace).order_by("position"),
        "tactics": Tactic.objects.for_workspace(a.workspace).select_related("strategy"),
        "parents": parents,
    }


def _form(request: HttpRequest, goal: Goal | None) -> HttpResponse:
    a = actor(request)
    if request.method == "POST":
        data, errors = _posted(request)
        if not errors:
            try:
                if goal is None:
                    saved = services.create_goal(actor=a, data=data)
                else:
                    saved = services.update_goal(actor=a, goal_id=goal.pk, data=data)
            except ServiceError as exc:
                errors = {k.split(".")[0]: v for k, v in field_errors(exc).items()}
            else:
                messages.success(request, _("Goal saved."))
                return redirect("strategy:goal", saved.pk)
        form = dict(request.POST.items())
        return render(
            request, "strategy/goal_form.html", _form_context(a, goal, form, errors), status=422
        )
    return render(request, "strategy/goal_form.html", _form_context(a, goal, _form_of(goal), {}))


@workspace_view
def goal_create(request: HttpRequest) -> HttpResponse:
    require(actor(request), "strategy.manage")
    return _form(request, None)


@workspace_view
def goal_edit(request: HttpRequest, goal_id: int) -> HttpResponse:
    a = actor(request)
    require(a, "strategy.manage")
    return _form(request, selectors.get_goal(a, goal_id))
