"""RFM scores against a hand-computed fixture of ten buyers (purchases through the events API),
with a binned buyer, a purchase in dollars, one after the analysis date and another workspace's
buyer left out; recompute replaces the rows; the API answers; the person page shows the card."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.test import Client

from tests.api import problem, send
from tests.integrations.test_openapi_contract import conforms
from vinculo.contacts import services as contacts
from vinculo.core import schedule
from vinculo.events.models import CustomerValue, Segment
from vinculo.events.services import ingest_events
from vinculo.events.services.rfm import (
    GRID,
    compute_rfm,
    quintile_scores,
    recompute_rfm,
    segment_of,
)
from vinculo.events.tasks import recompute_all_workspaces

API = "/api/v1"
DAY = date(2026, 7, 31)

# name: (day of the last purchase, purchases, amount of each)
# Earlier purchases fall in early January (before every last purchase).
BUYERS = {
    "p1": ("07-31", 5, "100.00"),  # 500
    "p2": ("07-30", 4, "100.00"),  # 400
    "p3": ("07-25", 1, "50.00"),
    "p4": ("07-20", 3, "100.00"),  # 300
    "p5": ("07-10", 2, "45.00"),  # 90
    "p6": ("07-01", 1, "20.00"),
    "p7": ("06-15", 2, "100.00"),  # 200
    "p8": ("05-01", 4, "87.50"),  # 350
    "p9": ("03-01", 1, "10.00"),
    "p10": ("01-10", 1, "15.00"),
}

# Scores: sorted worst to best, position i of 10 scores 1 + 5*i//10 (positions 0-1 → 1, 2-3 → 2,
# 4-5 → 3, 6-7 → 4, 8-9 → 5); ties take the score of their first position.
# R: days 0,1,6,11,21,30,46,91,152,202 (p1…p10); most days first: p10 p9 → 1, p8 p7 → 2,
#    p6 p5 → 3, p4 p3 → 4, p2 p1 → 5.
# F: 5,4,1,3,2,1,2,4,1,1 sorted 1,1,1,1,2,2,3,4,4,5: 1 first at 0 → 1; 2 at 4 → 3; 3 at 6 → 4;
#    4 first at 7 → 4 (the tie: p2 and p8 both 4, not 4 and 5); 5 at 9 → 5.
# M: 10 (p9), 15 (p10), 20 (p6), 50 (p3), 90 (p5), 200 (p7), 300 (p4), 350 (p8), 400 (p2),
#    500 (p1) → 1,1,2,2,3,3,4,4,5,5.
# FM = (F + M + 1) // 2, segment = GRID[R][FM - 1].
EXPECTED = {
    #       days  F  M        R  F  M  segment
    "p1": (0, 5, "500.00", 5, 5, 5, Segment.CHAMPIONS),  # FM 5
    "p2": (1, 4, "400.00", 5, 4, 5, Segment.CHAMPIONS),  # FM (4+5+1)//2 = 5
    "p3": (6, 1, "50.00", 4, 1, 2, Segment.POTENTIAL_LOYALISTS),  # FM 2
    "p4": (11, 3, "300.00", 4, 4, 4, Segment.CHAMPIONS),  # FM 4
    "p5": (21, 2, "90.00", 3, 3, 3, Segment.NEED_ATTENTION),  # FM 3
    "p6": (30, 1, "20.00", 3, 1, 2, Segment.NEED_ATTENTION),  # FM 2
    "p7": (46, 2, "200.00", 2, 3, 3, Segment.AT_RISK),  # FM 3
    "p8": (91, 4, "350.00", 2, 4, 4, Segment.AT_RISK),  # FM 4
    "p9": (152, 1, "10.00", 1, 1, 1, Segment.LOST),  # FM 1
    "p10": (202, 1, "15.00", 1, 1, 1, Segment.LOST),  # FM 1
}


def _bought(actor, person, amount, day, currency="BRL"):
    row = {
        "name": "purchase",
        "person": {"id": person.pk},
        "amount": amount,
        "currency": currency,
        "occurred_at": f"2026-{day}T12:00:00+00:00",
    }
    result = ingest_events(actor=actor, rows=[row])
    assert [r.status for r in result.rows] == ["created"], result.rows


@pytest.fixture
def buyers(ana, carla):
    a = ana.actor
    a.workspace.timezone = "UTC"
    a.workspace.save(update_fields=["timezone"])
    people = {}
    for name, (last, count, amount) in BUYERS.items():
        person = contacts.create_person(actor=a, data={"first_name": name})
        for k in range(count - 1):
            _bought(a, person, amount, f"01-0{k + 1}")
        _bought(a, person, amount, last)
        people[name] = person
    # Left out: a dollar purchase (p1), a purchase after the analysis date (p9), a binned buyer.
    _bought(a, people["p1"], "9999.00", "07-15", currency="USD")
    _bought(a, people["p9"], "9999.00", "08-01")
    gone = contacts.create_person(actor=a, data={"first_name": "Gone"})
    _bought(a, gone, "9999.00", "07-31")
    contacts.delete_person(actor=a, person_id=gone.pk)
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    _bought(carla.actor, outsider, "5000.00", "07-03")
    people["gone"] = gone
    people["outsider"] = outsider
    return people


def test_quintiles_are_hand_computed_and_exclusions_hold(ana, buyers):
    rows = {r.person_id: r for r in compute_rfm(ana.actor, DAY)}
    by_name = {name: rows.get(buyers[name].pk) for name in BUYERS}
    got = {
        name: (
            r.recency_days,
            r.frequency,
            str(r.monetary),
            r.r_score,
            r.f_score,
            r.m_score,
            r.segment,
        )
        for name, r in by_name.items()
        if r is not None
    }
    assert got == EXPECTED
    assert len(rows) == 10  # not the binned buyer, not the other workspace's
    assert buyers["gone"].pk not in rows and buyers["outsider"].pk not in rows


def test_ties_take_the_first_position_and_the_grid_names_every_segment():
    assert quintile_scores([7, 7, 7, 7, 7]) == [1, 1, 1, 1, 1]
    assert quintile_scores([3, 1, 2, 2]) == [4, 1, 2, 2]  # 1 at 0 → 1; 2 at 1 → 2; 3 at 3 → 4
    assert quintile_scores([5]) == [1]
    cells = {segment_of(r, f, m) for r in range(1, 6) for f in range(1, 6) for m in range(1, 6)}
    assert cells == set(Segment)
    assert all(len(row) == 5 for row in GRID.values())


def test_recompute_replaces_the_rows_and_keeps_workspaces_apart(ana, carla, buyers):
    first = recompute_rfm(ana.actor, DAY)
    assert len(first) == 10
    recompute_rfm(carla.actor, DAY)
    assert CustomerValue.objects.for_workspace(carla.actor.workspace).count() == 1
    # p3 buys again: the next recompute replaces every row of Ana's workspace, Carla's stay.
    carla_ids = set(CustomerValue.objects.for_workspace(carla.actor.workspace).values_list("pk"))
    _bought(ana.actor, buyers["p3"], "50.00", "07-31")
    recompute_rfm(ana.actor, DAY)
    rows = CustomerValue.objects.for_workspace(ana.actor.workspace)
    assert rows.count() == 10
    assert not set(rows.values_list("pk")) & {(r.pk,) for r in first}
    p3 = rows.get(person=buyers["p3"])
    assert (p3.recency_days, p3.frequency, p3.analysis_date) == (0, 2, DAY)
    assert set(CustomerValue.objects.for_workspace(carla.actor.workspace).values_list("pk")) == (
        carla_ids
    )


def test_the_daily_task_recomputes_every_workspace(ana, carla, buyers):
    assert "events.rfm" in {s.name for s in schedule.registered()}
    assert recompute_all_workspaces() >= 2
    assert CustomerValue.objects.for_workspace(ana.actor.workspace).count() == 10
    assert CustomerValue.objects.for_workspace(carla.actor.workspace).count() == 1


def test_the_api_recomputes_and_answers(ana, carla, buyers):
    openapi = Client().get(f"{API}/openapi.json").json()
    client = ana.client()
    empty = client.get(f"{API}/customer-value")
    assert empty.status_code == 200, empty.content
    assert (empty.json()["analysis_date"], empty.json()["people"]) == (None, 0)
    conforms(openapi, "get", f"{API}/customer-value", empty)

    done = send(client, "post", f"{API}/customer-value/recompute", {"analysis_date": "2026-07-31"})
    assert done.status_code == 200, done.content
    conforms(openapi, "post", f"{API}/customer-value/recompute", done)
    body = done.json()
    assert (body["analysis_date"], body["people"], body["currency"]) == ("2026-07-31", 10, "BRL")
    counts = {s["segment"]: s["people"] for s in body["segments"]}
    assert counts == {s.value: 0 for s in Segment} | {
        "champions": 3,
        "potential_loyalists": 1,
        "need_attention": 2,
        "at_risk": 2,
        "lost": 2,
    }

    one = client.get(f"{API}/people/{buyers['p2'].pk}/value")
    assert one.status_code == 200, one.content
    conforms(openapi, "get", f"{API}/people/{buyers['p2'].pk}/value", one)
    assert {k: one.json()[k] for k in ("recency_days", "frequency", "monetary", "segment")} == {
        "recency_days": 1,
        "frequency": 4,
        "monetary": "400.00",
        "segment": "champions",
    }
    assert (one.json()["segment_label"], one.json()["scored"]) == ("Champions", True)
    pt = ana.client("pt-br").get(f"{API}/people/{buyers['p9'].pk}/value")
    assert pt.json()["segment_label"] == "Perdidos"

    # No scores for a person without purchases; another workspace's person is not found.
    nobody = contacts.create_person(actor=ana.actor, data={"first_name": "Nobody"})
    unscored = client.get(f"{API}/people/{nobody.pk}/value")
    conforms(openapi, "get", f"{API}/people/{nobody.pk}/value", unscored)
    assert (unscored.json()["scored"], unscored.json()["segment"]) == (False, None)
    problem(client.get(f"{API}/people/{buyers['outsider'].pk}/value"), 404)
    problem(carla.client().get(f"{API}/people/{buyers['p2'].pk}/value"), 404)
    assert carla.client().get(f"{API}/customer-value").json()["people"] == 0


def test_the_person_page_shows_the_rfm_card(ana, buyers):
    recompute_rfm(ana.actor, DAY)
    page = ana.web().get(f"/people/{buyers['p2'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="customer-value"' in html and "Champions" in html
    assert "Last purchase 1 day before" in html and "4 purchases" in html
    pt = ana.web("pt-br").get(f"/people/{buyers['p9'].pk}/").content.decode()
    assert "Perdidos" in pt and "1 compra" in pt


def _people(client, tree):
    found = client.get(f"{API}/people", {"filter": json.dumps(tree), "limit": 100})
    assert found.status_code == 200, found.content
    return {p["first_name"] for p in found.json()["items"]}


def test_the_filter_language_reads_the_segment_and_values(ana, carla, buyers):
    recompute_rfm(ana.actor, DAY)
    recompute_rfm(carla.actor, DAY)
    client = ana.client()
    at_risk = {"field": "rfm_segment", "op": "eq", "value": "at_risk"}
    assert _people(client, at_risk) == {"p7", "p8"}
    # At risk and spent more than 250 (p7 spent 200, p8 350).
    both = {"and": [at_risk, {"field": "rfm_monetary", "op": "gt", "value": 250}]}
    assert _people(client, both) == {"p8"}
    # Four purchases or more: p1 (5), p2 and p8 (4).
    assert _people(client, {"field": "rfm_frequency", "op": "gte", "value": 4}) == {
        "p1",
        "p2",
        "p8",
    }
    # Never scored: no purchase (the buyers fixture made none in Ana's workspace besides them).
    contacts.create_person(actor=ana.actor, data={"first_name": "Nobody"})
    assert _people(client, {"field": "rfm_segment", "op": "is_empty"}) == {"Nobody"}
    # Carla's one buyer is "need attention" or whatever her grid says, never Ana's people.
    assert not _people(carla.client(), at_risk) & set(BUYERS)
    bad = client.get(f"{API}/people", {"filter": json.dumps({**at_risk, "value": "sleepy"})})
    problem(bad, 400)
