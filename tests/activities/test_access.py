"""Who may do what: workspace isolation, viewers, deleting someone else's activity, lists."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from tests.api import fields_of, problem, send
from vinculo.activities import services
from vinculo.activities.models import Activity, TimelineEntry
from vinculo.core.models import AuditEntry, DomainEvent


def test_carla_cannot_read_or_touch_anything_of_ana(ana, carla, a, c):
    note = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Segredo", "person_id": a.person.pk}
    )
    task = services.create_task(
        actor=ana.actor, data={"subject": "Ligar", "person_id": a.person.pk}
    )
    binned = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Lixo", "person_id": a.person.pk}
    )
    services.delete_activity(actor=ana.actor, activity_id=binned.pk)
    before = (
        TimelineEntry.objects.count(),
        DomainEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    client = carla.client()
    for method, url, data in [
        ("get", f"/api/v1/activities/{note.pk}", None),
        ("patch", f"/api/v1/activities/{note.pk}", {"subject": "Roubado"}),
        ("delete", f"/api/v1/activities/{note.pk}", None),
        ("post", f"/api/v1/activities/{binned.pk}/restore", None),
        ("post", f"/api/v1/tasks/{task.pk}/complete", None),
        ("post", f"/api/v1/tasks/{task.pk}/reopen", None),
        ("get", f"/api/v1/people/{a.person.pk}/timeline", None),
        ("get", f"/api/v1/companies/{a.company.pk}/timeline", None),
        ("get", f"/api/v1/deals/{a.deal.pk}/timeline", None),
    ]:
        problem(send(client, method, url, data), 404)
    assert client.get("/api/v1/activities").json()["items"] == []
    assert client.get("/api/v1/activities?deleted=true").json()["items"] == []
    assert client.get(f"/api/v1/activities?person_id={a.person.pk}").json()["items"] == []
    assert client.get(f"/api/v1/tasks?when=all&assignee_id={ana.user.pk}").json()["items"] == []
    note.refresh_from_db()
    task.refresh_from_db()
    binned.refresh_from_db()
    assert (note.subject, note.deleted_at) == ("", None)
    assert task.completed_at is None and binned.deleted_at is not None
    after = (TimelineEntry.objects.count(), DomainEvent.objects.count(), AuditEntry.objects.count())
    assert after == before

    # Nor can she write onto Ana's records or give Ana a task.
    for body, field in [
        ({"kind": "note", "body": "x", "person_id": a.person.pk}, "person_id"),
        ({"kind": "note", "body": "x", "deal_id": a.deal.pk}, "deal_id"),
        ({"kind": "note", "body": "x", "company_id": a.company.pk}, "company_id"),
    ]:
        assert fields_of(problem(send(client, "post", "/api/v1/activities", body), 422)) == {field}
    response = send(
        client,
        "post",
        "/api/v1/tasks",
        {"subject": "X", "person_id": c.person.pk, "assignee_id": ana.user.pk},
    )
    assert fields_of(problem(response, 422)) == {"assignee_id"}
    response = send(
        client,
        "post",
        "/api/v1/activities/bulk",
        {"rows": [{"kind": "note", "body": "x", "person_id": a.person.pk}]},
    )
    assert response.json()["errors"][0]["errors"][0]["field"] == "person_id"
    assert not Activity.objects.filter(workspace=carla.workspace).exists()


def test_a_viewer_reads_but_cannot_write(ana, vera, a, django_assert_max_num_queries):
    note = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Visível", "person_id": a.person.pk}
    )
    task = services.create_task(
        actor=ana.actor, data={"subject": "Ligar", "person_id": a.person.pk}
    )
    client = vera.client()
    client.get("/api/v1/me")  # the token's last use is noted once a minute; not what we count
    with django_assert_max_num_queries(4):
        assert client.get(f"/api/v1/activities/{note.pk}").json()["body"] == "Visível"
    assert client.get(f"/api/v1/people/{a.person.pk}/timeline").status_code == 200
    before = (Activity.objects.count(), TimelineEntry.objects.count(), DomainEvent.objects.count())
    for method, url, data in [
        ("post", "/api/v1/activities", {"kind": "note", "body": "x", "person_id": a.person.pk}),
        ("post", "/api/v1/tasks", {"subject": "x", "person_id": a.person.pk}),
        ("post", "/api/v1/activities/bulk", {"rows": []}),
        ("patch", f"/api/v1/activities/{note.pk}", {"subject": "Mudado"}),
        ("delete", f"/api/v1/activities/{note.pk}", None),
        ("post", f"/api/v1/activities/{note.pk}/restore", None),
        ("post", f"/api/v1/tasks/{task.pk}/complete", None),
        ("post", f"/api/v1/tasks/{task.pk}/reopen", None),
    ]:
        body = problem(send(client, method, url, data), 403)
        assert "Viewer" in body["detail"], url
    assert (
        Activity.objects.count(),
        TimelineEntry.objects.count(),
        DomainEvent.objects.count(),
    ) == before
    note.refresh_from_db()
    task.refresh_from_db()
    assert note.subject == "" and note.deleted_at is None and task.completed_at is None


def test_deleting_someone_elses_activity_needs_the_delete_permission(ana, bruno, a):
    anas = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Da Ana", "person_id": a.person.pk}
    )
    brunos = services.log_activity(
        actor=bruno.actor, data={"kind": "note", "body": "Do Bruno", "person_id": a.person.pk}
    )
    client = bruno.client()
    assert (
        "delete customer records"
        in problem(client.delete(f"/api/v1/activities/{anas.pk}"), 403)["detail"]
    )
    anas.refresh_from_db()
    assert anas.deleted_at is None
    assert client.delete(f"/api/v1/activities/{brunos.pk}").status_code == 204
    assert client.delete(f"/api/v1/activities/{brunos.pk}").status_code == 204  # idempotent
    assert send(client, "post", f"/api/v1/activities/{brunos.pk}/restore").status_code == 200
    # The owner may bin anyone's.
    assert ana.client().delete(f"/api/v1/activities/{brunos.pk}").status_code == 204
    assert AuditEntry.objects.filter(action="activity.deleted").count() == 2
    assert DomainEvent.objects.filter(name="activity.restored").count() == 1


def test_activity_lists_filter_and_page(ana, bruno, a, django_assert_max_num_queries):
    now = timezone.now()
    call = services.log_activity(
        actor=ana.actor,
        data={"kind": "call", "person_id": a.person.pk, "occurred_at": now - timedelta(days=1)},
    )
    meeting = services.log_activity(
        actor=ana.actor,
        data={"kind": "meeting", "company_id": a.company.pk, "occurred_at": now},
    )
    open_task = services.create_task(
        actor=ana.actor,
        data={"subject": "A", "deal_id": a.deal.pk, "assignee_id": bruno.user.pk,
              "due_at": now + timedelta(days=1)},
    )  # fmt: skip
    done_task = services.create_task(
        actor=ana.actor, data={"subject": "B", "person_id": a.person.pk, "due_at": now}
    )
    services.complete_task(actor=ana.actor, activity_id=done_task.pk)
    client = ana.client()

    def ids(query: str) -> list[int]:
        with django_assert_max_num_queries(5):
            response = client.get(f"/api/v1/activities?{query}")
        assert response.status_code == 200, response.content
        return [x["id"] for x in response.json()["items"]]

    assert ids("kind=call") == [call.pk]
    assert set(ids(f"person_id={a.person.pk}")) == {call.pk, open_task.pk, done_task.pk}
    assert ids(f"company_id={a.company.pk}") == [open_task.pk, meeting.pk]
    assert ids(f"deal_id={a.deal.pk}") == [open_task.pk]
    assert ids(f"assignee_id={bruno.user.pk}") == [open_task.pk]
    assert ids("open_tasks=true") == [open_task.pk]
    assert ids("open_tasks=false") == [done_task.pk]
    due = (now + timedelta(hours=1)).isoformat().replace("+", "%2B")
    assert ids(f"due_before={due}") == [done_task.pk]
    first = client.get("/api/v1/activities?limit=2").json()
    second = client.get(f"/api/v1/activities?limit=2&cursor={first['next_cursor']}").json()
    listed = [x["id"] for x in first["items"] + second["items"]]
    assert len(set(listed)) == 4
    assert fields_of(problem(client.get("/api/v1/activities?kind=gossip"), 422)) == {"kind"}
    assert fields_of(problem(client.get("/api/v1/activities?filter={oops"), 400)) == {"filter"}


def test_activity_lists_take_a_filter_tree(ana, bruno, carla, a):
    services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Pediu catálogo", "person_id": a.person.pk}
    )
    call = services.log_activity(
        actor=ana.actor,
        data={"kind": "call", "subject": "Ligar de novo", "company_id": a.company.pk},
    )
    task = services.create_task(
        actor=ana.actor,
        data={"subject": "Ligar amanhã", "person_id": a.person.pk, "assignee_id": bruno.user.pk},
    )
    client = ana.client()

    def ids(tree: dict) -> list[int]:
        response = client.get("/api/v1/activities", {"filter": json.dumps(tree)})
        assert response.status_code == 200, response.content
        return [x["id"] for x in response.json()["items"]]

    assert ids({"field": "subject", "op": "starts_with", "value": "Ligar"}) == [task.pk, call.pk]
    assert ids(
        {"and": [{"field": "subject", "op": "contains", "value": "ligar"},
                 {"field": "assignee", "op": "eq", "value": bruno.user.pk}]}
    ) == [task.pk]  # fmt: skip
    body = problem(
        client.get("/api/v1/activities", {"filter": json.dumps({"field": "mood", "op": "eq"})}),
        400,
    )
    assert any(f.startswith("filter") for f in fields_of(body))
    # Carla's filters only ever see Carla's rows.
    tree = json.dumps({"field": "subject", "op": "starts_with", "value": "Ligar"})
    assert carla.client().get("/api/v1/activities", {"filter": tree}).json()["items"] == []
