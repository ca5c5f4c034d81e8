"""Screens of entry rules: ``/quality/rules/`` lists, adds, switches and deletes rules (htmx)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, is_htmx, workspace_view
from vinculo.quality.models import RuleFormat, RuleKind, RuleObject
from vinculo.quality.selectors import rules as selectors
from vinculo.quality.services import rules as services

FORM_KEYS = ("object_type", "field", "kind", "format", "pattern", "message")


def _object_type(request: HttpRequest) -> str:
    value = request.GET.get("object") or request.POST.get("object_type") or RuleObject.PERSON
    return value if value in RuleObject.values else RuleObject.PERSON


def _page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    object_type = _object_type(request)
    labels = selectors.field_labels(a)
    fields = selectors.fields_for_rules(a, object_type)
    added = None
    added_id = request.GET.get("added", "")
    if added_id.isdigit():
        rule = selectors.entry_rules(a).filter(pk=int(added_id)).first()
        if rule is not None:
            found = selectors.violations(a, rule)
            added = {"count": found.count, "url": found.list_url}
    return render(
        request,
        "quality/rules/index.html",
        {
            "object_type": object_type,
            "objects": RuleObject.choices,
            "rules": [
                selectors.describe(r, labels)
                for r in selectors.entry_rules(a, object_type=object_type)
            ],
            "fields": fields,
            "kinds": RuleKind.choices,
            "formats": RuleFormat.choices,
            "kind_labels": dict(RuleKind.choices),
            "format_labels": dict(RuleFormat.choices),
            "can_change": can(a, "settings.manage"),
            "added": added,
            "errors": {},
            "data": {"object_type": object_type, "kind": RuleKind.REQUIRED},
            **extra,
        },
        status=status,
    )


@workspace_view
def rules(request: HttpRequest) -> HttpResponse:
    """The rules of one object type (``?object=person|company|deal``) and the form to add one;
    read-only for roles without ``settings.manage``."""
    return _page(request)


@workspace_view
@require_POST
def rule_create(request: HttpRequest) -> HttpResponse:
    data = {key: request.POST.get(key, "") for key in FORM_KEYS}
    try:
        created = services.create_entry_rule(actor=actor(request), data=data)
    except ServiceError as exc:
        return _page(request, status=422, errors=field_errors(exc), data=data)
    messages.success(request, _("Rule added."))
    # The page counts the records that already break the new rule and links to them.
    query = f"?object={created.rule.object_type}&added={created.rule.pk}"
    return redirect(reverse("quality:rules") + query)


@workspace_view
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Switch a rule on or off; htmx gets the row back."""
    a = actor(request)
    rule = selectors.get_entry_rule(a, rule_id)
    rule = services.update_entry_rule(
        actor=a, rule_id=rule.pk, data={"is_active": not rule.is_active}
    )
    if is_htmx(request):
        return render(
            request,
            "quality/rules/_row.html",
            {
                "rule": selectors.describe(rule, selectors.field_labels(a)),
                "can_change": True,
                "kind_labels": dict(RuleKind.choices),
                "format_labels": dict(RuleFormat.choices),
            },
        )
    return redirect(reverse("quality:rules") + f"?object={rule.object_type}")


@workspace_view
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Delete a rule; htmx removes its row."""
    a = actor(request)
    rule = selectors.get_entry_rule(a, rule_id)
    services.delete_entry_rule(actor=a, rule_id=rule.pk)
    if is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("Rule deleted."))
    return redirect(reverse("quality:rules") + f"?object={rule.object_type}")


urlpatterns: list[URLPattern] = [
    path("rules/", rules, name="rules"),
    path("rules/new/", rule_create, name="rule_create"),
    path("rules/<int:rule_id>/toggle/", rule_toggle, name="rule_toggle"),
    path("rules/<int:rule_id>/delete/", rule_delete, name="rule_delete"),
]
