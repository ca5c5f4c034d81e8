"""The activity-per-rep report against the hand-computed June of
tests/activities/activity_seed.py: by service, through the API, and Carla's never in Ana's."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tests.activities.activity_seed import JUNE, seed_activities
from tests.api import problem
from tests.integrations.test_openapi_contract import conforms
from vinculo.activities.reports import COLUMNS, activity_per_rep

API = "/api/v1/reports/activity-per-rep"


@pytest.fixture
def june(ana, bruno, carla):
    seed_activities(ana, bruno, carla)


def _counts(row) -> tuple[int, ...]:
    return tuple(row.counts[c] for c in COLUMNS)


def test_activity_per_rep_in_june(ana, bruno, vera, june):
    found = activity_per_rep(ana.actor, start=date(2026, 6, 1), end=date(2026, 6, 30))
    by_user = {r.user_id: r for r in found.reps}
    # (calls, meetings, emails, notes, tasks done, tasks overdue)
    # Ana: calls Jun 2 and Jun 30 23:00 local (not May 31 local, not the binned one), a meeting,
    # an email, a note; task C due Jun 20 still open: overdue.
    assert _counts(by_user[ana.user.pk]) == (2, 1, 1, 1, 0, 1)
    # Bruno: a call, two meetings; A done Jun 9 (on time) and B done Jun 15 (due Jun 12: late).
    assert _counts(by_user[bruno.user.pk]) == (1, 2, 0, 0, 2, 1)
    assert _counts(by_user[vera.user.pk]) == (0, 0, 0, 0, 0, 0)
    assert (by_user[ana.user.pk].total, by_user[bruno.user.pk].total) == (6, 6)
    # 2 + 1 calls, 1 + 2 meetings, 1 email, 1 note, 2 done, 1 + 1 overdue = 12.
    assert (_counts(found.totals), found.totals.total) == ((3, 3, 1, 1, 2, 2), 12)
    assert [r.user_id for r in found.reps][-1] == vera.user.pk  # the busiest first
    assert None not in by_user  # nothing was done by no one


def test_the_api(ana, carla, june):
    openapi = Client().get("/api/v1/openapi.json").json()
    response = ana.client().get(f"{API}?{JUNE}")
    assert response.status_code == 200, response.content
    conforms(openapi, "get", f"{API}?{JUNE}", response)
    body = response.json()
    assert (body["start"], body["end"], body["totals"]["total"]) == ("2026-06-01", "2026-06-30", 12)
    assert body["totals"]["calls"] == 3
    other = carla.client().get(f"{API}?{JUNE}").json()
    assert other["totals"]["calls"] == 1  # Carla's own call only
    assert [r["user_id"] for r in other["reps"]] == [carla.user.pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=2026-06-30&to=2026-06-01", "to"), ("from=2020-01-01&to=2026-01-01", "from"),
     ("from=junho", "from")],
)  # fmt: skip
def test_bad_input_names_the_field(ana, query, field):
    response = ana.client().get(f"{API}?{query}")
    assert field in [e["field"] for e in problem(response, 422)["errors"]]
