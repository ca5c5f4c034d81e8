"""Reads of web forms shared by the screens and the API, always scoped by workspace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts import custom_fields as cf
from vinculo.contacts.models import CustomObject
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.pagination import Page, paginate
from vinculo.core.permissions import require
from vinculo.webforms.models import (
    FormDailyStat,
    Submission,
    SubmissionStatus,
    TrackingSite,
    WebForm,
)
from vinculo.webforms.services import CUSTOM_PREFIX, STANDARD_FIELDS

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class FormCounts(TypedDict):
    """What :func:`forms` annotates on each form."""

    accepted_count: int
    spam_count: int


def forms(actor: Actor) -> QuerySet[WithAnnotations[WebForm, FormCounts]]:
    """The workspace's forms with their accepted/spam submission counts and page views."""
    require(actor, "records.view")
    return (
        WebForm.objects.for_workspace(actor.workspace)
        .annotate(
            accepted_count=Count(
                "submissions", filter=Q(submissions__status=SubmissionStatus.ACCEPTED)
            ),
            spam_count=Count("submissions", filter=Q(submissions__status=SubmissionStatus.SPAM)),
        )
        .order_by("name", "pk")
    )


def view_counts(actor: Actor) -> dict[int, int]:
    rows = (
        FormDailyStat.objects.for_workspace(actor.workspace)
        .values("form_id")
        .annotate(total=Sum("views"))
    )
    return {r["form_id"]: r["total"] or 0 for r in rows}


def get_form(actor: Actor, form_id: int) -> WebForm:
    require(actor, "records.view")
    form = WebForm.objects.for_workspace(actor.workspace).filter(pk=form_id).first()
    if form is None:
        raise NotFound(_("No form with id %(id)s in this workspace.") % {"id": form_id})
    return form


def submissions(
    actor: Actor,
    form_id: int,
    *,
    status: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[Submission]:
    """One page of a form's submissions, newest first (keyset pagination)."""
    form = get_form(actor, form_id)
    qs = Submission.objects.for_workspace(actor.workspace).filter(form=form)
    if status:
        qs = qs.filter(status=status)
    return paginate(qs.select_related("person"), cursor=cursor, limit=limit, order="-pk")


def get_submission(actor: Actor, form_id: int, submission_id: int) -> Submission:
    require(actor, "records.view")
    found = (
        Submission.objects.for_workspace(actor.workspace)
        .filter(form_id=form_id, pk=submission_id)
        .select_related("person", "form")
        .first()
    )
    if found is None:
        raise NotFound(_("No submission with id %(id)s on this form.") % {"id": submission_id})
    return found


@dataclass
class FieldChoice:
    key: str
    label: str
    input_type: str
    autocomplete: str = "off"
    choices: list[dict[str, str]] | None = None
    custom: bool = False


def field_choices(actor: Actor) -> list[FieldChoice]:
    """Every field a form may ask for: the standard person fields, then the custom fields."""
    result = [
        FieldChoice(key, str(label), kind, auto)
        for key, (label, kind, auto) in STANDARD_FIELDS.items()
    ]
    for definition in cf.definitions(actor, CustomObject.PERSON).values():
        kind = {
            "long_text": "textarea",
            "date": "date",
            "email": "email",
            "phone": "tel",
            "url": "url",
            "choice": "select",
            "multi_choice": "multiselect",
            "boolean": "checkbox",
        }.get(definition.field_type, "text")
        choices = [
            {"value": str(c.get("value")), "label": str(c.get("label") or c.get("value"))}
            if isinstance(c, dict)
            else {"value": str(c), "label": str(c)}
            for c in definition.choices
        ]
        result.append(
            FieldChoice(
                CUSTOM_PREFIX + definition.key,
                definition.label,
                kind,
                choices=choices or None,
                custom=True,
            )
        )
    return result


def rendered_fields(form: WebForm, choices: list[FieldChoice]) -> list[dict[str, Any]]:
    """The form's fields with what the template needs to draw each input."""
    by_key = {c.key: c for c in choices}
    out = []
    for spec in form.fields:
        choice = by_key.get(spec["key"])
        if choice is None:  # a custom field archived since
            continue
        out.append(
            {
                **spec,
                "label": spec.get("label") or choice.label,
                "input_type": choice.input_type,
                "autocomplete": choice.autocomplete,
                "choices": choice.choices or [],
                "name": spec["key"],
            }
        )
    return out


def conversion_chart(
    actor: Actor, *, form_id: int | None = None, days: int = 30, today: date | None = None
) -> dict[str, Any]:
    """Views of the hosted page and accepted submissions per day, with their totals."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = FormDailyStat.objects.for_workspace(actor.workspace).filter(day__gte=start)
    if form_id is not None:
        rows = rows.filter(form_id=form_id)
    totals = {
        r["day"]: (r["v"] or 0, r["s"] or 0)
        for r in rows.values("day").annotate(v=Sum("views"), s=Sum("submissions"))
    }
    series = [
        (start + timedelta(days=i), *totals.get(start + timedelta(days=i), (0, 0)))
        for i in range(days)
    ]
    views_total = sum(v for _d, v, _s in series)
    subs_total = sum(s for _d, _v, s in series)
    return {
        # as the shared chart set-up draws it (web/charts.js, ECharts): ISO days, plain counts
        "kind": "line",
        "unit": "count",
        "grain": "day",
        "labels": [d.isoformat() for d, _v, _s in series],
        "series": [
            {
                "name": str(_("Hosted page views")),
                "values": [v for _d, v, _s in series],
                "color": "#94a3b8",
            },
            {
                "name": str(_("Submissions")),
                "values": [s for _d, _v, s in series],
                "color": "#2563eb",
            },
        ],
        "views": views_total,
        "submissions": subs_total,
        "rate": round(100 * subs_total / views_total, 1) if views_total else None,
        "days": days,
    }


def tracking_site(actor: Actor) -> TrackingSite | None:
    """The workspace's tracking key and allowed domains (made with the workspace; None only for
    a workspace that has none, which saving the tracking settings mends)."""
    require(actor, "records.view")
    return TrackingSite.objects.for_workspace(actor.workspace).first()
