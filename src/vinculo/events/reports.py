"""Cohort retention from the purchase history (registered as the ``purchases`` basis of
:mod:`vinculo.core.reports` in :class:`vinculo.events.apps.EventsConfig`).

A person's cohort is the month (in the workspace's time zone) of their first purchase ever; the
report keeps the cohorts of the months asked. At month offset k a cohort's retained are its
people who bought in the k-th month after the cohort's (offset 0: everyone), and its revenue is
what they spent in that month in the report's currency. Purchases of binned people are left out,
as the purchase KPIs leave them out. docs/kpis.md ("Reports") gives the definition."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

import numpy as np
from django.db.models import Case, DecimalField, F, Min, Sum, When
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy

from vinculo.core.actor import Actor
from vinculo.core.filters.context import workspace_tz
from vinculo.core.kpis.buckets import bucket_of
from vinculo.core.kpis.engine import moment
from vinculo.core.permissions import require
from vinculo.core.reports import CohortRow, Cohorts, add_months, month_of, months_between
from vinculo.events.kpis import purchases
from vinculo.events.selectors import purchases_until
from vinculo.sales.reports import pick_currency

LABEL = gettext_lazy("Purchases")
CENTS = Decimal("0.01")


def purchase_cohorts(
    actor: Actor, *, first: date, last: date, currency: str | None = None
) -> Cohorts:
    """The purchase cohorts of the months ``first``..``last`` (first days), each followed to
    ``last``; revenue in ``currency`` (default: the workspace's)."""
    require(actor, "insights.view")
    code = pick_currency(actor, currency)
    tz = workspace_tz(actor)
    months = [add_months(first, i) for i in range(months_between(first, last) + 2)]
    edges = [moment(m, tz) for m in months]
    since, until = edges[0], edges[-1]
    if all(int(e.timestamp()) % 3600 == 0 for e in edges):  # months of whole UTC hours
        return Cohorts("purchases", first, last, _from_rollup(actor, months, edges, code), code)
    rows = purchases(actor.workspace)
    firsts = (
        rows.values("person_id")
        .annotate(first_at=Min("occurred_at"))
        .filter(first_at__gte=since, first_at__lt=until)
        .order_by()
    )
    cohort_of = {
        person: month_of(at, tz) for person, at in firsts.values_list("person_id", "first_at")
    }
    bought: dict[int, set[date]] = defaultdict(set)
    revenue: dict[tuple[date, int], Decimal] = defaultdict(Decimal)
    # The cohorts' people's purchases of the range, one row per person and month (in the
    # database: a year of everyone's purchases is not read into Python).
    spent = Case(When(kpi_code=code, then=F("amount")), default=None)
    later = (
        rows.filter(occurred_at__gte=since, occurred_at__lt=until)
        .filter(person_id__in=firsts.values("person_id"))
        .annotate(kpi_month=bucket_of("occurred_at", edges), kpi_code=Upper("currency"))
        .values("person_id", "kpi_month")
        .annotate(kpi_spent=Sum(spent, output_field=DecimalField(max_digits=20, decimal_places=2)))
        .order_by()
    )
    for person, index, amount in later.values_list("person_id", "kpi_month", "kpi_spent"):
        cohort = cohort_of.get(person)
        if cohort is None:
            continue
        month = months[index]
        bought[person].add(month)
        if amount is not None:
            revenue[(cohort, months_between(cohort, month))] += amount
    return Cohorts("purchases", first, last, _rows(cohort_of, bought, revenue, first, last), code)


def _from_rollup(
    actor: Actor, months: list[date], edges: list[datetime], code: str
) -> list[CohortRow]:
    """The cohorts from the hourly purchase roll-up (:mod:`vinculo.events.services.rollup`), counted
    with numpy: each person's first purchase ever, their (cohort, month offset) pairs, the
    revenue in ``code``. Used when the months' edges are whole hours (any zone of whole
    hours); the same rows as reading the purchases."""
    time, who, cents, currency, codes = purchases_until(actor.workspace, edges[-1])
    cohorts = len(months) - 1  # the months asked (the last edge ends the last one)
    bounds = np.array([int(e.timestamp()) for e in edges], dtype=np.int64)
    order = np.lexsort((time, who))
    who, time, cents, currency = who[order], time[order], cents[order], currency[order]
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if len(who) else np.array([], int)
    people = who[starts]
    cohort_of = np.searchsorted(bounds, time[starts], side="right") - 1  # -1: before the range
    sizes = np.bincount(cohort_of[cohort_of >= 0], minlength=cohorts)
    mine = cohort_of[np.searchsorted(people, who)] if len(people) else cohort_of
    month = np.searchsorted(bounds, time, side="right") - 1
    counted = (mine >= 0) & (month >= 0)
    cell = mine[counted] * cohorts + (month[counted] - mine[counted])
    pairs = np.unique(np.stack([who[counted], cell], axis=1), axis=0)
    retained = np.bincount(pairs[:, 1], minlength=cohorts * cohorts).reshape(cohorts, cohorts)
    spent = np.zeros(cohorts * cohorts, dtype=np.int64)
    paid = currency[counted] == (codes.index(code) if code in codes else -1)
    np.add.at(spent, cell[paid], cents[counted][paid])
    revenue = spent.reshape(cohorts, cohorts)
    return [
        CohortRow(
            months[i],
            int(sizes[i]),
            [int(n) for n in retained[i, : cohorts - i]],
            [(Decimal(int(c)) / 100).quantize(CENTS) for c in revenue[i, : cohorts - i]],
        )
        for i in range(cohorts)
    ]


def _rows(
    cohort_of: dict[int, date],
    bought: dict[int, set[date]],
    revenue: dict[tuple[date, int], Decimal],
    first: date,
    last: date,
) -> list[CohortRow]:
    members: dict[date, list[int]] = defaultdict(list)
    for person, cohort in cohort_of.items():
        members[cohort].append(person)
    out = []
    for i in range(months_between(first, last) + 1):
        cohort = add_months(first, i)
        people = members.get(cohort, [])
        span = months_between(cohort, last) + 1
        retained = [
            sum(1 for p in people if add_months(cohort, k) in bought[p]) for k in range(span)
        ]
        money = [revenue.get((cohort, k), Decimal(0)).quantize(CENTS) for k in range(span)]
        out.append(CohortRow(cohort, len(people), retained, money))
    return out
