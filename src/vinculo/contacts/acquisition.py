"""Acquisition KPIs: referrals and the customer acquisition cost (CAC), registered with the
other contacts KPIs (:mod:`vinculo.contacts.kpis`); docs/kpis.md gives the definitions.

CAC divides the spend entered per month and channel (:class:`~vinculo.contacts.models.Spend`)
by the new customers (the ``new_customers`` KPI). A month's spend is spread evenly over its
days, so a week or a period that cuts a month carries its share. Channels pair with people's
sources by their folded form (case, accents as typed, blanks collapsed)."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from vinculo.contacts.models import Person, Spend
from vinculo.core.currency import month_of
from vinculo.core.kpis import Computed, Frame, Measurement, Scope, measure
from vinculo.core.tenancy import Workspace
from vinculo.core.text import fold

# A source is a referral when one of its words (folded) is one of these.
REFERRAL_WORDS = frozenset(
    {
        "referral",
        "referrals",
        "referred",
        "indicação",
        "indicações",
        "indicacao",
        "indicacoes",
        "indicado",
        "indicada",
    }
)
_WORD = re.compile(r"\w+")


def is_referral(source: str) -> bool:
    return any(word in REFERRAL_WORDS for word in _WORD.findall(fold(source)))


def referral_sources(workspace: Workspace) -> list[str]:
    """The sources of the workspace's people that name a referral ("Indicação", "referral
    from a client"), folded here rather than in SQL."""
    sources = (
        Person.objects.for_workspace(workspace)
        .exclude(source="")
        .order_by()
        .values_list("source", flat=True)
        .distinct()
    )
    return [s for s in sources if is_referral(s)]


def referred_people(scope: Scope) -> QuerySet:
    return Person.objects.for_workspace(scope.workspace).filter(
        deleted_at__isnull=True, source__in=referral_sources(scope.workspace)
    )


# --- CAC --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    first: date
    last: date
    key: str  # the channel folded
    channel: str
    amount: Decimal


def spend_rows(scope: Scope) -> QuerySet:
    return Spend.objects.for_workspace(scope.workspace)


def _entries(scope: Scope, frame: Frame) -> list[_Entry]:
    """The spend of the months the two periods touch, in the scope's currency or converted
    (an entry whose currency has no rate that month is left out; the frame's converter says
    so)."""
    qs = spend_rows(scope).filter(
        month__gte=month_of(frame.previous_start), month__lte=month_of(frame.end)
    )
    if scope.source is not None:
        qs = qs.filter(channel_key=fold(scope.source))
    if frame.rate is None:
        qs = qs.filter(currency=scope.currency)
    out = []
    for spend in qs:
        amount = spend.amount
        if frame.rate is not None:
            rate = frame.rate(spend.currency, spend.month)
            if rate is None:
                continue
            amount = amount * rate
        days = calendar.monthrange(spend.month.year, spend.month.month)[1]
        last = spend.month.replace(day=days)
        out.append(_Entry(spend.month, last, spend.channel_key, spend.channel, amount))
    return out


def _spent(entries: list[_Entry], first: date, last: date) -> Decimal:
    """The spend falling on ``first``..``last``: each month's amount times the share of its
    days inside."""
    total = Decimal(0)
    for e in entries:
        days = (min(last, e.last) - max(first, e.first)).days + 1
        if days > 0:
            total += e.amount * days / ((e.last - e.first).days + 1)
    return total


def _ratio(spent: Decimal, customers: Any) -> Decimal | None:
    return spent / customers if customers else None


def _groups(entries: list[_Entry], frame: Frame, customers: Measurement) -> dict[Any, Any]:
    """CAC per channel/source: the channel's spend ÷ the new customers whose source folds the
    same; a source without spend costs 0, a channel without new customers has no value."""
    counts: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    for key, _label, count in customers.groups:
        folded = fold(key or "")
        counts[folded] += count or 0
        labels.setdefault(folded, key)
    by_channel: dict[str, list[_Entry]] = defaultdict(list)
    for e in entries:
        by_channel[e.key].append(e)
        labels.setdefault(e.key, e.channel)
    out: dict[Any, Any] = {}
    for key in set(counts) | set(by_channel):
        spent = _spent(by_channel.get(key, []), frame.start, frame.end)
        if spent or counts.get(key):
            out[labels[key]] = _ratio(spent, counts.get(key))
    return out


def cac(scope: Scope, frame: Frame) -> Computed:
    """Spend ÷ new customers in the period, in each bucket and the previous period. Cut by a
    source, the new customers are those whose source folds like it (as the channel)."""
    same_source = {"field": "source", "op": "eq", "value": scope.source}
    customers = measure(
        "new_customers",
        replace(scope, currency="", source=None, segment=same_source if scope.source else None),
        start=frame.start,
        end=frame.end,
        grain=frame.grain,
        group_by="source" if frame.group_by else None,
    )
    entries = _entries(scope, frame)
    series = [
        _ratio(_spent(entries, point.start, point.end), point.value) for point in customers.series
    ]
    return Computed(
        series=series,
        value=_ratio(_spent(entries, frame.start, frame.end), customers.value),
        previous=_ratio(
            _spent(entries, frame.previous_start, frame.previous_end), customers.previous
        ),
        groups=_groups(entries, frame, customers) if frame.group_by else {},
    )
