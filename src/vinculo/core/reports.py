"""Reports that an app computes and another floor shows: the cohort retention table.

A cohort report is computed by the app that owns its data (purchases by ``events``, the
lifecycle by ``contacts``), registered in its ``AppConfig.ready()`` under its basis, and read
through :func:`cohort_report` by the API and the Insights screens, which may not import the app
(feature apps do not import each other). Every basis answers with the same :class:`Cohorts`.

Months are the workspace's calendar months: a cohort is the month its people entered (first
purchase, first day as a customer), and its row says, for each month from that one (offset 0)
to the last month asked, how many of them were retained in that month. docs/kpis.md ("Reports")
gives each basis' rule."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import ValidationFailed

MAX_MONTHS = 36  # a longer range is refused, as the KPIs refuse more than three years
MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2})?$")


@dataclass
class CohortRow:
    """One cohort: its month, how many entered, and per month offset (0 = the cohort's month)
    how many were retained and, for purchases, their revenue in the report's currency."""

    month: date  # the month's first day
    size: int
    retained: list[int]
    revenue: list[Decimal] | None = None

    @property
    def shares(self) -> list[float | None]:
        return [n / self.size if self.size else None for n in self.retained]

    @property
    def churned(self) -> list[int]:
        return [self.size - n for n in self.retained]

    @property
    def revenue_shares(self) -> list[float | None] | None:
        """Each month's revenue over the cohort's first month's (None when that was 0)."""
        if self.revenue is None:
            return None
        first = self.revenue[0] if self.revenue else Decimal(0)
        return [float(r / first) if first else None for r in self.revenue]


@dataclass
class Cohorts:
    basis: str
    first: date  # the first cohort month's first day
    last: date  # the last month's first day (cohorts and observation end there)
    rows: list[CohortRow] = field(default_factory=list)
    currency: str = ""  # of the revenue (purchases only)

    @property
    def offsets(self) -> int:
        """How many month offsets the table has (the first cohort's months to the last)."""
        return months_between(self.first, self.last) + 1

    @property
    def average(self) -> list[float | None]:
        """Per offset, the retained over the sizes of the cohorts that reached it (weighted)."""
        out: list[float | None] = []
        for k in range(self.offsets):
            reached = [r for r in self.rows if k < len(r.retained)]
            size = sum(r.size for r in reached)
            out.append(sum(r.retained[k] for r in reached) / size if size else None)
        return out


class CohortFunction(Protocol):
    def __call__(
        self, actor: Actor, *, first: date, last: date, currency: str | None = None
    ) -> Cohorts: ...


_COHORTS: dict[str, CohortFunction] = {}
_LABELS: dict[str, Any] = {}


def register_cohorts(basis: str, function: CohortFunction, label: Any) -> None:
    """Declare a cohort basis (from the owning app's ``ready()``); ``label`` names it."""
    _COHORTS[basis] = function
    _LABELS[basis] = label


def cohort_bases() -> list[tuple[str, Any]]:
    """(basis, label) of every registered basis, purchases first."""
    return sorted(_LABELS.items(), key=lambda item: (item[0] != "purchases", item[0]))


def cohort_report(
    actor: Actor, basis: str, *, first: date, last: date, currency: str | None = None
) -> Cohorts:
    """The cohorts of ``first``..``last`` (months) on ``basis``; 422 ``basis`` for an unknown
    one, ``to`` when the last month comes first, ``from`` beyond 36 months."""
    function = _COHORTS.get(basis)
    if function is None:
        raise ValidationFailed.field(
            "basis",
            _("Choose a basis: %(bases)s.") % {"bases": ", ".join(sorted(_COHORTS))},
            "invalid",
        )
    check_months(first, last)
    return function(actor, first=first, last=last, currency=currency)


# --- months -------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s."""
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def months_between(first: date, later: date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def month_of(moment: datetime, tz: Any) -> date:
    """The first day of the month ``moment`` falls in, in ``tz``."""
    local = moment.astimezone(tz)
    return date(local.year, local.month, 1)


def parse_month(text: str | None, name: str, default: date) -> date:
    """``YYYY-MM`` (or a day, whose month is taken) as the month's first day; 422 ``name``."""
    raw = (text or "").strip()
    if not raw:
        return default.replace(day=1)
    found = MONTH.match(raw)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValidationFailed.field(name, _("Give a month as YYYY-MM."), "invalid")
    return date(int(found.group(1)), int(found.group(2)), 1)


def check_months(first: date, last: date) -> None:
    if last < first:
        raise ValidationFailed.field("to", _("The end comes before the start."), "invalid")
    if months_between(first, last) + 1 > MAX_MONTHS:
        raise ValidationFailed.field(
            "from", _("Ask for at most three years at a time."), "too_long"
        )
