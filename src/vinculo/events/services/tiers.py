"""IDIC's *differentiate* step on the customer-value rows (docs/kpis.md, "Most valuable, most
growable and problem customers"): the most valuable customers (MVC), the most growable (MGC: the
largest gap between what customers like them spend and what they spend), and problem customers
(late payments; a cost to serve above their revenue). Assigned by :func:`assign` on the rows a
recompute is about to write, so the tiers always match the scores beside them; each with its
reason as a code plus parameters (worded when read, :mod:`vinculo.events.tier_text`)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from vinculo.activities.models import Activity
from vinculo.contacts.models import Person
from vinculo.core.actor import Actor
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters.context import workspace_tz
from vinculo.core.permissions import require
from vinculo.core.text import fold
from vinculo.events.models import CustomerValue, Tier, TrackedEvent, ValueSettings

LATE_EVENTS = ("payment.late", "invoice.overdue")
YEAR_DAYS = 365
MIN_PEERS = 5  # customers like them needed before a potential is read from them
POTENTIAL_QUANTILE = 0.8  # the potential: what the top fifth of their peers spend
MAX_TENURE_YEARS = 3  # peers by whole years as customers, three and more together
CENT = Decimal("0.01")


def settings_of(workspace: Any) -> ValueSettings:
    """The workspace's value settings, or the defaults (unsaved: reads never write)."""
    found = ValueSettings.objects.for_workspace(workspace).first()
    return found or ValueSettings(workspace=workspace)


def save_value_settings(actor: Actor, data: Mapping[str, Any]) -> ValueSettings:
    """Set the hourly cost (money, ≥ 0, or empty: no cost to serve is worked out) and the share
    of customers per tier (1 to 50 %). Unknown keys and bad values are refused by name."""
    require(actor, "settings.manage")
    unknown = sorted(set(data) - {"hourly_cost", "tier_percent"})
    if unknown:
        raise ValidationFailed.field(unknown[0], _("This field is not known."), "unknown")
    current = settings_of(actor.workspace)
    if "hourly_cost" in data:
        current.hourly_cost = _hourly_cost(data["hourly_cost"])
    if "tier_percent" in data:
        current.tier_percent = _tier_percent(data["tier_percent"])
    current.save()
    return current


def _hourly_cost(raw: Any) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).replace(",", ".")) if not isinstance(raw, bool) else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value >= Decimal("1e10"):
        raise ValidationFailed.field(
            "hourly_cost", _("Give the hourly cost as an amount of zero or more.")
        )
    return value.quantize(CENT)


def _tier_percent(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int | str) or not str(raw).isdigit():
        raise ValidationFailed.field("tier_percent", _("Give a whole number from 1 to 50."))
    value = int(raw)
    if not 1 <= value <= 50:
        raise ValidationFailed.field("tier_percent", _("Give a whole number from 1 to 50."))
    return value


def assign(
    actor: Actor, rows: Sequence[CustomerValue], yearly: Mapping[int, Decimal], day: date
) -> None:
    """Set tier, growth gap and problems on ``rows`` (not yet saved). ``yearly``: each person's
    yearly spend in the workspace's currency (what they spent per year of their history, a year
    at least: the CLV summaries' figure)."""
    settings = settings_of(actor.workspace)
    spend = {row.person_id: yearly.get(row.person_id, Decimal(0)) for row in rows}
    _tiers(actor, rows, spend, settings.tier_percent)
    _problems(actor, rows, spend, settings.hourly_cost, day)


def _share(count: int, percent: int) -> int:
    return math.ceil(count * percent / 100) if count else 0


def _tiers(
    actor: Actor, rows: Sequence[CustomerValue], spend: Mapping[int, Decimal], percent: int
) -> None:
    """MVC: the top ``percent`` by predicted 12-month value where the model gave one, else by the
    last year's spend. MGC: of the others, the top ``percent`` by growth gap."""
    for row in rows:
        row.tier, row.tier_reason, row.tier_params, row.growth_gap = "", "", {}, None
    valued = [r for r in rows if _worth(r, spend) > 0]
    valued.sort(key=lambda r: (-_worth(r, spend), r.person_id))
    for rank, row in enumerate(valued[: _share(len(valued), percent)], start=1):
        row.tier = Tier.MVC
        by_clv = row.clv is not None
        row.tier_reason = "mvc_clv" if by_clv else "mvc_spend"
        row.tier_params = {
            "value": str(_worth(row, spend)),
            "rank": rank,
            "customers": len(valued),
            "percent": percent,
        }
    gaps = _growth_gaps(actor, rows, spend)
    growable = [r for r in rows if r.tier != Tier.MVC and r.person_id in gaps]
    growable.sort(key=lambda r: (-gaps[r.person_id][0], r.person_id))
    for row in rows:
        if row.person_id in gaps:
            row.growth_gap = gaps[row.person_id][0]
    for row in growable[: _share(len(rows), percent)]:
        gap, potential, peers, source, years = gaps[row.person_id]
        row.tier, row.tier_reason = Tier.MGC, "mgc_gap"
        row.tier_params = {
            "spend": str(spend[row.person_id]),
            "potential": str(potential),
            "gap": str(gap),
            "peers": peers,
            "source": source,
            "years": years,
        }


def _worth(row: CustomerValue, spend: Mapping[int, Decimal]) -> Decimal:
    return Decimal(row.clv) if row.clv is not None else spend[row.person_id]


def _growth_gaps(
    actor: Actor, rows: Sequence[CustomerValue], spend: Mapping[int, Decimal]
) -> dict[int, tuple[Decimal, Decimal, int, str, int]]:
    """Per person with a positive gap: (gap, potential, peers, source, whole years as a
    customer). Peers: customers with the same source (folded) and the same whole years since
    their first purchase (three and more together); the potential is the peers' 80th percentile
    of last year's spend, read only from at least :data:`MIN_PEERS` peers."""
    # Every person's source read once, kept for the customers: a list of 100,000 ids in one
    # IN clause passes SQLite's limit of variables per statement.
    ids = {r.person_id for r in rows}
    sources: dict[int, str] = {}
    people = Person.objects.for_workspace(actor.workspace).values_list("pk", "source")
    for pk, source in people.iterator(chunk_size=5000):
        if pk in ids:
            sources[pk] = (source or "").strip()
    groups: dict[tuple[str, int], list[CustomerValue]] = defaultdict(list)
    for row in rows:
        years = min(row.age_days // YEAR_DAYS, MAX_TENURE_YEARS)
        groups[(fold(sources.get(row.person_id, "")), years)].append(row)
    out: dict[int, tuple[Decimal, Decimal, int, str, int]] = {}
    for (_key, years), members in groups.items():
        if len(members) < MIN_PEERS:
            continue
        potential = _quantile(sorted(spend[m.person_id] for m in members), POTENTIAL_QUANTILE)
        for member in members:
            gap = (potential - spend[member.person_id]).quantize(CENT)
            if gap > 0:
                source = sources.get(member.person_id, "")
                out[member.person_id] = (gap, potential, len(members), source, years)
    return out


def _quantile(ordered: Sequence[Decimal], q: float) -> Decimal:
    """The ``q`` quantile by linear interpolation between closest ranks (numpy's default)."""
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = Decimal(str(round(position - low, 6)))
    return (ordered[low] + (ordered[high] - ordered[low]) * fraction).quantize(CENT)


def _problems(
    actor: Actor,
    rows: Sequence[CustomerValue],
    spend: Mapping[int, Decimal],
    hourly_cost: Decimal | None,
    day: date,
) -> None:
    """Late payments (``payment.late`` / ``invoice.overdue`` events in the last 365 days) and,
    with an hourly cost set, a cost to serve (logged activity time at that cost) above the
    yearly spend."""
    tz = workspace_tz(actor)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    start = end - timedelta(days=YEAR_DAYS)
    late = _late_payments(actor, start, end)
    hours = _hours_served(actor, start, end) if hourly_cost is not None else {}
    for row in rows:
        found = []
        count, last = late.get(row.person_id, (0, None))
        if count:
            found.append({"code": "late_payments", "params": {"count": count, "last": last}})
        if hourly_cost is not None and row.person_id in hours:
            seconds = hours[row.person_id]
            cost = (Decimal(seconds) / 3600 * hourly_cost).quantize(CENT)
            revenue = spend[row.person_id]
            if cost > revenue:
                found.append(
                    {
                        "code": "unprofitable",
                        "params": {
                            "hours": round(seconds / 3600, 1),
                            "cost": str(cost),
                            "revenue": str(revenue),
                            "hourly_cost": str(hourly_cost),
                        },
                    }
                )
        row.problems, row.is_problem = found, bool(found)


def _late_payments(actor: Actor, start: datetime, end: datetime) -> dict[int, tuple[int, str]]:
    events = TrackedEvent.objects.for_workspace(actor.workspace).filter(
        name__in=LATE_EVENTS, person__isnull=False, occurred_at__gte=start, occurred_at__lt=end
    )
    tz = workspace_tz(actor)
    return {
        pk: (count, last.astimezone(tz).date().isoformat())
        for pk, count, last in events.values("person_id")
        .annotate(count=Count("pk"), last=Max("occurred_at"))
        .values_list("person_id", "count", "last")
    }


def _hours_served(actor: Actor, start: datetime, end: datetime) -> dict[int, int]:
    """Seconds of logged activity per person in the window."""
    logged = Activity.objects.for_workspace(actor.workspace).filter(
        person__isnull=False,
        occurred_at__gte=start,
        occurred_at__lt=end,
        duration_seconds__gt=0,
    )
    return {
        pk: int(total)
        for pk, total in logged.values("person_id")
        .annotate(total=Sum("duration_seconds"))
        .values_list("person_id", "total")
    }
