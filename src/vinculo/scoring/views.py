"""Screens of lead scoring: the rules (add, edit, delete, the top people they give) and the
predictive model (status, outcomes against the minimum, holdout AUC, calibration chart, feature
weights, retrain)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can, require
from vinculo.core.settings_pages import page as settings_page
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.events.models import StandardEventName
from vinculo.scoring import selectors
from vinculo.scoring.models import RuleKind, ScoringRule
from vinculo.scoring.services import rules as rule_services
from vinculo.scoring.services.recompute import recompute_scores
from vinculo.scoring.services.training import train

SECTION = "scoring"
FORM_FIELDS = (
    "name",
    "kind",
    "points",
    "event_name",
    "property_key",
    "property_contains",
    "window_days",
    "half_life_days",
    "cap",
)


def _posted_rule(request: HttpRequest) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The rule's input from the form, and an error when the condition is not JSON."""
    data: dict[str, Any] = {f: request.POST.get(f, "").strip() for f in FORM_FIELDS}
    data["is_active"] = request.POST.get("is_active") == "on"
    raw = request.POST.get("condition", "").strip()
    errors: dict[str, list[str]] = {}
    try:
        data["condition"] = json.loads(raw) if raw else None
    except ValueError as exc:
        errors["condition"] = [_("The condition is not valid JSON: %(why)s") % {"why": exc}]
    return data, errors


def _folded(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors of the condition's nodes (``condition.and.0.op``) shown on the condition."""
    folded: dict[str, list[str]] = {}
    for field, msgs in errors.items():
        folded.setdefault(field.split(".")[0], []).extend(msgs)
    return folded


def _save(request: HttpRequest, rule: ScoringRule | None) -> tuple[dict, dict, int] | None:
    """Create or change the posted rule; None when saved, else (form values, errors, status)."""
    a = actor(request)
    data, errors = _posted_rule(request)
    if not errors:
        try:
            if rule is None:
                rule_services.create_rule(actor=a, data=data)
            else:
                rule_services.update_rule(actor=a, rule_id=rule.pk, data=data)
        except ServiceError as exc:
            errors = _folded(field_errors(exc))
        else:
            messages.success(request, _("Rule saved. Recompute the scores to apply it."))
            return None
    form = dict(data) | {"condition": request.POST.get("condition", "")}
    return form, errors, 422


def _rule_form(rule: ScoringRule | None) -> dict[str, Any]:
    if rule is None:
        return {"kind": RuleKind.BEHAVIOUR, "is_active": True}
    form: dict[str, Any] = {f: getattr(rule, f) for f in FORM_FIELDS}
    form["is_active"] = rule.is_active
    form["condition"] = json.dumps(rule.condition, ensure_ascii=False) if rule.condition else ""
    for key in ("window_days", "half_life_days", "cap"):
        form[key] = "" if form[key] is None else form[key]
    return form


def _context(request: HttpRequest, form: dict, errors: dict) -> dict[str, Any]:
    a = actor(request)
    return {
        "form": form,
        "errors": errors,
        "kinds": RuleKind.choices,
        "event_names": StandardEventName.choices,
        "can_change": can(a, "settings.manage"),
        "can_recompute": can(a, "records.write"),
    }


@workspace_view
def rules_page(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    errors: dict[str, list[str]] = {}
    form, status = _rule_form(None), 200
    if request.method == "POST":
        outcome = _save(request, None)
        if outcome is None:
            return redirect("scoring:rules")
        form, errors, status = outcome
    top = [
        {"score": s, "reasons": selectors.worded(s.reasons)}
        for s in selectors.top_people(a, by="rule_score")
    ]
    context = _context(request, form, errors) | {
        "rules": list(selectors.rules(a)),
        "top": top,
        "model": selectors.model_summary(a),
    }
    return settings_page(request, "scoring/rules.html", SECTION, context, status=status)


@workspace_view
def rule_edit(request: HttpRequest, scoring_rule_id: int) -> HttpResponse:
    a = actor(request)
    rule = selectors.get_rule(a, scoring_rule_id)
    errors: dict[str, list[str]] = {}
    form, status = _rule_form(rule), 200
    if request.method == "POST":
        outcome = _save(request, rule)
        if outcome is None:
            return redirect("scoring:rules")
        form, errors, status = outcome
    context = _context(request, form, errors) | {"rule": rule}
    return settings_page(request, "scoring/rule_edit.html", SECTION, context, status=status)


@workspace_view
@require_POST
def rule_delete(request: HttpRequest, scoring_rule_id: int) -> HttpResponse:
    rule_services.delete_rule(actor=actor(request), rule_id=scoring_rule_id)
    messages.success(request, _("Rule deleted."))
    return redirect("scoring:rules")


@workspace_view
def model_page(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    summary = selectors.model_summary(a)
    chart = {
        "bins": summary["calibration"],
        "names": {"predicted": _("Predicted"), "observed": _("Observed"), "ideal": _("Ideal")},
    }
    context = {
        "model": summary,
        "chart_data": chart,
        "calibration_rows": [
            {f"{k}_pct": round(b[k] * 100, 1) for k in ("low", "high", "predicted", "observed")}
            | {"n": b["n"]}
            for b in summary["calibration"]
        ],
        "top": [
            (s, round((s.probability or 0) * 100, 1))
            for s in selectors.top_people(a, by="probability")
        ],
        "can_train": can(a, "settings.manage"),
        "can_recompute": can(a, "records.write"),
    }
    return settings_page(request, "scoring/model.html", SECTION, context)


@workspace_view
@require_POST
def train_now(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    require(a, "settings.manage")
    model = train(a)
    recompute_scores(a)
    messages.success(
        request, _("Model trained: %(status)s.") % {"status": model.get_status_display()}
    )
    return redirect("scoring:model")


@workspace_view
@require_POST
def recompute_now(request: HttpRequest) -> HttpResponse:
    count = recompute_scores(actor(request))
    messages.success(request, _("Scores recomputed for %(n)s people.") % {"n": count})
    return redirect("scoring:model" if request.POST.get("next") == "model" else "scoring:rules")
