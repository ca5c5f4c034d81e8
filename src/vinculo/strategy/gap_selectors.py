"""Reads of customer-experience gaps: the list (by status), one gap, and its evidence as the gap
page shows it: the KPI's value over the last 90 days with a link to its insights page, the
number of people in the segment with a link to the people list filtered by it, the saved list."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from vinculo.contacts.models import Person
from vinculo.core import kpis
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ServiceError
from vinculo.core.filters import apply_filter
from vinculo.core.filters.context import workspace_today
from vinculo.core.kpis.shown import NOTHING, shown
from vinculo.core.models import SavedView
from vinculo.core.permissions import require
from vinculo.strategy.models import Gap, GapStatus, Goal, Tactic

EVIDENCE_DAYS = 90
LIST_URLS = {"person": "contacts:people", "company": "contacts:companies", "deal": "sales:list"}


def gaps(actor: Actor, *, status: str | None = None) -> QuerySet[Gap]:
    """The workspace's gaps, newest first; ``status`` narrows to one status."""
    require(actor, "records.view")
    qs = Gap.objects.for_workspace(actor.workspace).select_related("owner")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def get_gap(actor: Actor, gap_id: int) -> Gap:
    gap = gaps(actor).filter(pk=gap_id).first()
    if gap is None:
        raise NotFound(_("No gap with id %(id)s.") % {"id": gap_id})
    return gap


def status_counts(actor: Actor) -> dict[str, int]:
    """How many gaps have each status (every status, zero included)."""
    counts = dict.fromkeys(GapStatus.values, 0)
    for status in gaps(actor).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def visible_views(actor: Actor) -> QuerySet[SavedView]:
    """The saved lists ``actor`` may cite as evidence: their own and the shared ones."""
    require(actor, "records.view")
    qs = SavedView.objects.for_workspace(actor.workspace)
    if actor.user is not None:
        qs = qs.filter(shared=True) | qs.filter(owner_id=actor.user.pk)
    return qs.order_by("object_type", "name", "pk")


@dataclass
class KpiEvidence:
    key: str
    name: str
    value: Any  # as measured (None: nothing to measure)
    shown: str  # as the reader reads it
    url: str  # its insights page over the same days
    error: str = ""


@dataclass
class SegmentEvidence:
    count: int | None
    url: str  # the people list filtered by the segment
    error: str = ""


@dataclass
class ViewEvidence:
    name: str
    url: str


@dataclass
class Evidence:
    kpi: KpiEvidence | None
    segment: SegmentEvidence | None
    view: ViewEvidence | None


def people_list_url(tree: dict) -> str:
    """The people list filtered by ``tree`` (as every screen links to a filtered list)."""
    return reverse("contacts:people") + "?" + urlencode({"filter": json.dumps(tree)})


def kpi_evidence(actor: Actor, key: str) -> KpiEvidence:
    """``key``'s value over the last 90 days (today included) and its insights page."""
    kpi = kpis.get(key)
    end = workspace_today(actor)
    start = end - timedelta(days=EVIDENCE_DAYS - 1)
    query = {"period": "custom", "from": start.isoformat(), "to": end.isoformat()}
    url = reverse("insights:kpi", args=[key]) + "?" + urlencode(query)
    if kpi is None:
        return KpiEvidence(key, key, None, NOTHING, url, _("This KPI is no longer registered."))
    try:
        m = kpis.measure(key, kpis.Scope(actor=actor), start=start, end=end, grain=kpis.Grain.MONTH)
    except ServiceError as exc:
        return KpiEvidence(key, str(kpi.name), None, NOTHING, url, exc.detail)
    return KpiEvidence(key, str(kpi.name), m.value, shown(kpi, m.value, m.currency), url)


def segment_evidence(actor: Actor, tree: dict) -> SegmentEvidence:
    """How many live people the segment holds, and the people list filtered by it."""
    url = people_list_url(tree)
    try:
        people = apply_filter(
            Person.objects.for_workspace(actor.workspace).filter(deleted_at__isnull=True),
            "person",
            tree,
            actor=actor,
        )
        return SegmentEvidence(people.count(), url)
    except ServiceError as exc:  # a field the segment names was removed since
        return SegmentEvidence(None, url, exc.detail)


def evidence(actor: Actor, gap: Gap) -> Evidence:
    """The gap's evidence, measured now."""
    view = None
    if gap.evidence_view_id is not None:
        saved = visible_views(actor).filter(pk=gap.evidence_view_id).first()
        if saved is not None:
            name = LIST_URLS.get(saved.object_type, "contacts:people")
            view = ViewEvidence(saved.name, f"{reverse(name)}?view={saved.pk}")
    return Evidence(
        kpi=kpi_evidence(actor, gap.evidence_kpi) if gap.evidence_kpi else None,
        segment=segment_evidence(actor, gap.evidence_segment) if gap.evidence_segment else None,
        view=view,
    )


def tactic_choices(actor: Actor) -> QuerySet[Tactic]:
    """The tactics a gap may be closed by (the workspace's)."""
    require(actor, "records.view")
    return Tactic.objects.for_workspace(actor.workspace).order_by("title", "pk")


def goal_choices(actor: Actor) -> QuerySet[Goal]:
    """The goals a gap may be tracked by (the workspace's)."""
    require(actor, "records.view")
    return Goal.objects.for_workspace(actor.workspace).order_by("title", "pk")
