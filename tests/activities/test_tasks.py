"""Tasks: assignment, due dates in the workspace time zone, completing and reopening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.api import fields_of, problem, send
from vinculo.activities import selectors, services
from vinculo.activities.models import Activity, TimelineEntry
from vinculo.core.models import AuditEntry, DomainEvent
from vinculo.core.tenancy import Membership


def test_a_task_defaults_to_the_caller_and_shows_on_the_timeline(bruno, a):
    due = timezone.now() + timedelta(days=1)
    response = send(
        bruno.client(),
        "post",
        "/api/v1/tasks",
        {
            "subject": "Ligar para a Maria",
            "person_id": a.person.pk,
            "due_at": due.isoformat(),
            "reminder_at": (due - timedelta(hours=1)).isoformat(),
            "priority": "high",
        },
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert (task["kind"], task["assignee_id"], task["priority"]) == ("task", bruno.user.pk, "high")
    entry = TimelineEntry.objects.get(activity_id=task["id"])
    assert entry.kind == "activity.task" and entry.person_id == a.person.pk
    assert DomainEvent.objects.filter(name="task.created", subject_id=str(task["id"])).exists()
    # Tasks are not interactions: the customer's last activity does not move.
    a.person.refresh_from_db()
    assert a.person.last_activity_at is None


def test_a_task_can_be_given_to_a_colleague_but_not_to_someone_outside(ana, bruno, carla, a):
    client = ana.client()
    given = send(
        client,
        "post",
        "/api/v1/tasks",
        {"subject": "Enviar proposta", "deal_id": a.deal.pk, "assignee_id": bruno.user.pk},
    )
    assert given.json()["assignee_id"] == bruno.user.pk
    before = Activity.objects.count()
    response = send(
        client,
        "post",
        "/api/v1/tasks",
        {"subject": "Roubar cliente", "person_id": a.person.pk, "assignee_id": carla.user.pk},
    )
    assert fields_of(problem(response, 422)) == {"assignee_id"}
    Membership.objects.filter(user=bruno.user).update(is_active=False)
    response = send(
        client,
        "post",
        "/api/v1/tasks",
        {"subject": "X", "person_id": a.person.pk, "assignee_id": bruno.user.pk},
    )
    assert fields_of(problem(response, 422)) == {"assignee_id"}
    assert Activity.objects.count() == before


def test_bad_task_input_names_the_fields(ana, a):
    client = ana.client()
    due = timezone.now() + timedelta(days=1)
    for body, field in [
        ({"subject": "  "}, "subject"),
        ({"subject": "X", "priority": "whenever"}, "priority"),
        (
            {
                "subject": "X",
                "due_at": due.isoformat(),
                "reminder_at": (due + timedelta(minutes=1)).isoformat(),
            },
            "reminder_at",
        ),
        ({"subject": "X", "due_at": "amanhã"}, "due_at"),
    ]:
        response = send(client, "post", "/api/v1/tasks", {"person_id": a.person.pk, **body})
        assert field in fields_of(problem(response, 422)), body
    assert not Activity.objects.exists()
    # A task may stand alone (the team's own work); notes, calls, meetings and emails may not.
    alone = send(client, "post", "/api/v1/tasks", {"subject": "Preparar a revisão do plano"})
    assert alone.status_code == 201, alone.content
    assert Activity.objects.get().person_id is None
    note = send(client, "post", "/api/v1/activities", {"kind": "note", "body": "Sem vínculo"})
    assert fields_of(problem(note, 422)) == {"person_id"}


def _task(persona, records, subject: str, due: datetime | None) -> Activity:
    return services.create_task(
        actor=persona.actor,
        data={"subject": subject, "person_id": records.person.pk, "due_at": due},
    )


def test_today_and_overdue_follow_the_workspace_time_zone(ana, a):
    # 22:30 on 9 March in São Paulo is already 10 March in UTC.
    now = datetime(2026, 3, 10, 1, 30, tzinfo=UTC)
    late_tonight = _task(ana, a, "Hoje à noite", datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    this_morning = _task(ana, a, "Hoje cedo", datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    after_midnight = _task(ana, a, "Amanhã", datetime(2026, 3, 10, 4, 0, tzinfo=UTC))
    last_week = _task(ana, a, "Atrasada", datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    undated = _task(ana, a, "Algum dia", None)
    done = _task(ana, a, "Feita", datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
    services.complete_task(actor=ana.actor, activity_id=done.pk)

    def ids(when: str) -> set[int]:
        return set(selectors.my_tasks(ana.actor, when=when, now=now).values_list("pk", flat=True))

    assert ids("today") == {late_tonight.pk, this_morning.pk}
    assert ids("overdue") == {this_morning.pk, last_week.pk}
    assert ids("upcoming") == {after_midnight.pk}
    assert ids("all") == {late_tonight.pk, this_morning.pk, after_midnight.pk, last_week.pk,
                          undated.pk}  # fmt: skip

    ana.actor.workspace.timezone = "Asia/Tokyo"  # 10:30 on 10 March there
    assert ids("today") == {late_tonight.pk, after_midnight.pk}


def test_tasks_endpoint_lists_today_overdue_and_a_colleagues_tasks(
    ana, bruno, a, django_assert_max_num_queries
):
    zone = ZoneInfo(ana.workspace.timezone)
    local_now = timezone.localtime(timezone.now(), zone)
    end_of_today = local_now.replace(hour=23, minute=59, second=0, microsecond=0)
    today = _task(ana, a, "Hoje", end_of_today)
    overdue = _task(ana, a, "Ontem", local_now - timedelta(days=1, minutes=5))
    upcoming = _task(ana, a, "Depois", end_of_today + timedelta(days=2))
    bruno_task = _task(bruno, a, "Do Bruno", end_of_today)
    client = ana.client()

    def listed(query: str) -> list[int]:
        with django_assert_max_num_queries(5):
            response = client.get(f"/api/v1/tasks?{query}")
        assert response.status_code == 200, response.content
        return [t["id"] for t in response.json()["items"]]

    assert listed("when=today") == [today.pk]
    assert listed("when=overdue") == [overdue.pk]
    assert listed("when=upcoming") == [upcoming.pk]
    undated = _task(ana, a, "Sem prazo", None)
    assert listed("when=all") == [overdue.pk, today.pk, upcoming.pk, undated.pk]
    first = client.get("/api/v1/tasks?when=all&limit=3").json()
    rest = client.get(f"/api/v1/tasks?when=all&limit=3&cursor={first['next_cursor']}").json()
    assert [t["id"] for t in rest["items"]] == [undated.pk] and rest["next_cursor"] is None
    assert listed(f"when=today&assignee_id={bruno.user.pk}") == [bruno_task.pk]
    assert fields_of(problem(client.get("/api/v1/tasks?when=someday"), 422)) == {"when"}


def test_complete_and_reopen_are_idempotent(ana, bruno, a):
    task = _task(ana, a, "Mandar catálogo", None)
    client = bruno.client()
    first = send(client, "post", f"/api/v1/tasks/{task.pk}/complete").json()
    again = send(client, "post", f"/api/v1/tasks/{task.pk}/complete").json()
    assert first["completed_at"] and first["completed_at"] == again["completed_at"]
    assert first["completed_by_id"] == bruno.user.pk
    done = TimelineEntry.objects.get(kind="task.completed")
    assert (done.activity_id, done.person_id, done.actor_id) == (
        task.pk,
        a.person.pk,
        bruno.user.pk,
    )
    assert DomainEvent.objects.filter(name="task.completed").count() == 1
    assert AuditEntry.objects.filter(action="task.completed").count() == 1

    reopened = send(client, "post", f"/api/v1/tasks/{task.pk}/reopen").json()
    send(client, "post", f"/api/v1/tasks/{task.pk}/reopen")
    assert reopened["completed_at"] is None and reopened["completed_by_id"] is None
    assert DomainEvent.objects.filter(name="task.reopened").count() == 1
    assert TimelineEntry.objects.filter(kind="task.reopened").count() == 1


def test_only_live_tasks_can_be_completed(ana, a):
    note = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "x", "person_id": a.person.pk}
    )
    problem(send(ana.client(), "post", f"/api/v1/tasks/{note.pk}/complete"), 409)
    task = _task(ana, a, "Apagada", None)
    services.delete_activity(actor=ana.actor, activity_id=task.pk)
    problem(send(ana.client(), "post", f"/api/v1/tasks/{task.pk}/complete"), 409)
    task.refresh_from_db()
    assert task.completed_at is None
