"""Screens of the CRM plan: the plan page (objectives with their value, strategies by function,
tactics with their budget bars and goals, the orphans, the budget by function as a chart), the
forms to add and change each item (inline with htmx, a page without it), spend and versions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, is_htmx, workspace_view
from vinculo.strategy.models import Function, GoalStatus, ObjectiveKind, Plan, TacticStatus
from vinculo.strategy.plan import calculator, selectors, services, spend, versions
from vinculo.strategy.plan.forms import FIELDS, PLAN_FIELDS, SPEND_FIELDS, choices
from vinculo.strategy.plan.versions import kind_label
from vinculo.strategy.starters.catalogue import STARTERS

KINDS: dict[str, tuple[Any, Any, Any]] = {
    "objective": (selectors.get_objective, services.create_objective, services.update_objective),
    "strategy": (selectors.get_strategy, services.create_strategy, services.update_strategy),
    "tactic": (selectors.get_tactic, services.create_tactic, services.update_tactic),
}
DELETE: dict[str, Any] = {
    "objective": services.delete_objective,
    "strategy": services.delete_strategy,
    "tactic": services.delete_tactic,
}
PARENT = {"strategy": "objective_id", "tactic": "strategy_id"}
REORDER_KIND = {"objective": "objectives", "strategy": "strategies", "tactic": "tactics"}
BADGE = {
    GoalStatus.ON_TRACK: "ok",
    GoalStatus.ACHIEVED: "ok",
    GoalStatus.AT_RISK: "warn",
    GoalStatus.OFF_TRACK: "danger",
    GoalStatus.MISSED: "danger",
}


def _charts(tree: selectors.PlanTree) -> list[dict[str, Any]]:
    """One bar chart per currency of the plan: planned and spent per function."""
    currencies = sorted({c for b in tree.by_function.values() for c in b.money})
    labels = [str(label) for _value, label in Function.choices]
    charts = []
    for currency in currencies:
        rows = [tree.by_function[f].money.get(currency) for f in Function.values]
        charts.append(
            {
                "id": f"plan-budget-{currency}",
                "currency": currency,
                "spec": {
                    "kind": "bar",
                    "unit": "money",
                    "currency": currency,
                    "labels": labels,
                    "series": [
                        {"name": _("Planned"), "values": [float(r[0]) if r else 0 for r in rows]},
                        {"name": _("Spent"), "values": [float(r[1]) if r else 0 for r in rows]},
                    ],
                },
            }
        )
    return charts


@workspace_view
def plan_page(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    tree = selectors.plan_tree(a)
    objectives = [
        {
            "node": node,
            "groups": [
                (label, found)
                for value, label in Function.choices
                if (found := [s for s in node.strategies if s.strategy.function == value])
            ],
        }
        for node in tree.objectives
    ]
    context = {
        "tree": tree,
        "plan": tree.plan,
        "plan_title": selectors.plan_title(tree.plan),
        "objectives": objectives,
        "charts": _charts(tree),
        "badges": BADGE,
        "can_manage": can(a, "strategy.manage"),
        "starters": STARTERS,
    }
    return render(request, "strategy/plan.html", context)


def _posted(request: HttpRequest, inputs: list) -> dict[str, Any]:
    data = {i.name: request.POST.get(i.name, "").strip() for i in inputs}
    if "customer_value_source" in request.POST:
        data["customer_value_source"] = request.POST.get("customer_value_source", "")
    return data


def _form_page(
    request: HttpRequest,
    kind: str,
    form: dict[str, Any],
    errors: dict[str, list[str]],
    item: Any = None,
    status: int = 200,
) -> HttpResponse:
    a = actor(request)
    context = {
        "kind": kind,
        "kind_label": kind_label(kind),
        "inputs": FIELDS[kind],
        "form": form,
        "errors": errors,
        "item": item,
        "options": choices(a, kind),
    }
    template = "strategy/plan_form_fields.html" if is_htmx(request) else "strategy/plan_form.html"
    return render(request, template, context, status=status)


def _initial(kind: str, item: Any) -> dict[str, Any]:
    if item is None:
        return {}
    form = {i.name: getattr(item, i.name) for i in FIELDS[kind]}
    if kind == "objective":
        form["customer_value_source"] = item.customer_value_source
    return {k: "" if v is None else v for k, v in form.items()}


@workspace_view
def item_new(request: HttpRequest, kind: str) -> HttpResponse:
    a = actor(request)
    _get, create, _update = KINDS[kind]
    if request.method == "POST":
        data = _posted(request, FIELDS[kind])
        try:
            create(actor=a, data=data)
        except ServiceError as exc:
            return _form_page(request, kind, data, field_errors(exc), status=422)
        messages.success(request, _("Saved."))
        return redirect("strategy:plan")
    form: dict[str, Any] = {"kind": "other", "status": "planned"}
    if kind in PARENT:
        form[PARENT[kind]] = request.GET.get("parent", "")
    if kind == "strategy":
        form["function"] = request.GET.get("function", "")
    return _form_page(request, kind, form, {})


@workspace_view
def item_edit(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    a = actor(request)
    item_id = ids[f"{kind}_id"]
    get, _create, update = KINDS[kind]
    item = get(a, item_id)
    if request.method == "POST":
        data = _posted(request, FIELDS[kind])
        try:
            update(actor=a, data=data, **{f"{kind}_id": item_id})
        except ServiceError as exc:
            return _form_page(request, kind, data, field_errors(exc), item, status=422)
        messages.success(request, _("Saved."))
        return redirect("strategy:plan")
    return _form_page(request, kind, _initial(kind, item), {}, item)


@workspace_view
@require_POST
def item_move(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    """Move an item one place up (``direction=up``) or down among its siblings."""
    a = actor(request)
    get = KINDS[kind][0]
    item = get(a, ids[f"{kind}_id"])
    parent = services.PARENT[REORDER_KIND[kind]]
    siblings = list(
        type(item)
        .objects.for_workspace(a.workspace)
        .filter(**{parent: getattr(item, parent)})
        .values_list("pk", flat=True)
    )
    at = siblings.index(item.pk)
    to = at - 1 if request.POST.get("direction") == "up" else at + 1
    if 0 <= to < len(siblings):
        siblings[at], siblings[to] = siblings[to], siblings[at]
        services.reorder(actor=a, kind=REORDER_KIND[kind], ids=siblings)
    return redirect(f"{reverse('strategy:plan')}#{kind}-{item.pk}")


@workspace_view
@require_POST
def item_delete(request: HttpRequest, kind: str, **ids: int) -> HttpResponse:
    DELETE[kind](actor=actor(request), **{f"{kind}_id": ids[f"{kind}_id"]})
    messages.success(request, _("Deleted."))
    return redirect("strategy:plan")


@workspace_view
def plan_edit(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    plan = selectors.plan_or_draft(a)
    errors: dict[str, list[str]] = {}
    form: dict[str, Any] = {i.name: getattr(plan, i.name) or "" for i in PLAN_FIELDS}
    status = 200
    if request.method == "POST":
        form = _posted(request, PLAN_FIELDS)
        try:
            services.update_plan(actor=a, data=form)
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Saved."))
            return redirect("strategy:plan")
    context = {
        "inputs": PLAN_FIELDS,
        "form": form,
        "errors": errors,
        "options": {},
        "default_title": selectors.plan_title(Plan(workspace=a.workspace, title="")),
    }
    return render(request, "strategy/plan_edit.html", context, status=status)


@workspace_view
def tactic_spend(request: HttpRequest, tactic_id: int) -> HttpResponse:
    a = actor(request)
    tactic = selectors.get_tactic(a, tactic_id)
    errors: dict[str, list[str]] = {}
    form: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = _posted(request, SPEND_FIELDS)
        try:
            spend.add_spend(actor=a, tactic_id=tactic_id, data=form)
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Spend recorded."))
            return redirect("strategy:plan_spend", tactic_id=tactic_id)
    entries = list(selectors.spend_of(a, tactic_id).select_related("created_by"))
    budget = selectors.Budget(hours_planned=tactic.budget_hours or selectors.ZERO)
    if tactic.budget_amount is not None and tactic.budget_currency:
        budget.money[tactic.budget_currency] = [tactic.budget_amount, selectors.ZERO]
    for entry in entries:
        if entry.amount is not None and entry.currency:
            budget.money.setdefault(entry.currency, [selectors.ZERO, selectors.ZERO])[1] += (
                entry.amount
            )
        budget.hours_spent += entry.hours or selectors.ZERO
    context = {
        "tactic": tactic,
        "entries": entries,
        "budget": budget,
        "inputs": SPEND_FIELDS,
        "form": form,
        "errors": errors,
        "options": {},
        "can_manage": can(a, "strategy.manage"),
    }
    return render(request, "strategy/plan_spend.html", context, status=status)


@workspace_view
@require_POST
def spend_delete(request: HttpRequest, tactic_id: int, tactic_spend_id: int) -> HttpResponse:
    spend.delete_spend(actor=actor(request), tactic_id=tactic_id, spend_id=tactic_spend_id)
    messages.success(request, _("Deleted."))
    return redirect("strategy:plan_spend", tactic_id=tactic_id)


def _number(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) < 2**31 else None


FIELD_LABELS: dict[str, Any] = {
    "position": _lazy("Order"),
    "customer_value_source": _lazy("Source of the customer value"),
    "target_value": _lazy("Value"),
    "current": _lazy("Current value"),
    "target": _lazy("Target"),
    "deadline": _lazy("Deadline"),
    "kpi_key": _lazy("KPI"),
    "tactic_id": _lazy("Tactic"),
} | {i.name: i.label for inputs in FIELDS.values() for i in inputs}


def _worded(kind: str, field: str, *values: Any) -> list[Any]:
    """A changed field's values as the reader reads them: a choice by its label."""
    choices: Any = {
        "kind": ObjectiveKind,
        "function": Function,
        "status": GoalStatus if kind == "goal" else TacticStatus,
    }.get(field)
    if choices is None:
        return list(values)
    return [choices(v).label if v in choices.values else v for v in values]


@workspace_view
def versions_page(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        try:
            found = versions.save_version(actor=a, note=request.POST.get("note", ""))
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Version %(number)s saved.") % {"number": found.number})
            return redirect("strategy:plan_versions")
    listed = list(selectors.versions(a).select_related("created_by"))
    old, new = _number(request.GET.get("from")), _number(request.GET.get("to"))
    if old is None and listed:
        old = listed[0].number  # the latest version against the plan as it is
    changes = None
    if old is not None:
        changes = versions.compare(a, old, new)
        for key in ("added", "removed", "changed"):
            for row in changes[key]:
                row["kind_label"] = kind_label(row["kind"])
                for f in row.get("fields", []):
                    f["old"], f["new"] = _worded(row["kind"], f["field"], f["old"], f["new"])
                    f["label"] = FIELD_LABELS.get(f["field"], f["field"])
    context = {
        "versions": listed,
        "changes": changes,
        "old": old,
        "new": new,
        "errors": errors,
        "note": request.POST.get("note", ""),
        "can_manage": can(a, "strategy.manage"),
    }
    return render(request, "strategy/plan_versions.html", context, status=status)


@workspace_view
def calculator_fragment(request: HttpRequest) -> HttpResponse:
    """The customer value input filled from the KPIs (``use``: the candidate picked, else the
    one suggested), with both candidates and their values shown."""
    a = actor(request)
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] | None = None
    value: Any = None
    source: str = ""
    currency = request.GET.get("currency") or request.GET.get("budget_currency") or None
    try:
        found = calculator.customer_value(a, currency)
    except ServiceError as exc:
        errors = {"customer_value": [m for ms in field_errors(exc).values() for m in ms]}
    if found is not None:
        values = {o["key"]: o["value"] for o in found["options"]}
        picked = request.GET.get("use")
        source = picked if picked and values.get(picked) else str(found["used"] or "")
        value = values.get(source)
    context = {"found": found, "value": value, "source": source, "errors": errors}
    return render(request, "strategy/plan_calculator.html", context)
