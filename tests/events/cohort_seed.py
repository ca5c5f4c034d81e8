"""Purchases for the cohort report and the retention KPIs, in Ana's workspace on São Paulo time
(UTC-3), January to April 2026, with the arithmetic of tests/events/test_cohorts.py:

    Lia   Jan 10 R$100, Feb 5 R$50, Apr 1 02:00 UTC (Mar 31 23:00 local) R$30, May 10 R$5
    Rui   Feb 1 02:00 UTC (Jan 31 23:00 local) R$40, Mar 15 R$60
    Bea   Jan 20 US$80, Feb 10 R$20
    Caio  Mar 3 R$200, Apr 4 R$100
    Old   Dec 15 2025 R$10, Jan 15 R$10         (the December cohort: before January)
    Bin   Feb 10 R$999, then binned               (left out everywhere)
    Dani  May 2 R$70                              (after April)
    Carla's workspace: Outra, Jan 5 R$5,000       (never in Ana's)
"""

from __future__ import annotations

from vinculo.contacts import services as contacts
from vinculo.events.services import ingest_events

PURCHASES = {
    "Lia": [("2026-01-10T15:00:00Z", "100.00", "BRL"), ("2026-02-05T15:00:00Z", "50.00", "BRL"),
            ("2026-04-01T02:00:00Z", "30.00", "BRL"), ("2026-05-10T15:00:00Z", "5.00", "BRL")],
    "Rui": [("2026-02-01T02:00:00Z", "40.00", "BRL"), ("2026-03-15T15:00:00Z", "60.00", "BRL")],
    "Bea": [("2026-01-20T15:00:00Z", "80.00", "USD"), ("2026-02-10T15:00:00Z", "20.00", "BRL")],
    "Caio": [("2026-03-03T15:00:00Z", "200.00", "BRL"), ("2026-04-04T15:00:00Z", "100.00", "BRL")],
    "Old": [("2025-12-15T15:00:00Z", "10.00", "BRL"), ("2026-01-15T15:00:00Z", "10.00", "BRL")],
    "Bin": [("2026-02-10T15:00:00Z", "999.00", "BRL")],
    "Dani": [("2026-05-02T15:00:00Z", "70.00", "BRL")],
}  # fmt: skip


def bought(actor, person, when: str, amount: str, currency: str) -> None:
    row = {
        "name": "purchase",
        "person": {"id": person.pk},
        "amount": amount,
        "currency": currency,
        "occurred_at": when,
    }
    result = ingest_events(actor=actor, rows=[row])
    assert [r.status for r in result.rows] == ["created"], result.rows


def seed_purchases(ana, carla) -> dict:
    for persona in (ana, carla):
        persona.workspace.timezone = "America/Sao_Paulo"
        persona.workspace.save(update_fields=["timezone"])
    a = ana.actor
    people = {}
    for name, rows in PURCHASES.items():
        people[name] = contacts.create_person(actor=a, data={"first_name": name})
        for when, amount, currency in rows:
            bought(a, people[name], when, amount, currency)
    contacts.delete_person(actor=a, person_id=people["Bin"].pk)
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    bought(carla.actor, outsider, "2026-01-05T15:00:00Z", "5000.00", "BRL")
    return people
