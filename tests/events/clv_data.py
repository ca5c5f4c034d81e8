"""The buyers of the CLV tests (tests/events/test_clv.py, test_clv_api.py): five buyers whose
inputs and churn risk are worked out by hand, and a larger generated set the models can be
fitted on; purchases through the events API."""

from __future__ import annotations

from datetime import date

import numpy as np

from vinculo.activities.services import log_activity
from vinculo.contacts import services as contacts
from vinculo.events.services import ingest_events

DAY = date(2026, 7, 31)


def row(person, amount, day, currency="BRL"):
    return {
        "name": "purchase",
        "person": {"id": person.pk},
        "amount": amount,
        "currency": currency,
        "occurred_at": f"2026-{day}T12:00:00+00:00",
    }


def ingest(actor, rows):
    result = ingest_events(actor=actor, rows=rows)
    assert {r.status for r in result.rows} == {"created"}, result.rows


# name: [(day, amount), ...] (2026, UTC, analysis date 07-31)
FEW = {
    # Two purchases on 07-21 make one purchase day (70): days 07-01, 07-11, 07-21.
    "a": [("07-01", "100.00"), ("07-11", "50.00"), ("07-21", "30.00"), ("07-21", "40.00")],
    "b": [("01-01", "100.00"), ("01-31", "100.00"), ("03-02", "100.00")],
    "c": [("05-01", "80.00"), ("06-15", "20.00")],
    "d": [("06-01", "40.00")],
    "e": [("03-01", "10.00"), ("04-01", "10.00")],  # and a call on 07-20
}


def make_few(ana, carla):
    a = ana.actor
    a.workspace.timezone = "UTC"
    a.workspace.save(update_fields=["timezone"])
    people = {name: contacts.create_person(actor=a, data={"first_name": name}) for name in FEW}
    ingest(a, [row(people[n], amount, day) for n, buys in FEW.items() for day, amount in buys])
    log_activity(
        actor=a,
        data={"kind": "call", "person_id": people["e"].pk, "occurred_at": "2026-07-20T15:00:00Z"},
    )
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    ingest(carla.actor, [row(outsider, "900.00", "07-01"), row(outsider, "900.00", "07-02")])
    people["outsider"] = outsider
    return people


def many(actor, count=60, seed=7):
    """``count`` buyers with purchase days drawn from a BG/NBD-like process over 2026."""
    rng = np.random.default_rng(seed)
    people = [
        contacts.create_person(actor=actor, data={"first_name": f"Buyer{i}"}) for i in range(count)
    ]
    rows = []
    for i, person in enumerate(people):
        first = int(rng.integers(1, 120))  # day of the year of the first purchase
        rate = rng.gamma(2.0, 1 / 40)  # purchases per day
        day, level = first, rng.gamma(4.0, 25.0)
        while day <= 212:  # 07-31 is day 212
            when = date.fromordinal(date(2026, 1, 1).toordinal() + day - 1).strftime("%m-%d")
            rows.append(row(person, f"{rng.gamma(6.0, level / 6.0):.2f}", when))
            if rng.random() < 0.15 and i % 3:  # drops out
                break
            day += 1 + int(rng.exponential(1 / rate))
    ingest(actor, rows)
    return people
