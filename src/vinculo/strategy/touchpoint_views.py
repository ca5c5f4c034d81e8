"""Screens of the touchpoint map: the grid (lifecycle stages in their order by departments, each
cell listing its channels with owner, policy in words and watching KPI), an add form (opened
from a cell with its stage and department chosen), an edit form, removal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts.models import LifecycleStage
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.tenancy import Membership, Team
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.strategy import touchpoint_selectors as selectors
from vinculo.strategy import touchpoint_services as services
from vinculo.strategy.models import Function, PolicyKind, PolicyUnit, Touchpoint, TouchpointChannel
from vinculo.strategy.touchpoint_policy import policy_words

FORM_FIELDS = (
    "lifecycle_stage",
    "department",
    "channel",
    "owner_id",
    "team_id",
    "policy_kind",
    "policy_amount",
    "policy_unit",
    "policy_note",
    "kpi_key",
)


def _context(request: HttpRequest, form: dict, errors: dict) -> dict[str, Any]:
    a = actor(request)
    ws = a.workspace
    members = (
        Membership.objects.for_workspace(ws)
        .filter(is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    return {
        "form": form,
        "errors": errors,
        "stages": list(LifecycleStage.objects.for_workspace(ws).order_by("position", "pk")),
        "departments": Function.choices,
        "channels": TouchpointChannel.choices,
        "policy_kinds": PolicyKind.choices,
        "policy_units": PolicyUnit.choices,
        "owners": [m.user for m in members],
        "teams": list(Team.objects.for_workspace(ws).order_by("name")),
        "kpi_choices": selectors.kpi_choices(),
        "can_change": can(a, "strategy.manage"),
    }


def _save(request: HttpRequest, touchpoint: Touchpoint | None) -> tuple[dict, dict] | None:
    """Create or change the posted cell; None when saved, else (form values, errors)."""
    data: dict[str, Any] = {f: request.POST.get(f, "").strip() for f in FORM_FIELDS}
    try:
        if touchpoint is None:
            services.create_touchpoint(actor=actor(request), data=data)
        else:
            services.update_touchpoint(actor=actor(request), touchpoint_id=touchpoint.pk, data=data)
    except ServiceError as exc:
        return data, field_errors(exc)
    messages.success(request, _("Touchpoint saved."))
    return None


def _cell(t: Touchpoint) -> dict[str, Any]:
    return {
        "touchpoint": t,
        "policy": policy_words(t.policy_kind, t.policy_amount, t.policy_unit),
        "kpi_name": selectors.kpi_name(t.kpi_key),
    }


@workspace_view
def touchpoint_map(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    form: dict[str, Any] = {
        "lifecycle_stage": request.GET.get("stage", ""),
        "department": request.GET.get("department", ""),
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        outcome = _save(request, None)
        if outcome is None:
            return redirect("strategy:touchpoints")
        (form, errors), status = outcome, 422
    departments, rows = selectors.touchpoint_map(a)
    grid = [
        {
            "row": row,
            "cells": [
                {"department": departments[i][0], "entries": [_cell(t) for t in cell]}
                for i, cell in enumerate(row.cells)
            ],
        }
        for row in rows
    ]
    context = _context(request, form, errors) | {"grid": grid, "columns": departments}
    return render(request, "strategy/touchpoints.html", context, status=status)


@workspace_view
def touchpoint_edit(request: HttpRequest, touchpoint_id: int) -> HttpResponse:
    touchpoint = selectors.get_touchpoint(actor(request), touchpoint_id)
    form: dict[str, Any] = {f: getattr(touchpoint, f) for f in FORM_FIELDS}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        outcome = _save(request, touchpoint)
        if outcome is None:
            return redirect("strategy:touchpoints")
        (form, errors), status = outcome, 422
    context = _context(request, form, errors) | {"touchpoint": touchpoint}
    return render(request, "strategy/touchpoint_edit.html", context, status=status)


@workspace_view
@require_POST
def touchpoint_delete(request: HttpRequest, touchpoint_id: int) -> HttpResponse:
    services.delete_touchpoint(actor=actor(request), touchpoint_id=touchpoint_id)
    messages.success(request, _("Touchpoint removed."))
    return redirect("strategy:touchpoints")
