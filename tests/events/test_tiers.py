"""The most valuable (MVC), most growable (MGC) and problem customers against a hand-computed
fixture: seven buyers, all first buying in 2026 (so their yearly spend is what they spent), six
from one source; late-payment events and logged calls; the settings, the API, the screen, the
filter language and another workspace."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.api import problem, send
from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.events.models import CustomerValue, Tier
from vinculo.events.services import ingest_events
from vinculo.events.services.rfm import recompute_rfm
from vinculo.events.services.tiers import save_value_settings

API = "/api/v1"
DAY = date(2026, 7, 31)

# name: (source, amount spent in 2026)
BUYERS = {
    "p1": ("Google", "600.00"),
    "p2": ("Google", "500.00"),
    "p3": ("google", "400.00"),  # the same source, folded
    "p4": ("Google", "300.00"),
    "p5": ("Google", "200.00"),
    "p6": ("Google", "100.00"),
    "p7": ("Feira", "50.00"),  # alone with its source: no peers, no gap
}


def _event(actor, person, name, when, **extra):
    row = {"name": name, "person": {"id": person.pk}, "occurred_at": when, **extra}
    result = ingest_events(actor=actor, rows=[row])
    assert [r.status for r in result.rows] == ["created"], result.rows


@pytest.fixture
def shop(ana, carla):
    a = ana.actor
    a.workspace.timezone = "UTC"
    a.workspace.save(update_fields=["timezone"])
    people = {}
    for name, (source, amount) in BUYERS.items():
        person = contacts.create_person(actor=a, data={"first_name": name, "source": source})
        _event(a, person, "purchase", "2026-03-02T12:00:00+00:00", amount=amount, currency="BRL")
        people[name] = person
    # p3: two late payments in the 365 days up to the analysis, one before them (not counted).
    _event(a, people["p3"], "payment.late", "2026-05-10T12:00:00+00:00")
    _event(a, people["p3"], "invoice.overdue", "2026-07-01T12:00:00+00:00")
    _event(a, people["p3"], "invoice.overdue", "2025-06-01T12:00:00+00:00")
    # p4: 3 h of calls in the year (cost 3 x 150 = 450 > 300 spent); p5: 1 h (150 < 200).
    for person, seconds in ((people["p4"], 7200), (people["p4"], 3600), (people["p5"], 3600)):
        activities.log_activity(
            actor=a,
            data={
                "kind": "call",
                "person_id": person.pk,
                "duration_seconds": seconds,
                "occurred_at": "2026-06-01T12:00:00+00:00",
            },
        )
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    _event(carla.actor, outsider, "purchase", "2026-03-02T12:00:00+00:00", amount="9000.00")
    people["outsider"] = outsider
    return people


def _rows(ana):
    by_person = {
        r.person.first_name: r
        for r in CustomerValue.objects.for_workspace(ana.workspace).select_related("person")
    }
    return by_person


def test_tiers_and_problems_are_hand_computed(ana, shop):
    save_value_settings(ana.actor, {"hourly_cost": "150", "tier_percent": 20})
    recompute_rfm(ana.actor, DAY)
    rows = _rows(ana)
    assert set(rows) == set(BUYERS)
    # Seven valued customers, 20 %: ceil(1.4) = 2 MVC, by yearly spend (too few buyers for the
    # CLV model): p1 (600), p2 (500).
    assert {n for n, r in rows.items() if r.tier == Tier.MVC} == {"p1", "p2"}
    assert rows["p1"].tier_reason == "mvc_spend"
    assert rows["p1"].tier_params == {"value": "600.00", "rank": 1, "customers": 7, "percent": 20}
    # Peers of p1..p6 (Google, first year): spends 100..600; 80th percentile at position
    # 5 x 0.8 = 4 of the sorted list = 500. Gaps: p3 100, p4 200, p5 300, p6 400.
    gaps = {n: r.growth_gap for n, r in rows.items() if r.growth_gap is not None}
    assert {n: str(g) for n, g in gaps.items()} == {
        "p3": "100.00",
        "p4": "200.00",
        "p5": "300.00",
        "p6": "400.00",
    }
    # MGC: ceil(7 x 0.2) = 2 of the others by gap: p6, p5.
    assert {n for n, r in rows.items() if r.tier == Tier.MGC} == {"p5", "p6"}
    assert rows["p6"].tier_params == {
        "spend": "100.00",
        "potential": "500.00",
        "gap": "400.00",
        "peers": 6,
        "source": "Google",
        "years": 0,
    }
    assert rows["p7"].tier == "" and rows["p7"].growth_gap is None  # one peer only
    # Problems: p3 two late payments (the 2025 one is before the year), p4 unprofitable.
    assert {n for n, r in rows.items() if r.is_problem} == {"p3", "p4"}
    assert rows["p3"].problems == [
        {"code": "late_payments", "params": {"count": 2, "last": "2026-07-01"}}
    ]
    assert rows["p4"].problems == [
        {
            "code": "unprofitable",
            "params": {
                "hours": 3.0,
                "cost": "450.00",
                "revenue": "300.00",
                "hourly_cost": "150.00",
            },
        }
    ]


def test_without_an_hourly_cost_no_one_is_unprofitable(ana, shop):
    recompute_rfm(ana.actor, DAY)
    rows = _rows(ana)
    assert {n for n, r in rows.items() if r.is_problem} == {"p3"}


def test_the_api_lists_tiers_with_reasons_in_the_readers_language(ana, carla, shop):
    client = ana.client()
    saved = send(client, "put", f"{API}/customer-value/settings", {"hourly_cost": "150"})
    assert saved.status_code == 200, saved.content
    assert saved.json() == {"hourly_cost": "150.00", "tier_percent": 20, "currency": "BRL"}
    recompute_rfm(ana.actor, DAY)
    mgc = client.get(f"{API}/customer-value/tiers?tier=mgc")
    assert mgc.status_code == 200, mgc.content
    items = mgc.json()["items"]
    assert [i["name"] for i in items] == ["p6", "p5"]  # the largest gap first
    assert "R$500.00" in items[0]["tier_reason_text"] and "Google" in items[0]["tier_reason_text"]
    pt = ana.client("pt-br").get(f"{API}/customer-value/tiers?tier=problem").json()["items"]
    texts = {i["name"]: [p["message"] for p in i["problems"]] for i in pt}
    assert texts["p3"] == ["2 pagamentos atrasados nos últimos 12 meses (o último em 01/07/2026)."]
    assert "R$\xa0450,00" in texts["p4"][0]  # babel: a no-break space
    one = client.get(f"{API}/people/{shop['p1'].pk}/value").json()
    assert (one["tier"], one["tier_label"], one["is_problem"]) == ("mvc", "Most valuable", False)
    # Carla sees none of Ana's customers; her settings are her own.
    assert carla.client().get(f"{API}/customer-value/tiers").json()["items"] == []
    theirs = carla.client().get(f"{API}/customer-value/settings").json()
    assert theirs["hourly_cost"] is None


def test_settings_refuse_bad_values_by_name(ana, vera):
    client = ana.client()
    bad = send(client, "put", f"{API}/customer-value/settings", {"tier_percent": 80})
    assert problem(bad, 422)["errors"][0]["field"] == "tier_percent"
    bad = send(client, "put", f"{API}/customer-value/settings", {"hourly_cost": "-5"})
    assert problem(bad, 422)["errors"][0]["field"] == "hourly_cost"
    bad = send(client, "put", f"{API}/customer-value/settings", {"colour": "blue"})
    assert bad.status_code == 422
    # A viewer reads the settings and cannot change them.
    assert vera.client().get(f"{API}/customer-value/settings").status_code == 200
    refused = send(vera.client(), "put", f"{API}/customer-value/settings", {"tier_percent": 10})
    problem(refused, 403)


def test_the_filter_language_reads_tiers_and_problems(ana, shop):
    save_value_settings(ana.actor, {"hourly_cost": "150"})
    recompute_rfm(ana.actor, DAY)
    client = ana.client()

    def names(tree):
        found = client.get(f"{API}/people", {"filter": json.dumps(tree), "limit": 100})
        assert found.status_code == 200, found.content
        return {p["first_name"] for p in found.json()["items"]}

    assert names({"field": "value_tier", "op": "eq", "value": "mgc"}) == {"p5", "p6"}
    assert names({"field": "problem_customer", "op": "is_true"}) == {"p3", "p4"}
    assert names({"field": "growth_gap", "op": "gte", "value": 300}) == {"p5", "p6"}


def test_the_screen_shows_tiers_and_saves_settings(ana, shop):
    recompute_rfm(ana.actor, DAY)
    web = ana.web()
    page = web.get("/customer-value/tiers/?tier=mvc")
    assert page.status_code == 200
    html = page.content.decode()
    assert "p1" in html and "Spends R$600.00 a year" in html
    refused = web.post("/customer-value/tiers/settings/", {"tier_percent": "0"})
    assert refused.status_code == 422
    assert "Give a whole number from 1 to 50." in refused.content.decode()
    saved = web.post("/customer-value/tiers/settings/", {"hourly_cost": "80,50"})
    assert saved.status_code == 302
    pt = ana.web("pt-br").get("/customer-value/tiers/?tier=problem").content.decode()
    assert "Clientes problemáticos" in pt and "pagamentos atrasados" in pt
