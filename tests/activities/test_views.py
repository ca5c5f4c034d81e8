"""The activity screens: the quick "log" form of the 360° pages, the task list and its tabs,
complete/reopen in place, the new-task form."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vinculo.activities import selectors
from vinculo.activities import services as activities
from vinculo.activities.models import Activity, TimelineEntry
from vinculo.contacts import services as contacts


@pytest.fixture
def joana(ana):
    return contacts.create_person(
        actor=ana.actor, data={"first_name": "Joana", "last_name": "Prado"}
    )


def _task(persona, person, subject: str, **data):
    return activities.create_task(
        actor=persona.actor, data={"subject": subject, "person_id": person.pk, **data}
    )


# --- the quick "log" form ---------------------------------------------------------------------


def test_logging_a_call_from_the_person_page_puts_it_on_the_timeline(ana, joana):
    client = ana.web()
    page = client.get(f"/people/{joana.pk}/").content.decode()
    assert 'action="/activities/log/"' in page and 'name="call_outcome"' in page

    response = client.post(
        "/activities/log/",
        {
            "kind": "call",
            "subject": "Retorno sobre o orçamento",
            "body": "Pediu desconto para 50 unidades.",
            "person_id": joana.pk,
            "direction": "outbound",
            "call_outcome": "connected",
            "duration_minutes": "5",
            "due_at": "2030-01-01T10:00",  # a task input left in the form: not sent for a call
            "next": f"/people/{joana.pk}/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{joana.pk}/"
    call = Activity.objects.get()
    assert (call.kind, call.call_outcome, call.direction) == ("call", "connected", "outbound")
    assert call.duration_seconds == 300 and call.created_by == ana.user
    page = client.get(f"/people/{joana.pk}/").content.decode()
    assert "Call logged." in page
    timeline = page.split('id="timeline"')[1]
    assert "Retorno sobre o orçamento" in timeline and "Pediu desconto" in timeline


def test_a_task_without_subject_is_refused_with_the_services_message(ana, joana):
    client = ana.web()
    response = client.post(
        "/activities/log/",
        {
            "kind": "task",
            "subject": "  ",
            "body": "Ligar de volta",
            "due_at": "2030-05-01T09:30",
            "person_id": joana.pk,
            "next": f"/people/{joana.pk}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/people/{joana.pk}/"
    assert not Activity.objects.exists()
    page = client.get(f"/people/{joana.pk}/").content.decode()
    assert "This field is required." in page
    form = page.split('id="log-activity"')[1]
    assert 'value="task" checked' in form  # what was typed comes back
    assert 'value="2030-05-01T09:30"' in form and "Ligar de volta" in form
    again = client.get(f"/people/{joana.pk}/").content.decode()
    assert "This field is required." not in again  # shown once


def test_a_call_with_a_bad_outcome_is_refused_and_nothing_is_written(ana, joana):
    client = ana.web()
    response = client.post(
        "/activities/log/",
        {
            "kind": "call",
            "call_outcome": "exploded",
            "duration_minutes": "dez",
            "person_id": joana.pk,
            "next": f"/people/{joana.pk}/",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "is not a choice" in page and "Enter a whole number of seconds." in page
    assert (
        not Activity.objects.exists()
        and not TimelineEntry.objects.filter(kind__startswith="activity.").exists()
    )


def test_a_stranger_cannot_log_on_someone_elses_person(ana, carla, joana):
    response = carla.web().post(
        "/activities/log/",
        {
            "kind": "note",
            "body": "Intrometida",
            "person_id": joana.pk,
            "next": "https://evil.test/",
        },
        follow=True,
    )
    assert response.redirect_chain[0][0] == "/"  # not the foreign URL
    assert f"No person with id {joana.pk}" in response.content.decode()
    assert not Activity.objects.exists()


def test_a_viewer_cannot_log(vera, joana):
    client = vera.web()
    assert 'action="/activities/log/"' not in client.get(f"/people/{joana.pk}/").content.decode()
    response = client.post(
        "/activities/log/", {"kind": "note", "body": "Oi", "person_id": joana.pk}
    )
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_the_log_form_only_answers_posts(ana):
    response = ana.web().get("/activities/log/")  # not a blank 405: the page it belongs to
    assert response.status_code == 302


# --- the task list --------------------------------------------------------------------------


def test_task_tabs_follow_the_workspace_time_zone(ana, joana):
    ws = ana.actor.workspace  # the instance today_bounds reads, not a stale copy
    ws.timezone = "Asia/Tokyo"  # 12 hours ahead of the server's São Paulo
    ws.save(update_fields=["timezone"])
    start, end = selectors.today_bounds(ana.actor)
    # 01:00 today in Tokyo is still yesterday in São Paulo; 01:00 tomorrow is today there.
    _task(ana, joana, "Cedo hoje em Tóquio", due_at=start + timedelta(hours=1))
    _task(ana, joana, "Amanhã em Tóquio", due_at=end + timedelta(hours=1))
    _task(ana, joana, "Sem data")
    client = ana.web()

    today = client.get("/tasks/").content.decode()
    assert "Cedo hoje em Tóquio" in today
    assert "Amanhã em Tóquio" not in today and "Sem data" not in today
    assert "+09:00" in today  # due times are shown in the workspace's zone
    upcoming = client.get("/tasks/?when=upcoming").content.decode()
    assert "Amanhã em Tóquio" in upcoming and "Cedo hoje em Tóquio" not in upcoming
    everything = client.get("/tasks/?when=all").content.decode()
    assert all(s in everything for s in ("Cedo hoje", "Amanhã em Tóquio", "Sem data"))
    assert client.get("/tasks/?when=nonsense").status_code == 200  # falls back to today


def test_overdue_tab_and_links_to_the_record(ana, joana):
    _task(ana, joana, "Mandar proposta", due_at="2020-01-01T10:00")
    page = ana.web().get("/tasks/?when=overdue").content.decode()
    assert "Mandar proposta" in page and "Overdue" in page
    assert f'href="/people/{joana.pk}/"' in page


def test_task_list_stays_within_a_few_queries(ana, joana, django_assert_max_num_queries):
    for n in range(30):
        _task(ana, joana, f"Tarefa {n}")
    client = ana.web()
    client.get("/tasks/?when=all")  # warm the session and caches
    with django_assert_max_num_queries(20):
        page = client.get("/tasks/?when=all").content.decode()
    assert "Tarefa 29" in page


def test_team_leads_see_everyones_tasks_and_reps_only_their_own(ana, bruno, joana):
    _task(ana, joana, "Tarefa da Ana")
    _task(bruno, joana, "Tarefa do Bruno")
    as_ana = ana.web()
    mine = as_ana.get("/tasks/?when=all").content.decode()
    assert "Tarefa da Ana" in mine and "Tarefa do Bruno" not in mine
    team = as_ana.get("/tasks/?when=all&assignee=all").content.decode()
    assert "Tarefa da Ana" in team and "Tarefa do Bruno" in team
    one = as_ana.get(f"/tasks/?when=all&assignee={bruno.user.pk}").content.decode()
    assert "Tarefa do Bruno" in one and "Tarefa da Ana" not in one

    as_bruno = bruno.web()
    page = as_bruno.get(f"/tasks/?when=all&assignee={ana.user.pk}").content.decode()
    assert "Tarefa do Bruno" in page and "Tarefa da Ana" not in page
    assert 'name="assignee"' not in page  # no team filter for a sales rep


def test_complete_and_reopen_in_place(ana, joana):
    task = _task(ana, joana, "Confirmar entrega")
    client = ana.web()
    done = client.post(f"/tasks/{task.pk}/complete/", HTTP_HX_REQUEST="true")
    assert done.status_code == 200
    row = done.content.decode()
    assert "<html" not in row and 'class="task-row done"' in row
    assert f"/tasks/{task.pk}/reopen/" in row
    task.refresh_from_db()
    assert task.completed_at is not None and task.completed_by == ana.user

    reopened = client.post(f"/tasks/{task.pk}/reopen/", HTTP_HX_REQUEST="true")
    assert f"/tasks/{task.pk}/complete/" in reopened.content.decode()
    task.refresh_from_db()
    assert task.completed_at is None

    plain = client.post(f"/tasks/{task.pk}/complete/", {"next": "/tasks/?when=all"})
    assert plain.status_code == 302 and plain["Location"] == "/tasks/?when=all"


def test_completing_something_that_is_not_a_task_says_why(ana, joana):
    note = activities.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Nota", "person_id": joana.pk}
    )
    response = ana.web().post(f"/tasks/{note.pk}/complete/", follow=True)
    assert "Only tasks can be completed" in response.content.decode()


def test_carla_cannot_complete_or_see_anas_task(ana, carla, joana):
    task = _task(ana, joana, "Segredo da Ana")
    client = carla.web()
    assert client.post(f"/tasks/{task.pk}/complete/", HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(f"/tasks/{task.pk}/reopen/").status_code == 404
    task.refresh_from_db()
    assert task.completed_at is None
    assert "Segredo da Ana" not in client.get("/tasks/?when=all&assignee=all").content.decode()
    assert (
        "Segredo da Ana"
        not in client.get(f"/tasks/?when=all&assignee={ana.user.pk}").content.decode()
    )


def test_a_viewer_sees_tasks_but_cannot_complete_them(ana, vera, joana):
    task = _task(ana, joana, "Tarefa da Vera", assignee_id=vera.user.pk)
    client = vera.web()
    page = client.get("/tasks/?when=all").content.decode()
    assert "Tarefa da Vera" in page and "/complete/" not in page
    assert client.post(f"/tasks/{task.pk}/complete/").status_code == 403
    task.refresh_from_db()
    assert task.completed_at is None


# --- the new-task form ----------------------------------------------------------------------


def test_new_task_form_creates_a_task_for_a_colleague(ana, bruno, joana):
    client = ana.web()
    form = client.get(f"/tasks/new/?person_id={joana.pk}").content.decode()
    assert f'value="person:{joana.pk}" checked' in form and "Joana Prado" in form
    response = client.post(
        "/tasks/new/",
        {
            "subject": "Visitar a padaria",
            "due_at": "2030-02-03T15:00",
            "priority": "high",
            "assignee_id": bruno.user.pk,
            "link": f"person:{joana.pk}",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/tasks/?when=all"
    task = Activity.objects.get()
    assert (task.kind, task.assignee, task.person, task.priority) == (
        "task",
        bruno.user,
        joana,
        "high",
    )
    assert task.due_at.isoformat() == "2030-02-03T18:00:00+00:00"  # read in São Paulo time


def test_new_task_form_shows_every_refusal_and_keeps_the_input(ana, carla, joana):
    client = ana.web()
    response = client.post(
        "/tasks/new/", {"subject": "", "due_at": "amanhã", "body": "Detalhes", "link": ""}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required." in page
    assert "Enter a date and time" in page
    # A task may stand alone (the team's own work): no link is not refused.
    assert "Link the activity to a person, a company or a deal." not in page
    assert 'value="amanhã"' in page and "Detalhes" in page
    theirs = contacts.create_person(actor=carla.actor, data={"first_name": "Zé"})
    foreign = client.post("/tasks/new/", {"subject": "X", "link": f"person:{theirs.pk}"})
    assert foreign.status_code == 422
    assert f"No person with id {theirs.pk}" in foreign.content.decode()
    assert not Activity.objects.exists()


def test_the_record_picker_searches_the_workspace(ana, carla, joana):
    contacts.create_person(actor=carla.actor, data={"first_name": "Joana", "last_name": "Brasa"})
    picker = (
        ana.web()
        .get("/search/", {"q": "joana", "pick": "1"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert f'value="person:{joana.pk}"' in picker and "Brasa" not in picker
