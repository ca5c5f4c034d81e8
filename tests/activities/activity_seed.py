"""June 2026 on São Paulo time (UTC-3) for the activity-per-rep report, with the arithmetic of
tests/activities/test_activity_per_rep.py:

    Ana    calls Jun 2 and Jul 1 02:00 UTC (Jun 30 23:00 local); not Jun 1 02:00 UTC (May 31
           local); a call of Jun 8 binned; a meeting, an email and a note; task C (hers) due
           Jun 20, still open; task D due Jul 5
    Bruno  meetings Jun 3 and 4, a call Jun 10; task A due Jun 10 done Jun 9; task B due Jun 12
           done Jun 15 (late)
    Carla's workspace: a call on Jun 2                 (never in Ana's)
"""

from __future__ import annotations

from vinculo.activities import services as activities
from vinculo.activities.models import Activity
from vinculo.contacts import services as contacts

JUNE = "from=2026-06-01&to=2026-06-30"


def log(actor, person, kind: str, when: str):
    words = {"body": "oi"} if kind == "note" else {"subject": kind}
    return activities.log_activity(
        actor=actor, data={"kind": kind, **words, "person_id": person.pk, "occurred_at": when}
    )


def task(actor, person, assignee, due: str, done: str | None = None):
    made = activities.create_task(
        actor=actor,
        data={
            "subject": "Ligar",
            "person_id": person.pk,
            "assignee_id": assignee.pk,
            "due_at": due,
        },
    )
    if done:
        activities.complete_task(actor=actor, activity_id=made.pk)
        Activity.objects.filter(pk=made.pk).update(completed_at=done)
    return made


def seed_activities(ana, bruno, carla) -> None:
    for persona in (ana, carla):
        persona.workspace.timezone = "America/Sao_Paulo"
        persona.workspace.save(update_fields=["timezone"])
    a, b = ana.actor, bruno.actor
    who = contacts.create_person(actor=a, data={"first_name": "Cliente"})
    log(a, who, "call", "2026-06-02T13:00:00+00:00")
    log(a, who, "call", "2026-07-01T02:00:00+00:00")
    log(a, who, "call", "2026-06-01T02:00:00+00:00")
    binned = log(a, who, "call", "2026-06-08T13:00:00+00:00")
    activities.delete_activity(actor=a, activity_id=binned.pk)
    log(a, who, "meeting", "2026-06-05T13:00:00+00:00")
    log(a, who, "email", "2026-06-06T13:00:00+00:00")
    log(a, who, "note", "2026-06-07T13:00:00+00:00")
    log(b, who, "meeting", "2026-06-03T13:00:00+00:00")
    log(b, who, "meeting", "2026-06-04T13:00:00+00:00")
    log(b, who, "call", "2026-06-10T13:00:00+00:00")
    task(a, who, bruno.user, "2026-06-10T18:00:00+00:00", done="2026-06-09T18:00:00+00:00")
    task(a, who, bruno.user, "2026-06-12T18:00:00+00:00", done="2026-06-15T18:00:00+00:00")
    task(a, who, ana.user, "2026-06-20T18:00:00+00:00")
    task(a, who, ana.user, "2026-07-05T18:00:00+00:00")
    other = contacts.create_person(actor=carla.actor, data={"first_name": "Outra"})
    log(carla.actor, other, "call", "2026-06-02T13:00:00+00:00")
