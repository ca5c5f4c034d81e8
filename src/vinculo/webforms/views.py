"""Screens of web forms under ``/forms/``: list with the conversion chart, the builder (live
preview, snippet with a copy button), submissions and the site-tracking settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vinculo.contacts.models import Channel, LegalBasis
from vinculo.contacts.selectors import lifecycle_stages
from vinculo.core.errors import ServiceError, ValidationFailed
from vinculo.core.permissions import can
from vinculo.core.ui import actor, field_errors, workspace_view
from vinculo.webforms import selectors, services, tracking
from vinculo.webforms.models import FormLanguage, SubmissionStatus, WebForm
from vinculo.workspaces.selectors import members

DEFAULT_FIELDS = [
    {"key": "first_name", "label": "", "placeholder": "", "required": True},
    {"key": "email", "label": "", "placeholder": "", "required": True},
]
FLAGS = ("is_active", "consent_enabled", "consent_required")
TEXTS = (
    "name",
    "language",
    "submit_label",
    "success_message",
    "redirect_url",
    "tags",
    "lifecycle_stage",
    "source",
    "owner_id",
    "allowed_domains",
    "min_seconds",
    "consent_text",
    "consent_channel",
    "consent_legal_basis",
)


def _posted_definition(request: HttpRequest, choices: list[selectors.FieldChoice]) -> dict:
    """The builder's POST in the service's input shape (fields ordered by their position)."""
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in TEXTS}
    for name in FLAGS:
        data[name] = request.POST.get(name) == "on"
    rows = []
    for index, choice in enumerate(choices):
        key = choice.key
        if request.POST.get(f"use_{key}") != "on":
            continue
        order = request.POST.get(f"order_{key}", "")
        rows.append(
            (
                int(order) if order.strip().isdigit() else 1000 + index,
                index,
                {
                    "key": key,
                    "label": request.POST.get(f"label_{key}", ""),
                    "placeholder": request.POST.get(f"placeholder_{key}", ""),
                    "required": request.POST.get(f"required_{key}") == "on",
                },
            )
        )
    data["fields"] = [row for _o, _i, row in sorted(rows, key=lambda r: (r[0], r[1]))]
    return data


def _builder_rows(
    definition: dict[str, Any], choices: list[selectors.FieldChoice]
) -> list[dict[str, Any]]:
    chosen: dict[str, tuple[int, dict[str, Any]]] = {
        f["key"]: (i, f) for i, f in enumerate(definition.get("fields") or [])
    }
    rows = []
    for choice in choices:
        position: int | None = None
        spec: dict[str, Any] = {}
        if choice.key in chosen:
            position, spec = chosen[choice.key]
        rows.append(
            {
                "choice": choice,
                "used": position is not None,
                "order": "" if position is None else position + 1,
                "label": spec.get("label", ""),
                "placeholder": spec.get("placeholder", ""),
                "required": spec.get("required", False),
            }
        )
    # The fields on the form first, in their order, then the others.
    rows.sort(key=lambda r: (not r["used"], r["order"] or 0))
    return rows


def _snippet(request: HttpRequest, form: WebForm) -> str:
    choices = selectors.field_choices(actor(request))
    base = request.build_absolute_uri("/").rstrip("/")
    return render_to_string(
        "webforms/snippet.txt",
        {
            "form": form,
            "fields": selectors.rendered_fields(form, choices),
            "submit_url": base + reverse("webforms:submit", args=[form.public_key]),
            "script_url": request.build_absolute_uri(static("webforms/form.js")),
        },
    ).strip()


def _builder(
    request: HttpRequest,
    form: WebForm | None,
    definition: dict[str, Any],
    *,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    a = actor(request)
    choices = selectors.field_choices(a)
    tags = definition.get("tags")
    context: dict[str, Any] = {
        "form": form,
        "data": {
            **definition,
            "tags": ", ".join(tags) if isinstance(tags, list) else (tags or ""),
            "allowed_domains": "\n".join(definition.get("allowed_domains") or [])
            if isinstance(definition.get("allowed_domains"), list)
            else definition.get("allowed_domains", ""),
        },
        "rows": _builder_rows(definition, choices),
        "errors": errors or {},
        "languages": FormLanguage.choices,
        "channels": Channel.choices,
        "legal_bases": LegalBasis.choices,
        "stages": lifecycle_stages(a),
        "members": members(a).select_related("user"),
        "can_change": can(a, "marketing.write"),
    }
    if form is not None:
        context["snippet"] = _snippet(request, form)
        context["hosted_url"] = request.build_absolute_uri(
            reverse("webforms:hosted", args=[form.public_key])
        )
    return render(request, "webforms/builder.html", context, status=status)


def _definition_of(form: WebForm) -> dict[str, Any]:
    return {
        **{name: getattr(form, name) for name in TEXTS if name != "owner_id"},
        **{name: getattr(form, name) for name in FLAGS},
        "owner_id": form.owner_id or "",
        "fields": form.fields,
    }


@workspace_view
def form_list(request: HttpRequest) -> HttpResponse:
    """Every form with its views, submissions and conversion, and the chart of the last 30 days."""
    a = actor(request)
    views = selectors.view_counts(a)
    rows = []
    for form in selectors.forms(a):
        seen = views.get(form.pk, 0)
        rows.append(
            {
                "form": form,
                "views": seen,
                "rate": round(100 * form.accepted_count / seen, 1) if seen else None,
            }
        )
    return render(
        request,
        "webforms/list.html",
        {
            "rows": rows,
            "chart": selectors.conversion_chart(a),
            "can_change": can(a, "marketing.write"),
        },
    )


@workspace_view
def form_create(request: HttpRequest) -> HttpResponse:
    a = actor(request)
    if request.method != "POST":
        definition = {
            "name": "",
            "fields": DEFAULT_FIELDS,
            "is_active": True,
            "language": FormLanguage.EN if a.workspace.locale == "en" else FormLanguage.PT_BR,
            "min_seconds": 3,
            "lifecycle_stage": "lead",
            "consent_channel": Channel.EMAIL,
            "consent_legal_basis": LegalBasis.CONSENT,
        }
        return _builder(request, None, definition)
    definition = _posted_definition(request, selectors.field_choices(a))
    try:
        form = services.create_form(actor=a, data=definition)
    except ServiceError as exc:
        return _builder(request, None, definition, errors=field_errors(exc), status=422)
    messages.success(request, _("Form created. Copy the snippet or share the hosted page."))
    return redirect("webforms:edit", form_id=form.pk)


@workspace_view
def form_edit(request: HttpRequest, form_id: int) -> HttpResponse:
    a = actor(request)
    form = selectors.get_form(a, form_id)
    if request.method != "POST":
        return _builder(request, form, _definition_of(form))
    definition = _posted_definition(request, selectors.field_choices(a))
    try:
        form = services.update_form(actor=a, form_id=form.pk, data=definition)
    except ServiceError as exc:
        return _builder(request, form, definition, errors=field_errors(exc), status=422)
    messages.success(request, _("Form saved."))
    return redirect("webforms:edit", form_id=form.pk)


@workspace_view
@require_POST
def form_delete(request: HttpRequest, form_id: int) -> HttpResponse:
    a = actor(request)
    form = selectors.get_form(a, form_id)
    services.delete_form(actor=a, form_id=form.pk)
    messages.success(request, _("Form deleted."))
    return redirect("webforms:list")


@workspace_view
@require_POST
def form_preview(request: HttpRequest) -> HttpResponse:
    """The builder's live preview (htmx): the posted, unsaved definition drawn as visitors see
    it; definition errors are listed above it."""
    a = actor(request)
    choices = selectors.field_choices(a)
    definition = _posted_definition(request, choices)
    errors: dict[str, list[str]] = {}
    try:
        cleaned = services.clean_form(a, definition, creating=True)
    except ValidationFailed as exc:
        errors = field_errors(exc)
        # Still draw what can be drawn: the chosen fields and the texts as typed.
        cleaned = {
            "fields": [f for f in definition["fields"] if f["key"] in {c.key for c in choices}],
            "name": str(definition.get("name") or "")[:120],
            "submit_label": str(definition.get("submit_label") or "")[:60],
            "consent_enabled": bool(definition.get("consent_enabled")),
            "consent_required": bool(definition.get("consent_required")),
            "consent_text": str(definition.get("consent_text") or "")[:2000],
        }
    draft = WebForm(workspace=a.workspace, public_key="preview")
    for name, value in cleaned.items():
        setattr(draft, name, value)
    return render(
        request,
        "webforms/_preview.html",
        {
            "form": draft,
            "fields": selectors.rendered_fields(draft, choices),
            "definition_errors": errors,
            "workspace_name": a.workspace.name,
        },
    )


@workspace_view
def submission_list(request: HttpRequest, form_id: int) -> HttpResponse:
    a = actor(request)
    form = selectors.get_form(a, form_id)
    status = request.GET.get("status") or ""
    if status not in SubmissionStatus.values:
        status = ""
    page = selectors.submissions(
        a, form.pk, status=status or None, cursor=request.GET.get("cursor"), limit=50
    )
    labels = {f["key"]: f.get("label") or f["key"] for f in form.fields}
    return render(
        request,
        "webforms/submissions.html",
        {
            "form": form,
            "page": page,
            "status": status,
            "statuses": SubmissionStatus.choices,
            "labels": labels,
            "chart": selectors.conversion_chart(a, form_id=form.pk),
        },
    )


@workspace_view
def submission_detail(request: HttpRequest, form_id: int, submission_id: int) -> HttpResponse:
    a = actor(request)
    submission = selectors.get_submission(a, form_id, submission_id)
    choices = {c.key: c.label for c in selectors.field_choices(a)}
    labels = {
        f["key"]: f.get("label") or choices.get(f["key"], f["key"]) for f in submission.form.fields
    }
    rows = [(labels.get(k) or choices.get(k, k), v) for k, v in submission.data.items()]
    return render(
        request,
        "webforms/submission.html",
        {"submission": submission, "form": submission.form, "rows": rows},
    )


@workspace_view
def tracking_settings(request: HttpRequest) -> HttpResponse:
    """The tracking snippet and the domains allowed to send page views."""
    a = actor(request)
    errors: dict[str, list[str]] = {}
    status = 200
    site = selectors.tracking_site(a)  # made with the workspace; saving makes a missing one
    domains_text = "\n".join(site.allowed_domains) if site else ""
    if request.method == "POST":
        domains_text = request.POST.get("allowed_domains", "")
        try:
            site = tracking.update_tracking_site(
                actor=a,
                data={
                    "allowed_domains": domains_text,
                    "is_active": request.POST.get("is_active") == "on",
                },
            )
        except ServiceError as exc:
            errors, status = field_errors(exc), 422
        else:
            messages.success(request, _("Tracking settings saved."))
            return redirect("webforms:tracking")
    snippet = ""
    if site is not None:
        snippet = render_to_string(
            "webforms/tracking_snippet.txt",
            {
                "key": site.public_key,
                "script_url": request.build_absolute_uri(static("webforms/t.js")),
            },
        ).strip()
    return render(
        request,
        "webforms/tracking.html",
        {
            "site": site,
            "snippet": snippet,
            "domains_text": domains_text,
            "errors": errors,
            "can_change": can(a, "settings.manage"),
        },
        status=status,
    )
