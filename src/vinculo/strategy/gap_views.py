"""Screens of customer-experience gaps: the list (by status), a gap's page (the observation, its
evidence measured now, the chain of whys ending at the root cause, the tactics and goals that
close it with their status), the add and edit forms (whys added and removed one by one, without
script) and removal."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can, require
from vinculo.core.tenancy import Membership
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.strategy import gap_selectors as selectors
from vinculo.strategy import gap_services as services
from vinculo.strategy.models import Gap, GapStatus
from vinculo.strategy.touchpoint_selectors import kpi_choices

TEXT_FIELDS = (
    "title",
    "observed",
    "evidence_kpi",
    "evidence_view_id",
    "evidence_note",
    "root_cause",
    "status",
    "owner_id",
)


def _gap_form(gap: Gap | None) -> dict[str, Any]:
    if gap is None:
        return {
            "status": GapStatus.OPEN,
            "whys": [""],
            "tactic_ids": [],
            "goal_ids": [],
            "evidence_segment": "",
        }
    form: dict[str, Any] = {f: getattr(gap, f) for f in TEXT_FIELDS}
    form["whys"] = list(gap.whys) or [""]
    form["evidence_segment"] = (
        json.dumps(gap.evidence_segment, ensure_ascii=False) if gap.evidence_segment else ""
    )
    form["tactic_ids"] = list(gap.tactics.values_list("pk", flat=True))
    form["goal_ids"] = list(gap.goals.values_list("pk", flat=True))
    return form


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _posted(request: HttpRequest) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[str]]]:
    """The form as posted (to show again), the service's input, and an error when the segment
    is not JSON."""
    form: dict[str, Any] = {f: request.POST.get(f, "").strip() for f in TEXT_FIELDS}
    form["whys"] = [w.strip() for w in request.POST.getlist("whys")]
    form["evidence_segment"] = request.POST.get("evidence_segment", "").strip()
    form["tactic_ids"] = _ids(request.POST.getlist("tactic_ids"))
    form["goal_ids"] = _ids(request.POST.getlist("goal_ids"))
    data = dict(form) | {"whys": [w for w in form["whys"] if w]}
    errors: dict[str, list[str]] = {}
    try:
        raw = form["evidence_segment"]
        data["evidence_segment"] = json.loads(raw) if raw else None
    except ValueError as exc:
        data["evidence_segment"] = None
        errors["evidence_segment"] = [_("The segment is not valid JSON: %(why)s") % {"why": exc}]
    return form, data, errors


def _folded(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors of nested fields (``evidence_segment.and.0.op``, ``whys.2``) on their field."""
    folded: dict[str, list[str]] = {}
    for field, msgs in errors.items():
        folded.setdefault(field.split(".")[0], []).extend(msgs)
    return folded


def _context(request: HttpRequest, form: dict, errors: dict) -> dict[str, Any]:
    a = actor(request)
    members = (
        Membership.objects.for_workspace(a.workspace)
        .filter(is_active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__email")
    )
    return {
        "form": form,
        "errors": errors,
        "statuses": GapStatus.choices,
        "owners": [m.user for m in members],
        "kpi_choices": kpi_choices(),
        "views": list(selectors.visible_views(a)),
        "tactics": list(selectors.tactic_choices(a)),
        "goals": list(selectors.goal_choices(a)),
        "can_change": can(a, "strategy.manage"),
        "max_whys": services.MAX_WHYS,
    }


def _form_page(request: HttpRequest, gap: Gap | None) -> HttpResponse:
    """The add or edit form; a post saves (then the gap's page), or adds or removes a why and
    shows the form again."""
    form, status = _gap_form(gap), 200
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        require(actor(request), "strategy.manage")
        form, data, errors = _posted(request)
        action = request.POST.get("action", "save")
        if action == "add_why":
            form["whys"] = [*form["whys"], ""][: services.MAX_WHYS]
        elif action.startswith("remove_why:") and action[11:].isdigit():
            index = int(action[11:])
            form["whys"] = [w for i, w in enumerate(form["whys"]) if i != index] or [""]
        elif not errors:
            try:
                if gap is None:
                    gap = services.create_gap(actor=actor(request), data=data)
                else:
                    services.update_gap(actor=actor(request), gap_id=gap.pk, data=data)
            except ServiceError as exc:
                errors = _folded(field_errors(exc))
            else:
                messages.success(request, _("Gap saved."))
                return redirect("strategy:gap", gap_id=gap.pk)
        status = 422 if errors else 200
    context = _context(request, form, errors) | {"gap": gap}
    return render(request, "strategy/gap_form.html", context, status=status)


@workspace_view
def gap_list(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    status = request.GET.get("status", "")
    if status not in GapStatus.values:
        status = ""
    rows = list(selectors.gaps(a, status=status or None).prefetch_related("tactics", "goals"))
    counts = selectors.status_counts(a)
    context = {
        "rows": rows,
        "status": status,
        "statuses": [(value, label, counts.get(value, 0)) for value, label in GapStatus.choices],
        "total": sum(counts.values()),
        "can_change": can(a, "strategy.manage"),
    }
    return render(request, "strategy/gaps.html", context)


@workspace_view
def gap_new(request: HttpRequest) -> HttpResponse:
    return _form_page(request, None)


@workspace_view
def gap_detail(request: HttpRequest, gap_id: int) -> HttpResponse:
    a = actor(request)
    gap = selectors.get_gap(a, gap_id)
    context = {
        "gap": gap,
        "evidence": selectors.evidence(a, gap),
        "tactics": list(gap.tactics.order_by("title", "pk")),
        "goals": list(gap.goals.order_by("title", "pk")),
        "can_change": can(a, "strategy.manage"),
    }
    return render(request, "strategy/gap.html", context)


@workspace_view
def gap_edit(request: HttpRequest, gap_id: int) -> HttpResponse:
    return _form_page(request, selectors.get_gap(actor(request), gap_id))


@workspace_view
@require_POST
def gap_delete(request: HttpRequest, gap_id: int) -> HttpResponse:
    services.delete_gap(actor=actor(request), gap_id=gap_id)
    messages.success(request, _("Gap removed."))
    return redirect("strategy:gaps")
