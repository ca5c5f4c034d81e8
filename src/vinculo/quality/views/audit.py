"""Screens of data quality: the audit report at ``/quality/audit/``.

The score and its history (an inline SVG line chart), completeness bars per field and every
finding with its count and a link to the list that fixes it (or to an export of the offending
records where no filter can express the finding). "Run audit" audits small workspaces at once
and large ones in the background, with a progress bar polled every second.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.core.errors import ServiceError
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, is_htmx, workspace_view
from vinculo.quality.models import AuditRun, AuditStatus
from vinculo.quality.selectors import audit as selectors
from vinculo.quality.selectors import audit_text
from vinculo.quality.services import audit as services


def score_chart(history: list[tuple[Any, int]]) -> dict[str, Any] | None:
    """The score of each run, oldest on the left, as the shared chart set-up draws it
    (web/charts.js, ECharts): the runs' days (ISO, in the current time zone) and plain scores."""
    if not history:
        return None
    return {
        "kind": "line",
        "unit": "number",
        "grain": "day",
        "labels": [timezone.localtime(when).date().isoformat() for when, _score in history],
        "series": [{"name": str(_("Score")), "values": [score for _when, score in history]}],
        "last": history[-1][1],
    }


def _sections(request: HttpRequest, run: AuditRun | None) -> list[dict[str, Any]]:
    if run is None or run.status != AuditStatus.DONE:
        return []
    titles = {"person": _("People"), "company": _("Companies"), "deal": _("Deals")}
    sections = []
    findings = audit_text.localised_findings(actor(request), run.findings)
    for object_type, data in (findings.get("objects") or {}).items():
        fields = [{**f, "percent": round(f["share"] * 100)} for f in data.get("completeness", [])]
        sections.append(
            {
                "object_type": object_type,
                "title": titles.get(object_type, object_type),
                "total": data.get("total", 0),
                "score": data.get("score"),
                "fields": fields,
                "findings": data.get("findings", []),
                "surplus": data.get("duplicate_surplus", 0),
            }
        )
    return sections


def _page(request: HttpRequest, run: AuditRun | None) -> HttpResponse:
    a = actor(request)
    history = selectors.score_history(a)
    context = {
        "run": run,
        "sections": _sections(request, run),
        "chart": score_chart(history),
        "runs": list(selectors.audit_runs(a)[:20]),
        "can_run": can(a, "records.write"),
        "can_export": can(a, "data.export"),
        "open_pairs": (run.findings or {}).get("open_duplicate_pairs") if run else None,
    }
    return render(request, "quality/audit/report.html", context)


@workspace_view
def audit_report(request: HttpRequest) -> HttpResponse:
    """The latest audit report (or a note that there is none yet)."""
    a = actor(request)
    run = selectors.audit_runs(a).first()
    if run is not None and run.status == AuditStatus.FAILED:
        run = selectors.latest_audit_run(a) or run
    return _page(request, run)


@workspace_view
def audit_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """One audit run's report."""
    return _page(request, selectors.get_audit_run(actor(request), run_id))


@workspace_view
def audit_run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress bar of a running audit (htmx polls it every second); once done, htmx is told
    to reload the report."""
    run = selectors.get_audit_run(actor(request), run_id)
    response = render(request, "quality/audit/_progress.html", {"run": run})
    if run.status in {AuditStatus.DONE, AuditStatus.FAILED} and is_htmx(request):
        response["HX-Redirect"] = reverse("quality:audit_run", args=[run.pk])
    return response


@workspace_view
@require_POST
def audit_start(request: HttpRequest) -> HttpResponse:
    """Run an audit (``stale_months`` from the form); the report of the new run follows."""
    try:
        run = services.start_audit(
            actor=actor(request), stale_months=request.POST.get("stale_months") or 6
        )
    except ServiceError as exc:
        for message_list in field_errors(exc).values():
            for message in message_list:
                messages.error(request, message)
        return redirect("quality:audit")
    if run.status == AuditStatus.DONE:
        messages.success(request, _("Audit done: score %(score)s.") % {"score": run.score})
    return redirect("quality:audit_run", run_id=run.pk)


urlpatterns: list[URLPattern] = [
    path("audit/", audit_report, name="audit"),
    path("audit/run", audit_start, name="audit_start"),
    path("audit/runs/<int:run_id>/", audit_run_detail, name="audit_run"),
    path("audit/runs/<int:run_id>/progress", audit_run_progress, name="audit_progress"),
]
