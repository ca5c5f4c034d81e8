"""Screens of the glossary: the terms with their definitions (and what each defines), an add
form, an edit form, removal."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts.models import LifecycleStage
from vinculo.core import kpis
from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.strategy import glossary_selectors as selectors
from vinculo.strategy import glossary_services as services
from vinculo.strategy.models import GlossaryTerm
from vinculo.strategy.touchpoint_selectors import kpi_choices

FORM_FIELDS = ("term", "definition", "lifecycle_stage", "kpi_key")


def _context(request: HttpRequest, form: dict, errors: dict) -> dict[str, Any]:
    a = actor(request)
    return {
        "form": form,
        "errors": errors,
        "stages": list(
            LifecycleStage.objects.for_workspace(a.workspace).order_by("position", "pk")
        ),
        "kpi_choices": kpi_choices(),
        "can_change": can(a, "strategy.manage"),
    }


def _save(request: HttpRequest, term: GlossaryTerm | None) -> tuple[dict, dict] | None:
    """Create or change the posted term; None when saved, else (form values, errors)."""
    data = {f: request.POST.get(f, "").strip() for f in FORM_FIELDS}
    try:
        if term is None:
            services.create_term(actor=actor(request), data=data)
        else:
            services.update_term(actor=actor(request), term_id=term.pk, data=data)
    except ServiceError as exc:
        return data, field_errors(exc)
    messages.success(request, _("Glossary saved."))
    return None


@workspace_view
def glossary_page(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    form: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        outcome = _save(request, None)
        if outcome is None:
            return redirect("strategy:glossary")
        (form, errors), status = outcome, 422
    q = request.GET.get("q", "").strip()
    stage_names = dict(LifecycleStage.objects.for_workspace(a.workspace).values_list("key", "name"))
    rows = [
        {
            "term": t,
            "stage_name": stage_names.get(t.lifecycle_stage, t.lifecycle_stage),
            "kpi_name": str(k.name) if (k := kpis.get(t.kpi_key)) else t.kpi_key,
        }
        for t in selectors.terms(a, q=q)
    ]
    context = _context(request, form, errors) | {"rows": rows, "q": q}
    return render(request, "strategy/glossary.html", context, status=status)


@workspace_view
def glossary_edit(request: HttpRequest, glossary_term_id: int) -> HttpResponse:
    term = selectors.get_term(actor(request), glossary_term_id)
    form: dict[str, Any] = {f: getattr(term, f) for f in FORM_FIELDS}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        outcome = _save(request, term)
        if outcome is None:
            return redirect("strategy:glossary")
        (form, errors), status = outcome, 422
    context = _context(request, form, errors) | {"term": term}
    return render(request, "strategy/glossary_edit.html", context, status=status)


@workspace_view
@require_POST
def glossary_delete(request: HttpRequest, glossary_term_id: int) -> HttpResponse:
    services.delete_term(actor=actor(request), term_id=glossary_term_id)
    messages.success(request, _("Term removed."))
    return redirect("strategy:glossary")
