"""The data-quality hub: where each tool stands for this workspace, one card per tool."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path

from vinculo.core.permissions import can
from vinculo.core.ui import actor, workspace_view
from vinculo.quality.selectors import audit, duplicates, exports, imports, rules


@workspace_view
def hub(request: HttpRequest) -> HttpResponse:
    """Latest audit score, open duplicate pairs, recent imports and exports, active entry rules."""
    a = actor(request)
    context = {
        "latest_audit": audit.latest_audit_run(a),
        "open_pairs": duplicates.open_pair_count(a),
        "recent_imports": list(imports.imports(a)[:3]) if can(a, "data.import") else [],
        "recent_exports": list(exports.export_jobs(a)[:3]) if can(a, "data.export") else [],
        "active_rules": rules.entry_rules(a).filter(is_active=True).count(),
        "can_import": can(a, "data.import"),
        "can_export": can(a, "data.export"),
    }
    return render(request, "quality/hub.html", context)


urlpatterns: list[URLPattern] = [path("", hub, name="hub")]
