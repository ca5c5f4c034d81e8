"""Bulk logging: good rows kept, bad rows reported by index, one audit entry, bulk events."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.api import fields_of, problem, send
from vinculo.activities import services
from vinculo.activities.models import Activity, TimelineEntry
from vinculo.core.models import AuditEntry, DomainEvent


def test_mixed_rows_keep_the_good_and_report_the_bad(ana, bruno, a, c):
    old = (timezone.now() - timedelta(days=365)).isoformat()
    rows = [
        {"kind": "note", "body": "Importada", "person_id": a.person.pk, "occurred_at": old},
        {"kind": "call", "person_id": a.person.pk, "duration_seconds": -3},
        {"kind": "email", "deal_id": a.deal.pk, "email_to": "cliente@exemplo.com.br"},
        {"kind": "note", "body": "De outro workspace", "person_id": c.person.pk},
        {"kind": "task", "subject": "Revisar", "company_id": a.company.pk,
         "assignee_id": bruno.user.pk},
        {"kind": "meeting", "person_id": a.person.pk},
        "not an object",
        {"kind": "note", "body": "x"},
    ]  # fmt: skip
    response = send(ana.client(), "post", "/api/v1/activities/bulk", {"rows": rows})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [x["kind"] for x in body["created"]] == ["note", "email", "task"]
    assert body["created"][1]["person_id"] == a.person.pk  # inherited from the deal
    assert body["created"][2]["assignee_id"] == bruno.user.pk
    errors = {e["index"]: {f["field"] for f in e["errors"]} for e in body["errors"]}
    assert errors == {
        1: {"duration_seconds"},
        3: {"person_id"},
        5: {"occurred_at"},
        6: {"row"},
        7: {"person_id"},
    }
    assert Activity.objects.count() == 3
    assert TimelineEntry.objects.filter(activity__isnull=False).count() == 3
    assert DomainEvent.objects.filter(name="activity.logged").count() == 2
    assert DomainEvent.objects.filter(name="task.created").count() == 1
    audit = AuditEntry.objects.get(action="activity.bulk_logged")
    assert audit.changes == {"created": [None, 3], "refused": [None, 5]}
    a.person.refresh_from_db()
    assert a.person.last_activity_at > timezone.now() - timedelta(minutes=1)  # the email's
    # Keys drawn in bulk never collide with the next ones.
    later = services.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Depois", "person_id": a.person.pk}
    )
    assert later.pk > max(x["id"] for x in body["created"])
    assert Activity.objects.count() == 4


def test_too_many_rows_are_refused_whole(ana, a):
    rows = [{"kind": "note", "body": "x", "person_id": a.person.pk}] * 1001
    response = send(ana.client(), "post", "/api/v1/activities/bulk", {"rows": rows})
    assert fields_of(problem(response, 422)) == {"rows"}
    assert not Activity.objects.exists()


def test_backdated_bulk_rows_never_move_last_activity_back(ana, a):
    recent = timezone.now() - timedelta(hours=1)
    services.log_activity(
        actor=ana.actor, data={"kind": "call", "person_id": a.person.pk, "occurred_at": recent}
    )
    services.bulk_log_activities(
        actor=ana.actor,
        rows=[
            {"kind": "note", "body": "velha", "person_id": a.person.pk,
             "occurred_at": timezone.now() - timedelta(days=d)}
            for d in range(2, 6)
        ],
    )  # fmt: skip
    a.person.refresh_from_db()
    assert a.person.last_activity_at == recent


def test_a_large_import_crosses_batch_boundaries_without_losing_rows(ana, bruno, a):
    """Speed is measured in bench/ (make bench); here: every row of a multi-batch import lands."""
    start = timezone.now() - timedelta(days=1000)
    rows = [
        {
            "kind": ("note", "call", "email", "task")[i % 4],
            "subject": f"Histórico {i}",
            "body": "importado",
            "person_id": a.person.pk,
            "occurred_at": start + timedelta(minutes=i),
            **({"direction": "inbound"} if i % 4 in (1, 2) else {}),
            **({"assignee_id": bruno.user.pk} if i % 4 == 3 else {}),
        }
        for i in range(2_345)
    ]
    result = services.bulk_log_activities(actor=ana.actor, rows=rows, max_rows=None)
    assert not result.errors and len(result.created) == 2_345
    assert len({x.pk for x in result.created}) == 2_345
    assert Activity.objects.filter(workspace=ana.workspace).count() == 2_345
    assert TimelineEntry.objects.filter(person=a.person).count() == 2_345
    last = Activity.objects.filter(workspace=ana.workspace).order_by("-occurred_at").first()
    assert last.subject == "Histórico 2344"
