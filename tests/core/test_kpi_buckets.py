"""The bucket a row falls in, computed by the database from epoch seconds in runs of equal
gaps (vinculo.core.kpis.buckets), agrees with comparing the row's time with every edge, across
a daylight-saving change, cut first and last buckets, months, and times at and just before an
edge."""

from __future__ import annotations

import bisect
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.kpis import Grain
from vinculo.core.kpis.buckets import bucket_of, runs
from vinculo.core.kpis.engine import moment, periods

NEW_YORK = ZoneInfo("America/New_York")  # daylight saving from 8 March 2026, 02:00
SAO_PAULO = ZoneInfo("America/Sao_Paulo")  # no daylight saving since 2019


def _edges(start: date, end: date, grain: Grain, tz: ZoneInfo) -> list[datetime]:
    buckets = periods(start, end, grain)
    return [moment(b[0], tz) for b in buckets] + [moment(end + timedelta(days=1), tz)]


def test_weeks_without_an_offset_change_are_one_run_between_the_cut_ends():
    # Tue 3 March .. Fri 27 March 2026 at week grain: 3-8 (cut), 9-15, 16-22, 23-27 (cut).
    edges = _edges(date(2026, 3, 3), date(2026, 3, 27), Grain.WEEK, SAO_PAULO)
    week = 7 * 86400
    assert [(first, step, count) for first, _start, step, count in runs(edges)] == [
        (0, 6 * 86400, 1),  # the cut first week
        (1, week, 2),  # two whole weeks: one run
        (3, 5 * 86400, 1),  # the cut last week
    ]
    # In New York the week of 8 March (2-8) is an hour shorter: a run of its own.
    ny = runs(_edges(date(2026, 3, 2), date(2026, 3, 29), Grain.WEEK, NEW_YORK))
    assert [(step, count) for _first, _start, step, count in ny] == [(week - 3600, 1), (week, 3)]


def test_the_database_puts_every_row_in_the_bucket_its_time_falls_in(ana):
    person = contacts.create_person(actor=ana.actor, data={"first_name": "Lia"})
    cases = [
        (date(2026, 3, 3), date(2026, 3, 27), Grain.WEEK, NEW_YORK),
        (date(2026, 3, 1), date(2026, 3, 20), Grain.DAY, NEW_YORK),
        (date(2026, 1, 15), date(2026, 6, 10), Grain.MONTH, SAO_PAULO),
        (date(2026, 3, 3), date(2026, 3, 27), Grain.WEEK, SAO_PAULO),
    ]
    for start, end, grain, tz in cases:
        edges = _edges(start, end, grain, tz)
        # Each edge, a microsecond before it, and the middle of each bucket.
        times = [e + d for e in edges[:-1] for d in (timedelta(0), timedelta(microseconds=1))]
        times += [e - timedelta(microseconds=1) for e in edges[1:]]
        times += [edges[i] + (edges[i + 1] - edges[i]) / 2 for i in range(len(edges) - 1)]
        for when in times:
            Person.objects.filter(pk=person.pk).update(created_at=when)
            found = (
                Person.objects.filter(pk=person.pk)
                .annotate(kpi_bucket=bucket_of("created_at", edges))
                .values_list("kpi_bucket", flat=True)
                .get()
            )
            assert found == bisect.bisect_right(edges, when) - 1, (grain, tz, when)
