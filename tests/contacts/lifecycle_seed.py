"""Lifecycle moves for the customer cohorts, in Ana's workspace on São Paulo time (UTC-3), with
the arithmetic of tests/contacts/test_lifecycle_cohorts.py:

    Lia   lead Dec 20 2025, customer Jan 10
    Rui   customer Feb 1 01:00 UTC (Jan 31 22:00 local), lead Feb 15, customer Mar 5
    Bea   customer Jan 20, advocate Feb 10, "churned" (a stage of the growth phase) Mar 10
    Caio  customer Mar 2
    Old   customer Nov 1 2025, lead Feb 3, customer Feb 20  (the November cohort)
    Bin   customer Jan 5, then binned                        (left out everywhere)
    Carla's workspace: Outra, customer Jan 5                 (never in Ana's)
"""

from __future__ import annotations

from datetime import datetime

from vinculo.contacts import services as contacts
from vinculo.contacts.models import LifecycleChange

MOVES = {
    "Lia": [("lead", "2025-12-20T15:00"), ("customer", "2026-01-10T15:00")],
    "Rui": [("customer", "2026-02-01T01:00"), ("lead", "2026-02-15T15:00"),
            ("customer", "2026-03-05T15:00")],
    "Bea": [("customer", "2026-01-20T15:00"), ("advocate", "2026-02-10T15:00"),
            ("churned", "2026-03-10T15:00")],
    "Caio": [("customer", "2026-03-02T15:00")],
    "Old": [("customer", "2025-11-01T15:00"), ("lead", "2026-02-03T15:00"),
            ("customer", "2026-02-20T15:00")],
    "Bin": [("customer", "2026-01-05T15:00")],
}  # fmt: skip


def move(actor, person, stage: str, when: str) -> None:
    """``person`` into ``stage`` at ``when`` (UTC)."""
    contacts.update_person(actor=actor, person_id=person.pk, data={"lifecycle_stage": stage})
    last = LifecycleChange.objects.filter(person=person).order_by("-id").first()
    LifecycleChange.objects.filter(pk=last.pk).update(
        changed_at=datetime.fromisoformat(when + "+00:00")
    )


def seed_lifecycle(ana, carla) -> dict:
    for persona in (ana, carla):
        persona.workspace.timezone = "America/Sao_Paulo"
        persona.workspace.save(update_fields=["timezone"])
    a = ana.actor
    contacts.create_lifecycle_stage(
        actor=a, data={"key": "churned", "name": "Ex-cliente", "phase": "growth"}
    )
    people = {}
    for name, moves in MOVES.items():
        people[name] = contacts.create_person(actor=a, data={"first_name": name})
        for stage, when in moves:
            move(a, people[name], stage, when)
    contacts.delete_person(actor=a, person_id=people["Bin"].pk)
    outsider = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    move(carla.actor, outsider, "customer", "2026-01-05T15:00")
    return people
