"""Measuring a registered KPI over a period: windows in the workspace's time zone, one query for
the period and the previous one, buckets at the grain, aggregation, groups."""

from __future__ import annotations

import bisect
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from vinculo.core.currency import Converter
from vinculo.core.errors import NotFound, ValidationFailed
from vinculo.core.filters import apply_filter, filter_object
from vinculo.core.filters.context import workspace_tz
from vinculo.core.kpis import snapshots
from vinculo.core.kpis.buckets import bucket_of
from vinculo.core.kpis.columnar import measure_columns
from vinculo.core.kpis.registry import (
    DIMENSIONS,
    Aggregate,
    Frame,
    Grain,
    Kpi,
    Measurement,
    Point,
    Scope,
    Unit,
    get,
)
from vinculo.core.kpis.retention import WINDOWED, measure_retention
from vinculo.core.kpis.snapshots import SWEPT
from vinculo.core.kpis.sql import in_sql, measure_in_sql
from vinculo.core.tenancy import Membership, TeamMember

MAX_DAYS = 3 * 366  # a longer period is refused (at day grain, ~1,100 points)
MAX_BUCKETS = 400


def _next_start(day: date, grain: Grain) -> date:
    if grain is Grain.DAY:
        return day + timedelta(days=1)
    if grain is Grain.WEEK:
        return day + timedelta(days=7 - day.weekday())
    months = 1 if grain is Grain.MONTH else 3 - (day.month - 1) % 3
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def periods(start: date, end: date, grain: Grain) -> list[tuple[date, date]]:
    """The buckets of ``start``..``end`` (inclusive) at ``grain``: calendar days, ISO weeks,
    months or quarters, the first and last cut to the period."""
    out: list[tuple[date, date]] = []
    day = start
    while day <= end:
        following = _next_start(day, grain)
        out.append((day, min(following - timedelta(days=1), end)))
        day = following
    return out


def moment(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``tz``."""
    return datetime.combine(day, time.min, tzinfo=tz)


def check_days(start: date, end: date) -> None:
    """422 ``to`` when the end comes first, ``from`` beyond three years (every period of
    the KPIs and the reports)."""
    if end < start:
        raise ValidationFailed.field("to", _("The end comes before the start."), "invalid")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationFailed.field(
            "from", _("Ask for at most three years at a time."), "too_long"
        )


def _check_period(start: date, end: date, grain: Grain) -> None:
    check_days(start, end)
    if len(periods(start, end, grain)) > MAX_BUCKETS:
        raise ValidationFailed.field("grain", _("Too many points: use a coarser grain."), "invalid")


# --- the rows ---------------------------------------------------------------------------------


def _team_members(scope: Scope) -> list[int]:
    return list(
        TeamMember.objects.for_workspace(scope.workspace)
        .filter(team_id=scope.team_id)
        .values_list("user_id", flat=True)
    )


def _scoped(kpi: Kpi, scope: Scope, segment_object: str) -> QuerySet:
    """The KPI's rows narrowed to the scope's dimensions, segment and currency."""
    qs = narrow(kpi.rows(scope), scope, kpi.dimensions, kpi.segments, segment_object)
    if kpi.currency and not scope.converted:
        qs = qs.filter(**{kpi.currency: scope.currency or scope.workspace.default_currency})
    return qs


def narrow(
    qs: QuerySet,
    scope: Scope,
    paths: dict[str, str],
    segments: dict[str, str],
    segment_object: str = "person",
) -> QuerySet:
    """``qs`` narrowed to the scope's dimensions (by ``paths``) and segment (``segments``: the
    path of each segment object's id in the rows); 422 for a segment it cannot take."""
    for name, wanted in (
        ("owner", scope.owner_id),
        ("pipeline", scope.pipeline_id),
        ("source", scope.source),
        ("lifecycle_stage", scope.lifecycle_stage),
    ):
        if wanted is not None and name in paths:
            qs = qs.filter(**{paths[name]: wanted})
    if scope.team_id is not None and "owner" in paths:
        qs = qs.filter(**{f"{paths['owner']}__in": _team_members(scope)})
    if scope.segment:
        path = segments.get(segment_object)
        if path is None:
            raise ValidationFailed.field(
                "filter", _("This KPI cannot be cut by a segment of these records."), "invalid"
            )
        model = filter_object(segment_object).model
        members = apply_filter(
            model._default_manager.all(), segment_object, scope.segment, actor=scope.actor
        )
        qs = qs.filter(**{f"{path}__in": members.values("pk")})
    return qs


def _plain(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def aggregate(how: Aggregate, values: Sequence[Any]) -> Any:
    """The KPI's value over some rows' values (0 for counts and sums of nothing, None for an
    average, median or rate of nothing)."""
    if how is Aggregate.COUNT:
        return len(values)
    if how is Aggregate.DISTINCT:
        return len(set(values))
    if how is Aggregate.REPEAT:
        seen = Counter(values)
        return sum(1 for n in seen.values() if n > 1) / len(seen) if seen else None
    if how is Aggregate.SUM_PER:  # values are (amount, per) pairs
        among = {per for _value, per in values}
        return sum((v for v, _per in values), Decimal(0)) / len(among) if among else None
    present = [v for v in values if v is not None]
    if how is Aggregate.SUM:
        return (
            sum(present, Decimal(0))
            if present and isinstance(present[0], Decimal)
            else (sum(present) if present else 0)
        )
    if not present:
        return None
    if how is Aggregate.RATE:
        return sum(1 for v in present if v) / len(present)
    if how is Aggregate.MEDIAN:
        return statistics.median(present)
    return sum(present) / len(present)


# --- measuring --------------------------------------------------------------------------------


def measure(
    key: str,
    scope: Scope,
    *,
    start: date,
    end: date,
    grain: Grain = Grain.WEEK,
    group_by: str | None = None,
    segment_object: str = "person",
) -> Measurement:
    """``key`` over ``start``..``end`` (inclusive days in the workspace's time zone), with the
    previous period of the same length, the series at ``grain`` and, with ``group_by``, the
    value per group. Refuses an unknown KPI (404), a dimension it cannot be cut by and a period
    too long (422)."""
    kpi = get(key)
    if kpi is None:
        raise NotFound(_("No KPI is called %(key)s.") % {"key": key})
    _check_period(start, end, grain)
    if group_by is not None and group_by not in kpi.dimensions:
        raise ValidationFailed.field(
            "group_by", _("This KPI cannot be cut by %(dimension)s.") % {"dimension": group_by}
        )
    money = kpi.unit is Unit.MONEY and (kpi.currency or kpi.compute)
    if not scope.currency and money:
        scope = replace(scope, currency=scope.workspace.default_currency)
    tz = workspace_tz(scope.actor)
    converter = Converter(scope.workspace, tz) if money and scope.converted else None
    frame = _frame(start, end, grain, group_by, tz, converter)
    group_path = kpi.dimensions.get(group_by) if group_by else None
    if kpi.compute is not None:
        if scope.segment and segment_object not in kpi.segments:
            raise ValidationFailed.field(
                "filter", _("This KPI cannot be cut by a segment of these records."), "invalid"
            )
        computed = kpi.compute(scope, frame)
        values, value, previous, groups = (
            computed.series,
            computed.value,
            computed.previous,
            computed.groups,
        )
    elif segment_object == "person" and (columned := measure_columns(kpi, scope, frame)):
        values, value, previous, groups = columned
    else:
        qs = _scoped(kpi, scope, segment_object)
        values, value, previous, groups = _from_rows(kpi, qs, frame, group_path, converter)
    series = [Point(b[0], b[1], values[i]) for i, b in enumerate(frame.buckets)]
    if kpi.unit is Unit.MONEY:  # cents, whatever the database and the aggregate made of them
        value, previous = _cents(value), _cents(previous)
        series = [replace(p, value=_cents(p.value)) for p in series]
        groups = {g: _cents(v) for g, v in groups.items()}
    return Measurement(
        kpi=kpi,
        start=start,
        end=end,
        grain=grain,
        value=value,
        previous_start=frame.previous_start,
        previous_end=frame.previous_end,
        previous=previous,
        series=series,
        groups=_labelled(scope, group_by, groups) if group_by else [],
        currency=(converter.target if converter else scope.currency) if money else "",
        converted=converter is not None,
        missing_rates=converter.missing_list() if converter else [],
    )


def _frame(
    start: date,
    end: date,
    grain: Grain,
    group_by: str | None,
    tz: ZoneInfo,
    converter: Converter | None,
) -> Frame:
    length = (end - start).days + 1
    previous_start, previous_end = start - timedelta(days=length), start - timedelta(days=1)
    buckets = periods(start, end, grain)
    edges = [moment(b[0], tz) for b in buckets] + [moment(end + timedelta(days=1), tz)]
    window = (moment(start, tz), edges[-1])
    return Frame(
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        grain=grain,
        buckets=buckets,
        edges=edges,
        window=window,
        before=(moment(previous_start, tz), window[0]),
        group_by=group_by,
        rate=converter.rate if converter else None,
    )


def _from_rows(
    kpi: Kpi,
    qs: QuerySet,
    frame: Frame,
    group_path: str | None,
    converter: Converter | None,
) -> tuple[list[Any], Any, Any, dict[Any, Any]]:
    """(value per bucket, value, previous value, value per group) from the KPI's rows."""
    edges, window, before = frame.edges, frame.window, frame.before
    if kpi.is_snapshot and converter is None and snapshots.in_sql(kpi, qs):
        measured = snapshots.measure(kpi, qs, edges, group_path)
        if measured is not None:
            # edges[0] is the period's start: the previous period's end.
            at, groups = measured
            return at[1:], at[-1], at[0], groups
    if kpi.is_snapshot:
        alive = _snapshot_rows(kpi, qs, before[0], window[1], group_path, converter)
        *values, previous = _snapshot_values(kpi, alive, [*edges[1:], before[1]])
        groups = _snapshot_groups(kpi, alive, window[1]) if group_path else {}
        return values, values[-1], previous, groups
    if kpi.aggregate in WINDOWED:
        value, previous, values, groups = measure_retention(
            kpi,
            qs,
            tz=frame.window[0].tzinfo or UTC,  # the period's instants are in the workspace's zone
            start=frame.start,
            end=frame.end,
            buckets=frame.buckets,
            grain=frame.grain,
            group_path=group_path,
        )
        return values, value, previous, groups
    if in_sql(kpi) and converter is None:
        return measure_in_sql(
            kpi, qs, edges=edges, window=window, before=before, group_path=group_path
        )
    if kpi.aggregate is Aggregate.MEDIAN and converter is None:
        return _medians(kpi, qs, frame, group_path)
    # Bucket 0 is the previous period (edges[0], the period's start, is its end).
    rows = _event_rows(kpi, qs, [before[0], *edges], group_path, converter)
    series_values: list[list[Any]] = [[] for _ in frame.buckets]
    current, earlier = [], []
    by_group: dict[Any, list[Any]] = defaultdict(list)
    for bucket, value, group in rows:
        if not bucket:
            earlier.append(value)
            continue
        current.append(value)
        series_values[bucket - 1].append(value)
        if group_path:
            by_group[group].append(value)
    return (
        [aggregate(kpi.aggregate, vs) for vs in series_values],
        aggregate(kpi.aggregate, current),
        aggregate(kpi.aggregate, earlier),
        {g: aggregate(kpi.aggregate, vs) for g, vs in by_group.items()},
    )


def _medians(
    kpi: Kpi, qs: QuerySet, frame: Frame, group_path: str | None
) -> tuple[list[Any], Any, Any, dict[Any, Any]]:
    """A median's rows read with their bucket worked out by the database (0: the previous
    period; see :mod:`vinculo.core.kpis.buckets`) instead of their time, so no time is parsed
    per row. Without a group, the rows without a value are left out by the database (the
    median leaves them out); with one they are read, so a group of rows without a value still
    shows. A median does not depend on the order the rows come in."""
    edges = [frame.before[0], *frame.edges]
    value = kpi.value or "pk"
    rows = qs.filter(**{f"{kpi.time}__gte": edges[0], f"{kpi.time}__lt": edges[-1]})
    if group_path is None:
        rows = rows.filter(**{f"{value}__isnull": False})
    found = rows.annotate(kpi_bucket=bucket_of(kpi.time, edges)).order_by()
    series_values: list[list[Any]] = [[] for _ in frame.buckets]
    earlier: list[Any] = []
    by_group: dict[Any, list[Any]] = defaultdict(list)
    for bucket, raw, group in found.values_list("kpi_bucket", value, group_path or "pk"):
        if bucket == 0:
            earlier.append(_plain(raw))
            continue
        series_values[bucket - 1].append(_plain(raw))
        if group_path:
            by_group[group].append(_plain(raw))
    current = [v for vs in series_values for v in vs]
    return (
        [aggregate(kpi.aggregate, vs) for vs in series_values],
        aggregate(kpi.aggregate, current),
        aggregate(kpi.aggregate, earlier),
        {g: aggregate(kpi.aggregate, vs) for g, vs in by_group.items()},
    )


def _cents(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _converted(value: Any, rate: Decimal | None) -> Any:
    return value * rate if value is not None and rate is not None else value


def _event_rows(
    kpi: Kpi,
    qs: QuerySet,
    edges: list[datetime],
    group_path: str | None,
    converter: Converter | None = None,
) -> list[tuple[int, Any, Any]]:
    """(bucket, value, group) of the rows within ``edges`` (the bucket's index among them).
    The database computes the bucket, so no time is read back and parsed; converted, the time
    is read for its month's rate and the bucket found among the edges in UTC (the rows' zone:
    comparing two zones costs an offset lookup each time), and a row whose currency has no
    rate for its month is left out (and remembered by the converter)."""
    time = kpi.time
    qs = qs.filter(**{f"{time}__gte": edges[0], f"{time}__lt": edges[-1]})
    columns = [kpi.value or "pk", group_path or "pk", kpi.per or "pk"]
    out: list[tuple[int, Any, Any]] = []
    if converter is None:
        found = qs.annotate(kpi_bucket=bucket_of(time, edges)).values_list("kpi_bucket", *columns)
        for bucket, value, group, per in found:
            value = _plain(value)
            out.append((bucket, (value, per) if kpi.per else value, group))
        return out
    utc = [edge.astimezone(UTC) for edge in edges]
    for when, value, group, per, currency in qs.values_list(time, *columns, str(kpi.currency)):
        rate = converter.rate(currency, when)
        if rate is None:
            continue
        value = _converted(_plain(value), rate)
        out.append((bisect.bisect_right(utc, when) - 1, (value, per) if kpi.per else value, group))
    return out


def _snapshot_rows(
    kpi: Kpi,
    qs: QuerySet,
    since: datetime,
    until: datetime,
    group_path: str | None,
    converter: Converter | None = None,
) -> list[tuple[datetime, datetime | None, Any, Any]]:
    """Rows alive at some moment of the two periods: begun before their end, not ended before
    their start. Converted at the rate of the month each began."""
    ends = str(kpi.until)
    qs = qs.filter(Q(**{f"{kpi.time}__lt": until})).filter(
        Q(**{f"{ends}__isnull": True}) | Q(**{f"{ends}__gte": since})
    )
    columns = [kpi.time, ends, kpi.value or "pk", group_path or "pk"]
    if converter is not None:
        columns.append(str(kpi.currency))
    out = []
    for row in qs.values_list(*columns):
        value = _plain(row[2])
        if converter is not None:
            rate = converter.rate(row[4], row[0])
            if rate is None:
                continue
            value = _converted(value, rate)
        out.append((row[0], row[1], value, row[3]))
    return out


def _alive(rows: list[tuple[datetime, datetime | None, Any, Any]], moment: datetime) -> list:
    """Rows begun before ``moment`` and not ended by it."""
    return [r for r in rows if r[0] < moment and (r[1] is None or r[1] >= moment)]


def _snapshot_values(kpi: Kpi, rows: list, moments: list[datetime]) -> list[Any]:
    """The KPI's value at each of ``moments``. Counts, sums and means in one sweep over the
    rows' beginnings and ends, sorted (a row is alive at m when begin < m <= end, so the alive
    are those begun before m less those ended before m); other aggregates row by row."""
    if kpi.aggregate not in SWEPT:
        return [aggregate(kpi.aggregate, [r[2] for r in _alive(rows, m)]) for m in moments]
    # A row that ends when or before it begins is never alive.
    kept = [r for r in rows if r[1] is None or r[1] > r[0]]
    begins = sorted(kept, key=lambda r: r[0])
    ends = sorted((r for r in kept if r[1] is not None), key=lambda r: r[1])
    out: dict[datetime, Any] = {}
    rows_n = present_n = 0
    total: Any = None
    b = e = 0
    for m in sorted(set(moments)):
        at = m.astimezone(UTC)  # the rows' zone: comparing two zones looks up offsets
        while b < len(begins) and begins[b][0] < at:
            value = begins[b][2]
            rows_n += 1
            if value is not None:
                present_n += 1
                total = value if total is None else total + value
            b += 1
        while e < len(ends) and ends[e][1] < at:
            value = ends[e][2]
            rows_n -= 1
            if value is not None:
                present_n -= 1
                total -= value
            e += 1
        out[m] = _swept(kpi.aggregate, rows_n, present_n, total)
    return [out[m] for m in moments]


def _swept(how: Aggregate, rows_n: int, present_n: int, total: Any) -> Any:
    if how is Aggregate.COUNT:
        return rows_n
    if how is Aggregate.SUM:
        return total if present_n else 0
    return total / present_n if present_n else None


def _snapshot_groups(kpi: Kpi, rows: list, moment: datetime) -> dict[Any, Any]:
    by_group: dict[Any, list[Any]] = defaultdict(list)
    for row in _alive(rows, moment):
        by_group[row[3]].append(row[2])
    return {g: aggregate(kpi.aggregate, vs) for g, vs in by_group.items()}


def _labelled(scope: Scope, group_by: str, groups: dict[Any, Any]) -> list[tuple[Any, str, Any]]:
    """(key, label, value) per group, largest value first; members by name."""
    dimension = DIMENSIONS.get(group_by)
    if group_by in {"owner", "team"}:
        names = {
            m.user_id: m.user.full_name or m.user.email
            for m in Membership.objects.for_workspace(scope.workspace).select_related("user")
        }
    elif dimension and dimension.labels:
        names = dimension.labels(scope.actor, groups)
    else:
        names = {}
    none = _("(none)")
    out = [
        (key, str(names.get(key, key if key not in (None, "") else none)), value)
        for key, value in groups.items()
    ]
    return sorted(out, key=lambda g: (g[2] is None, -(float(g[2] or 0)), g[1]))
