"""Reads of the events app shared by the UI and the API, always scoped by workspace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.contacts.models import Person
from vinculo.contacts.selectors import binned_people, few_binned
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound
from vinculo.core.kpis import Columns, Request, Scope, narrow
from vinculo.core.kpis.buckets import Epoch
from vinculo.core.permissions import require
from vinculo.events.clv_text import churn_reason_text, warning_text
from vinculo.events.models import (
    PACKED,
    ChurnRisk,
    CustomerValue,
    CustomerValueModel,
    InboundEndpoint,
    InboundReceipt,
    Purchase,
    PurchaseHour,
    Segment,
    TrackedEvent,
)


def events(
    actor: Actor,
    *,
    person_id: int | None = None,
    name: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[TrackedEvent]:
    """The workspace's tracked events, filtered; newest first is up to the caller's order."""
    require(actor, "records.view")
    qs = TrackedEvent.objects.for_workspace(actor.workspace)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if name:
        qs = qs.filter(name=name)
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    return qs


def get_event(actor: Actor, event_id: int) -> TrackedEvent:
    """One event of the workspace, with its purchase when it has one; 404 otherwise."""
    found = events(actor).select_related("person", "purchase").filter(pk=event_id).first()
    if found is None:
        raise NotFound(_("No event with id %(id)s.") % {"id": event_id})
    return found


def purchase_of(event: TrackedEvent) -> Purchase | None:
    try:
        return event.purchase
    except Purchase.DoesNotExist:
        return None


def get_person(actor: Actor, person_id: int) -> Person:
    require(actor, "records.view")
    person = (
        Person.objects.for_workspace(actor.workspace)
        .filter(pk=person_id, deleted_at__isnull=True)
        .first()
    )
    if person is None:
        raise NotFound(_("No person with id %(id)s.") % {"id": person_id})
    return person


def purchases(actor: Actor, person_id: int) -> QuerySet[Purchase]:
    """A person's purchases (404 when the person is not in the workspace), newest first."""
    get_person(actor, person_id)
    return Purchase.objects.for_workspace(actor.workspace).filter(person_id=person_id)


def purchase_totals(actor: Actor, person_id: int) -> dict[str, Any]:
    """What RFM and CLV read: order count, total spent per currency, first and last purchase."""
    qs = purchases(actor, person_id)
    by_currency: dict[str, Decimal] = {}
    order_count = 0
    for row in qs.values("currency").annotate(total=Sum("amount"), n=Count("id")):
        by_currency[row["currency"]] = row["total"]
        order_count += row["n"]
    dates = qs.aggregate(last=Max("occurred_at"))
    first = qs.order_by("occurred_at").values_list("occurred_at", flat=True).first()
    return {
        "order_count": order_count,
        "by_currency": by_currency,
        "first_purchase_at": first,
        "last_purchase_at": dates["last"],
    }


def counts_by_name(actor: Actor, *, since: datetime | None = None) -> list[tuple[str, int]]:
    """How many events of each name (since ``since``), most frequent first."""
    qs = events(actor, since=since)
    rows = qs.values("name").annotate(n=Count("id")).order_by("-n", "name")
    return [(r["name"], r["n"]) for r in rows[:30]]


def per_day(
    actor: Actor, *, days: int = 30, name: str | None = None, person_id: int | None = None
) -> list[tuple[date, int]]:
    """Events per day over the last ``days`` days (days without events count 0)."""
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    qs = events(actor, since=since, name=name, person_id=person_id)
    found = {
        r["day"]: r["n"]
        for r in qs.annotate(day=TruncDate("occurred_at")).values("day").annotate(n=Count("id"))
    }
    return [
        (start + timedelta(days=i), found.get(start + timedelta(days=i), 0)) for i in range(days)
    ]


def endpoints(actor: Actor) -> QuerySet[InboundEndpoint]:
    require(actor, "settings.manage")
    return InboundEndpoint.objects.for_workspace(actor.workspace)


def get_endpoint(actor: Actor, endpoint_id: int) -> InboundEndpoint:
    found = endpoints(actor).filter(pk=endpoint_id).first()
    if found is None:
        raise NotFound(_("No inbound endpoint with id %(id)s.") % {"id": endpoint_id})
    return found


def receipts(actor: Actor, endpoint_id: int) -> QuerySet[InboundReceipt]:
    endpoint = get_endpoint(actor, endpoint_id)
    return InboundReceipt.objects.for_workspace(actor.workspace).filter(endpoint=endpoint)


# --- customer value (the stored RFM scores), for the API and the person page ---------------


def customer_value_summary(actor: Actor) -> dict[str, Any]:
    """How many people are in each segment (every segment, best first) and churn-risk level,
    the value at stake, the CLV model's fit, and as of when."""
    require(actor, "insights.view")
    qs = CustomerValue.objects.for_workspace(actor.workspace)
    counts = dict(qs.values_list("segment").annotate(n=Count("id")).order_by())
    latest = qs.aggregate(day=Max("analysis_date"), at=Max("computed_at"))
    risks = {
        r["churn_risk"]: r
        for r in qs.values("churn_risk")
        .annotate(n=Count("id"), stake=Sum("value_at_stake"), clv=Sum("clv"))
        .order_by()
    }
    totals = qs.aggregate(clv=Sum("clv"), expected=Sum("expected_purchases"))
    return {
        "model": clv_model(actor),
        "total_clv": totals["clv"],
        "total_expected_purchases": totals["expected"],
        "churn": [
            {
                "risk": level.value,
                "label": str(level.label),
                "people": risks.get(level.value, {}).get("n", 0),
                "value_at_stake": risks.get(level.value, {}).get("stake") or Decimal(0),
            }
            for level in ChurnRisk
        ],
        "analysis_date": latest["day"],
        "computed_at": latest["at"],
        "currency": actor.workspace.default_currency,
        "people": sum(counts.values()),
        "segments": [
            {"segment": s.value, "label": str(s.label), "people": counts.get(s.value, 0)}
            for s in Segment
        ],
    }


def customer_value_of(actor: Actor, person_id: int) -> CustomerValue | None:
    """A live person's stored RFM row (404 when the person is not in the workspace)."""
    get_person(actor, person_id)
    return CustomerValue.objects.for_workspace(actor.workspace).filter(person_id=person_id).first()


MODEL_PARAMS = ("r", "alpha", "a", "b", "p", "q", "gamma")


def clv_model(actor: Actor) -> dict[str, Any] | None:
    """The workspace's last CLV fit: parameters (time in days), diagnostics and warnings in the
    reader's language (None before the first recompute)."""
    require(actor, "insights.view")
    fit = CustomerValueModel.objects.for_workspace(actor.workspace).first()
    if fit is None:
        return None
    return {
        "analysis_date": fit.analysis_date,
        "computed_at": fit.computed_at,
        "currency": fit.currency,
        "time_unit": "days",
        "horizon_days": 365,
        "fitted": fit.bgnbd_converged,
        "customers": fit.customers,
        "repeat_buyers": fit.repeat_buyers,
        "parameters": {name: getattr(fit, name) for name in MODEL_PARAMS},
        "bgnbd_log_likelihood": fit.bgnbd_log_likelihood,
        "bgnbd_converged": fit.bgnbd_converged,
        "gamma_gamma_log_likelihood": fit.gamma_gamma_log_likelihood,
        "gamma_gamma_converged": fit.gamma_gamma_converged,
        "spend_frequency_correlation": fit.spend_frequency_correlation,
        "fit_seconds": fit.fit_seconds,
        "warnings": [
            {
                "code": w.get("code", ""),
                "params": w.get("params", {}),
                "message": warning_text(w.get("code", ""), w.get("params")),
            }
            for w in fit.warnings
        ],
    }


def churn_reason_of(row: CustomerValue) -> str:
    """The row's churn-risk reason in the reader's language."""
    return churn_reason_text(row.churn_reason, row.churn_params)


def customers_at_risk(actor: Actor, levels: Sequence[str] | None = None) -> QuerySet[CustomerValue]:
    """Live customers whose churn risk is one of ``levels`` (default high and medium), with their
    person; the caller orders (the API pages by value at stake, highest first)."""
    require(actor, "insights.view")
    wanted = levels or [ChurnRisk.HIGH, ChurnRisk.MEDIUM]
    return (
        CustomerValue.objects.for_workspace(actor.workspace)
        .filter(churn_risk__in=wanted, person__deleted_at__isnull=True)
        .select_related("person")
    )


def p_alive_histogram(actor: Actor, bins: int = 10) -> list[int]:
    """How many customers' probability alive falls in each tenth (0-10%, ..., 90-100%)."""
    require(actor, "insights.view")
    counts = [0] * bins
    rows = CustomerValue.objects.for_workspace(actor.workspace).filter(p_alive__isnull=False)
    for value in rows.values_list("p_alive", flat=True).iterator(chunk_size=20000):
        counts[min(int(value * bins), bins - 1)] += 1
    return counts


def customers_in_tier(actor: Actor, tier: str) -> QuerySet[CustomerValue]:
    """Live customers of a tier (``mvc``, ``mgc``) or the problem customers (``problem``), with
    their person; the caller orders (the API pages by growth gap or value)."""
    require(actor, "insights.view")
    rows = CustomerValue.objects.for_workspace(actor.workspace).filter(
        person__deleted_at__isnull=True
    )
    rows = rows.filter(is_problem=True) if tier == "problem" else rows.filter(tier=tier)
    return rows.select_related("person")


def tier_counts(actor: Actor) -> dict[str, int]:
    """How many customers each tier holds, and the problem customers."""
    require(actor, "insights.view")
    rows = CustomerValue.objects.for_workspace(actor.workspace).filter(
        person__deleted_at__isnull=True
    )
    found = dict(rows.exclude(tier="").values_list("tier").annotate(n=Count("pk")))
    return {
        "mvc": found.get("mvc", 0),
        "mgc": found.get("mgc", 0),
        "problem": rows.filter(is_problem=True).count(),
    }


ROLLUP_PEOPLE_PATHS = {
    "owner": "owner_id",
    "source": "source",
    "lifecycle_stage": "lifecycle_stage__key",
}


# --- the hourly purchase roll-up (kept by vinculo.events.services.rollup) ---------------------


def _rollup_live_people(scope: Scope) -> QuerySet:
    return Person.objects.for_workspace(scope.workspace).filter(deleted_at__isnull=True)


def _cut(scope: Scope) -> bool:
    return any(
        v is not None
        for v in (scope.owner_id, scope.team_id, scope.source, scope.lifecycle_stage, scope.segment)
    )


def purchase_columns(scope: Scope, request: Request, *, currency: str | None) -> Columns:
    """The purchases of ``request``'s span in ``currency`` (None: every currency) as columns."""
    hours = PurchaseHour.objects.for_workspace(scope.workspace).filter(
        hour__gte=request.since, hour__lt=request.until
    )
    if currency is not None:
        hours = hours.filter(currency=currency)
    if not request.people and not _cut(scope):
        binned = few_binned(scope.workspace)
        if binned is not None:
            return _rolled_up(scope, hours, request, currency, binned)
    columns = ["kpi_t", "orders", "people", *(["cents"] if request.cents else [])]
    rows = list(hours.annotate(kpi_t=Epoch("hour")).values_list(*columns).order_by())
    orders = np.array([r[1] for r in rows], dtype=np.int64)
    time = np.repeat(np.array([r[0] for r in rows], dtype=np.int64), orders)
    who = np.frombuffer(b"".join(r[2] for r in rows), dtype=PACKED)
    cents = (
        np.frombuffer(b"".join(r[3] for r in rows), dtype=PACKED)
        if request.cents
        else np.zeros(len(who), dtype=np.int64)
    )
    if _cut(scope):
        people = narrow(_rollup_live_people(scope), scope, ROLLUP_PEOPLE_PATHS, {"person": "pk"})
        keep = np.isin(who, np.fromiter(people.values_list("pk", flat=True), dtype=np.int64))
    else:
        gone = binned_people(scope.workspace).values_list("pk", flat=True)
        keep = ~np.isin(who, np.fromiter(gone, dtype=np.int64))
    time, who, cents = time[keep], who[keep], cents[keep]
    found = Columns(time=time, weight=np.ones(len(who), dtype=np.int64), cents=cents, who=who)
    if request.group_by is not None:
        found.group, found.labels = _groups(scope, request.group_by, who)
    return found


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _rolled_up(
    scope: Scope, hours: QuerySet, request: Request, currency: str | None, binned_ids: list[int]
) -> Columns:
    """The hours' counts and sums, less the purchases of the binned people (a few: each of
    their purchases a row taken away, read by person)."""
    rows = list(
        hours.annotate(kpi_t=Epoch("hour")).values_list("kpi_t", "orders", "amount").order_by()
    )
    binned = Purchase.objects.for_workspace(scope.workspace).filter(
        person_id__in=binned_ids,
        occurred_at__gte=request.since,
        occurred_at__lt=request.until,
    )
    if currency is not None:
        binned = binned.filter(currency=currency)
    gone = list(binned.values_list("occurred_at", "amount"))
    return Columns(
        time=np.array([r[0] for r in rows] + [_epoch(t) for t, _a in gone], np.int64),
        weight=np.array([r[1] for r in rows] + [-1] * len(gone), dtype=np.int64),
        cents=np.array(
            [int(r[2].scaleb(2)) for r in rows] + [-int(a.scaleb(2)) for _t, a in gone],
            dtype=np.int64,
        ),
    )


def _groups(scope: Scope, group_by: str, who: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Each row's group (its person's owner, source or lifecycle stage) as a code, and what
    each code stands for."""
    pairs = list(
        _rollup_live_people(scope).values_list("pk", ROLLUP_PEOPLE_PATHS[group_by]).order_by("pk")
    )
    codes: dict[Any, int] = {}
    ids = np.array([p for p, _g in pairs], dtype=np.int64)
    of_person = np.array([codes.setdefault(g, len(codes)) for _p, g in pairs], dtype=np.int64)
    if not len(ids):
        return np.zeros(len(who), dtype=np.int64), list(codes)
    # Every row's person is live (the others were left out): found among the ids.
    return of_person[np.minimum(np.searchsorted(ids, who), len(ids) - 1)], list(codes)


def purchases_until(
    workspace: Any, until: datetime
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Every purchase of live people before ``until`` (a whole hour) from the roll-up: each
    one's hour (epoch seconds), person, cents and currency (an index into the list returned
    last)."""
    rows = list(
        PurchaseHour.objects.for_workspace(workspace)
        .filter(hour__lt=until)
        .annotate(kpi_t=Epoch("hour"))
        .values_list("kpi_t", "currency", "orders", "people", "cents")
        .order_by()
    )
    currencies = sorted({r[1] for r in rows})
    index = {c: i for i, c in enumerate(currencies)}
    orders = np.array([r[2] for r in rows], dtype=np.int64)
    time = np.repeat(np.array([r[0] for r in rows], dtype=np.int64), orders)
    code = np.repeat(np.array([index[r[1]] for r in rows], dtype=np.int64), orders)
    who = np.frombuffer(b"".join(r[3] for r in rows), dtype=PACKED)
    cents = np.frombuffer(b"".join(r[4] for r in rows), dtype=PACKED)
    gone = binned_people(workspace).values_list("pk", flat=True)
    keep = ~np.isin(who, np.fromiter(gone, dtype=np.int64))
    return time[keep], who[keep], cents[keep], code[keep], currencies
