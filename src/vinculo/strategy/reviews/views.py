"""Screens of the plan's reviews (/strategy/reviews/): the list with the next scheduled one, and
a review's page: its frozen goals, KPIs and budgets (charts and tables), what moved since the
previous review, the findings, the decisions (each a task) and the documents."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can, require
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.strategy.documents import (
    XLSX,
    kpi_name,
    kpi_value,
    review_pdf,
    review_xlsx,
    status_label,
)
from vinculo.strategy.models import Function, GoalStatus, Review
from vinculo.strategy.plan.selectors import plan_of
from vinculo.strategy.plan.services import ensure_plan
from vinculo.strategy.reviews import selectors, services


@workspace_view
def review_list(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    require(a, "insights.view")
    errors: dict[str, list[str]] = {}
    form: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in ("held_on", "title")}
        try:
            data = {k: v for k, v in form.items() if v or k == "held_on"}
            review = services.create_review(a, ensure_plan(a), data)
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Review scheduled."))
            return redirect("strategy:review", review_id=review.pk)
    plan = plan_of(a)  # reads never write: the plan is made by a change
    context = {
        "reviews": list(selectors.reviews_of(a)),
        "plan": plan,
        "form": form,
        "errors": errors,
        "can_manage": can(a, "strategy.manage"),
    }
    return render(request, "strategy/reviews.html", context, status=status)


def _date(iso: str | None) -> date | None:
    return date.fromisoformat(iso[:10]) if iso else None


def _goal_rows(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "id": g["id"],
            "title": g["title"],
            "kpi": kpi_name(g["kpi"]),
            "kpi_key": g["kpi"],
            "baseline": kpi_value(g["kpi"], g.get("baseline"), g.get("currency", "")),
            "current": kpi_value(g["kpi"], g.get("current"), g.get("currency", "")),
            "target": kpi_value(g["kpi"], g.get("target"), g.get("currency", "")),
            "forecast": kpi_value(g["kpi"], g.get("forecast"), g.get("currency", "")),
            "status": g.get("status", ""),
            "status_label": status_label(g.get("status", "")),
            "deadline": _date(g.get("deadline")),
            "owner": g.get("owner", ""),
        }
        for g in snapshot.get("goals", [])
    ]


def _charts(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The page's chart specs (web/charts.js): goals by status; budget by function."""
    counts = Counter(g.get("status", "") for g in snapshot.get("goals", []))
    statuses = [s for s in GoalStatus.values if counts.get(s)]
    budgets = snapshot.get("budgets", [])
    currencies = Counter(b["currency"] for b in budgets if b.get("currency"))
    main = currencies.most_common(1)[0][0] if currencies else ""
    planned: dict[str, Decimal] = defaultdict(Decimal)
    spent: dict[str, Decimal] = defaultdict(Decimal)
    for b in budgets:
        if b.get("currency") != main:
            continue
        planned[b["function"]] += Decimal(b.get("planned") or 0)
        spent[b["function"]] += Decimal((b.get("spent") or {}).get(main) or 0)
    functions = [f for f in Function.values if planned.get(f) or spent.get(f)]
    return {
        "status": {
            "kind": "bar",
            "unit": "count",
            "labels": [status_label(s) for s in statuses],
            "series": [{"name": _("Goals"), "values": [counts[s] for s in statuses]}],
        },
        "budget": {
            "kind": "bar",
            "unit": "money",
            "currency": main or "BRL",
            "labels": [str(Function(f).label) for f in functions],
            "series": [
                {"name": _("Planned"), "values": [float(planned[f]) for f in functions]},
                {"name": _("Spent"), "values": [float(spent[f]) for f in functions]},
            ],
        }
        if functions
        else None,
    }


def _page(
    request: HttpRequest, review: Review, errors: dict, form: dict, status: int = 200
) -> HttpResponse:
    a = actor(request)
    snap = review.snapshot or {}
    comparison = selectors.compare(review)
    goals = _goal_rows(snap)
    by_id = {g["id"]: g for g in snap.get("goals", [])}
    moved = [
        {
            "label": c.label,
            "then": status_label(c.status_then) if c.status_then else "—",
            "now": status_label(c.status_now),
            "value_then": kpi_value(by_id[c.key]["kpi"], c.then, by_id[c.key].get("currency", "")),
            "value_now": kpi_value(by_id[c.key]["kpi"], c.now, by_id[c.key].get("currency", "")),
            "changed": c.status_then != c.status_now,
        }
        for c in comparison.goals
    ]
    kpis = [
        {
            "key": k["key"],
            "name": kpi_name(k["key"]),
            "value": kpi_value(k["key"], k.get("value"), k.get("currency", "")),
            "previous": kpi_value(k["key"], k.get("previous"), k.get("currency", "")),
        }
        for k in snap.get("kpis", [])
    ]
    context = {
        "review": review,
        "snapshot": snap,
        "period_start": _date(snap.get("start")),
        "period_end": _date(snap.get("end")),
        "goals": goals,
        "kpis": kpis,
        "budgets": snap.get("budgets", []),
        "moved": moved,
        "previous": comparison.previous,
        "decisions": list(selectors.decisions_of(review)),
        "members": selectors.members_of(a),
        "chart_data": _charts(snap),
        "errors": errors,
        "form": form,
        "can_manage": can(a, "strategy.manage"),
    }
    return render(request, "strategy/review.html", context, status=status)


@workspace_view
def review_page(request: HttpRequest, review_id: int) -> HttpResponse:
    a = actor(request)
    require(a, "insights.view")
    return _page(request, selectors.review_of(a, review_id), {}, {})


def _act(request: HttpRequest, review_id: int, action: Any, done: str) -> HttpResponse:
    a = actor(request)
    review = selectors.review_of(a, review_id)
    form = {k: str(v).strip() for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        action(a, review.pk, form)
    except ServiceError as exc:
        return _page(request, review, field_errors(exc), form, status=422)
    messages.success(request, done)
    return redirect("strategy:review", review_id=review.pk)


@workspace_view
@require_POST
def review_update(request: HttpRequest, review_id: int) -> HttpResponse:
    return _act(request, review_id, services.update_review, _("Review saved."))


@workspace_view
@require_POST
def review_freeze(request: HttpRequest, review_id: int) -> HttpResponse:
    return _act(request, review_id, lambda a, pk, _f: services.freeze(a, pk), _("Figures frozen."))


@workspace_view
@require_POST
def review_hold(request: HttpRequest, review_id: int) -> HttpResponse:
    return _act(
        request,
        review_id,
        lambda a, pk, _f: services.hold(a, pk),
        _("Review held; the next one is scheduled."),
    )


@workspace_view
@require_POST
def decision_add(request: HttpRequest, review_id: int) -> HttpResponse:
    return _act(request, review_id, services.add_decision, _("Decision recorded and made a task."))


@workspace_view
@require_POST
def decision_delete(request: HttpRequest, review_id: int, decision_id: int) -> HttpResponse:
    a = actor(request)
    selectors.review_of(a, review_id)
    services.delete_decision(a, decision_id, review_id=review_id)
    messages.success(request, _("Decision removed; its task stays."))
    return redirect("strategy:review", review_id=review_id)


@workspace_view
def review_document(request: HttpRequest, review_id: int, fmt: str) -> HttpResponse:
    a = actor(request)
    require(a, "insights.view")
    review = selectors.review_of(a, review_id)
    if fmt == "xlsx":
        response = HttpResponse(review_xlsx(review), content_type=XLSX)
    else:
        response = HttpResponse(review_pdf(review), content_type="application/pdf")
    name = f"review-{review.held_on.isoformat()}.{'xlsx' if fmt == 'xlsx' else 'pdf'}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
