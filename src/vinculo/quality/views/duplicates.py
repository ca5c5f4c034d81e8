"""Screens of data quality: the duplicates review queue, the merge screen and undo.

Thin: parse the request, call one service or selector, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.core.errors import ServiceError
from vinculo.core.field_labels import field_label
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, is_htmx, safe_next, workspace_view
from vinculo.quality.models.duplicates import CandidateStatus, RecordType
from vinculo.quality.selectors import duplicates as selectors
from vinculo.quality.selectors import matcher
from vinculo.quality.services import duplicates as services
from vinculo.quality.services import merge as merge_services
from vinculo.workspaces import selectors as workspace_selectors

# What the queue shows side by side for each pair.
PAIR_FIELDS: dict[str, tuple[str, ...]] = {
    RecordType.PERSON: ("email", "phone", "mobile_phone", "cpf", "city", "job_title"),
    RecordType.COMPANY: ("cnpj", "email", "phone", "domain", "city", "industry"),
}
BANDS = [(0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 0.97), (0.97, 1.01)]


def _object_type(request: HttpRequest) -> str:
    value = request.GET.get("type") or request.POST.get("object_type") or RecordType.PERSON
    return value if value in RecordType.values else RecordType.PERSON


def _record_url(object_type: str, pk: int) -> str:
    if object_type == RecordType.PERSON:
        return reverse("contacts:person", args=[pk])
    return reverse("contacts:company", args=[pk])


def _pair_rows(object_type: str, left: Any, right: Any) -> list[dict[str, Any]]:
    rows = []
    for name in PAIR_FIELDS[object_type]:
        a, b = getattr(left, name, ""), getattr(right, name, "")
        rows.append(
            {
                "name": name,
                "label": field_label(object_type, name),
                "left": a,
                "right": b,
                "differs": a != b,
            }
        )
    return rows


def _histogram(pairs: list[Any]) -> dict[str, Any]:
    """The open pairs by probability band, as the shared chart set-up draws them
    (web/charts.js, ECharts): the bands' names and plain counts."""
    counts = [sum(1 for p in pairs if lo <= p.probability < hi) for lo, hi in BANDS]
    return {
        "kind": "bar",
        "unit": "count",
        "labels": [f"{round(lo * 100)}-{min(100, round(hi * 100))}%" for lo, hi in BANDS],
        "series": [{"name": str(_("Pairs")), "values": counts}],
        "total": sum(counts),
    }


@workspace_view
def duplicates(request: HttpRequest) -> HttpResponse:
    """The review queue: clusters by probability, each pair side by side with its reasons."""
    a = actor(request)
    object_type = _object_type(request)
    status = request.GET.get("status") or CandidateStatus.OPEN
    if status not in (CandidateStatus.OPEN, CandidateStatus.LATER):
        status = CandidateStatus.OPEN
    clusters = selectors.cluster_list(a, object_type=object_type, status=status, limit=200)
    ids = sorted({i for c in clusters for p in c["pairs"] for i in (p.left_id, p.right_id)})
    records = selectors.records_by_id(a, object_type, ids)
    for cluster in clusters:
        cluster["rows"] = []
        for pair in cluster["pairs"]:
            left, right = records.get(pair.left_id), records.get(pair.right_id)
            if left is None or right is None:
                continue
            cluster["rows"].append(
                {
                    "pair": pair,
                    "left": left,
                    "right": right,
                    "left_url": _record_url(object_type, left.pk),
                    "right_url": _record_url(object_type, right.pk),
                    "fields": _pair_rows(object_type, left, right),
                    "names_differ": str(left) != str(right),
                    "reasons": [services.reason_text(r) for r in pair.reasons],
                    "percent": round(pair.probability * 100),
                }
            )
    open_pairs = list(selectors.candidates(a, object_type=object_type).only("probability"))
    context = {
        "object_type": object_type,
        "status": status,
        "clusters": [c for c in clusters if c["rows"]],
        "run": selectors.latest_run(a, object_type),
        "thresholds": _thresholds(a, object_type),
        "learned": _learned(a, object_type),
        "merges": list(selectors.merges(a, object_type=object_type)[:10]),
        "histogram": _histogram(open_pairs),
        "open_count": len(open_pairs),
        "can_write": can(a, "records.write"),
        "can_merge": can(a, "records.write") and can(a, "records.delete"),
        "can_settings": can(a, "settings.manage"),
    }
    return render(request, "quality/duplicates/queue.html", context)


@workspace_view
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    """Queue a detection run (optionally with the automatic mode) and show its progress."""
    a = actor(request)
    object_type = _object_type(request)
    run = services.start_detection(
        actor=a, object_type=object_type, auto_merge=request.POST.get("auto_merge") == "1"
    )
    if is_htmx(request):
        return render(request, "quality/duplicates/_progress.html", {"run": run})
    return redirect(f"{reverse('quality:duplicates')}?type={object_type}")


@workspace_view
def run_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress card of one run (polled every second while it runs)."""
    run = selectors.get_run(actor(request), run_id)
    return render(request, "quality/duplicates/_progress.html", {"run": run})


@workspace_view
@require_POST
def decide(request: HttpRequest, pair_id: int) -> HttpResponse:
    """Not a duplicate / later / open again, then back to the queue."""
    a = actor(request)
    try:
        candidate = services.decide(
            actor=a, candidate_id=pair_id, status=request.POST.get("status", "")
        )
    except ServiceError as exc:
        for message in field_errors(exc).values():
            messages.error(request, " ".join(message))
        return redirect(safe_next(request, reverse("quality:duplicates")))
    if is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("Marked: %(status)s.") % {"status": candidate.get_status_display()})
    return redirect(safe_next(request, reverse("quality:duplicates")))


@workspace_view
def merge(request: HttpRequest) -> HttpResponse:
    """The merge screen: every field of both records, the side the rules chose, a radio per
    differing field; posting merges and offers the undo."""
    a = actor(request)
    object_type = _object_type(request)
    source = request.POST if request.method == "POST" else request.GET
    try:
        survivor_id, loser_id = int(source.get("survivor", "")), int(source.get("loser", ""))
    except ValueError:
        raise Http404(_("Choose two records to merge.")) from None
    errors: dict[str, list[str]] = {}
    picks = {
        k.removeprefix("pick_"): v for k, v in request.POST.dict().items() if k.startswith("pick_")
    }
    if request.method == "POST":
        try:
            record = merge_services.merge_records(
                actor=a,
                object_type=object_type,
                survivor_id=survivor_id,
                loser_id=loser_id,
                picks=picks,
            )
        except ServiceError as exc:
            errors = field_errors(exc)
        else:
            messages.success(
                request,
                _("Merged. Everything moved to the surviving record; you can undo it below."),
            )
            return redirect(f"{reverse('quality:duplicates')}?type={object_type}#merge-{record.pk}")
    choices = merge_services.propose(a, object_type, survivor_id, loser_id, picks=None)
    records = selectors.records_by_id(a, object_type, [survivor_id, loser_id])
    labels = {
        f"custom_fields.{d.key}": d.label
        for d in contact_selectors.custom_fields(a, object_type=object_type, include_archived=True)
    }
    # Links are shown by name, not id: the owner's name, the lifecycle stage's name.
    shown: dict[str, dict[Any, str]] = {
        "owner_id": {
            m.user_id: m.user.get_full_name() or m.user.email
            for m in workspace_selectors.members(a).select_related("user")
        },
        "lifecycle_stage_id": {s.pk: s.name for s in contact_selectors.lifecycle_stages(a)},
    }
    rows: list[dict[str, Any]] = []
    for choice in choices:
        names = shown.get(choice.name, {})
        label = labels.get(choice.name) or (
            choice.name.removeprefix("custom_fields.")
            if choice.name.startswith("custom_fields.")
            else field_label(object_type, choice.name)
        )
        rows.append(
            {
                "choice": choice,
                "label": label,
                "survivor": names.get(choice.survivor, "—") if names else choice.survivor,
                "loser": names.get(choice.loser, "—") if names else choice.loser,
                "pick": picks.get(choice.name, choice.pick),
                "errors": errors.get(f"picks.{choice.name}", []),
            }
        )
    context = {
        "object_type": object_type,
        "survivor": records[survivor_id],
        "loser": records[loser_id],
        "survivor_url": _record_url(object_type, survivor_id),
        "loser_url": _record_url(object_type, loser_id),
        "rows": rows,
        "differing": sum(1 for r in rows if r["choice"].differs),
        "errors": errors.get("", [])
        + [m for k, v in errors.items() if k and not k.startswith("picks.") for m in v],
        "rules": list(merge_services.RULES.values())[:5],
        "can_merge": can(a, "records.write") and can(a, "records.delete"),
    }
    return render(request, "quality/duplicates/merge.html", context, status=422 if errors else 200)


@workspace_view
@require_POST
def undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    """Undo a merge and go back to the queue."""
    try:
        record = merge_services.undo_merge(actor=actor(request), merge_id=merge_id)
    except ServiceError as exc:
        for message in field_errors(exc).values():
            messages.error(request, " ".join(message))
        return redirect(reverse("quality:duplicates"))
    messages.success(request, _("Merge undone: both records are back as they were."))
    return redirect(f"{reverse('quality:duplicates')}?type={record.object_type}")


@workspace_view
@require_POST
def auto(request: HttpRequest) -> HttpResponse:
    """The automatic mode on demand: merge every open pair above the workspace's threshold."""
    object_type = _object_type(request)
    merged = merge_services.auto_merge(actor=actor(request), object_type=object_type)
    messages.success(
        request, _("Automatic mode merged %(n)s pairs; each merge can be undone.") % {"n": merged}
    )
    return redirect(f"{reverse('quality:duplicates')}?type={object_type}")


def _percent(value: Any) -> float | None:
    """A stored fraction as the percentage the ``percent`` filter writes in the reader's way."""
    return None if value is None else round(float(value) * 100, 1)


def _learned(a: Any, object_type: str) -> dict[str, Any] | None:
    """What the matcher learned, with its fractions as percentages for the card."""
    found = matcher.learned(a, object_type)
    if found is None:
        return None
    for key in (
        "blocking_recall",
        "review_threshold",
        "auto_merge_threshold",
        "review_precision",
        "review_recall",
        "auto_merge_precision",
        "auto_merge_recall",
    ):
        found[f"{key}_pct"] = _percent(found[key])
    for field in found["fields"]:
        field["fill_pct"] = _percent(field["fill"])
    for rule in found["rules"]:
        rule["fill_pct"] = _percent(rule["fill"])
        rule["share_pct"] = _percent(rule["share"])
    return found


def _thresholds(a: Any, object_type: str) -> dict[str, Any]:
    learned = selectors.match_model(a, object_type)
    precision = selectors.duplicate_settings(a).auto_merge_precision
    return {
        "learned": learned,
        "review_threshold": learned.review_threshold if learned else 0.5,
        "auto_merge_threshold": learned.auto_merge_threshold if learned else 1.0,
        # A number input's value: never localised.
        "auto_merge_percent": f"{precision * 100:.2f}".rstrip("0").rstrip("."),
    }


@workspace_view
@require_POST
def thresholds(request: HttpRequest) -> HttpResponse:
    """Change the expected precision the automatic merge keeps (entered as a percentage)."""
    data: dict[str, Any] = {}
    raw = (request.POST.get("auto_merge_precision") or "").strip().replace(",", ".")
    if raw:
        try:
            data["auto_merge_precision"] = float(raw) / 100
        except ValueError:
            data["auto_merge_precision"] = raw
    try:
        services.update_settings(actor=actor(request), data=data)
    except ServiceError as exc:
        for message in field_errors(exc).values():
            messages.error(request, " ".join(message))
    else:
        messages.success(request, _("Saved. The next scan chooses its thresholds from it."))
    return redirect(f"{reverse('quality:duplicates')}?type={_object_type(request)}")


urlpatterns: list[URLPattern] = [
    path("duplicates/", duplicates, name="duplicates"),
    path("duplicates/run/", run_start, name="duplicates_run"),
    path("duplicates/run/<int:run_id>/", run_progress, name="duplicates_progress"),
    path("duplicates/pairs/<int:pair_id>/decide/", decide, name="duplicates_decide"),
    path("duplicates/merge/", merge, name="duplicates_merge"),
    path("duplicates/merges/<int:merge_id>/undo/", undo, name="duplicates_undo"),
    path("duplicates/auto/", auto, name="duplicates_auto"),
    path("duplicates/thresholds/", thresholds, name="duplicates_thresholds"),
]
