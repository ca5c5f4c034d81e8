"""The privacy API: data export, erasure, the request register, settings and the access log,
each with two workspaces (Carla gets 404 for every one of Ana's ids) and the roles."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from vinculo.activities import services as activity_services
from vinculo.contacts import services as contact_services
from vinculo.contacts.models import Person
from vinculo.privacy.models import AccessRecord, DataSubjectRequest


def send(client, method: str, url: str, body: dict | None = None):
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def maria(ana) -> Person:
    person = contact_services.create_person(
        actor=ana.actor,
        data={"first_name": "Maria", "last_name": "Souza", "email": "maria@cliente.com.br"},
    )
    activity_services.log_activity(
        actor=ana.actor, data={"kind": "email", "person_id": person.pk, "subject": "Orçamento"}
    )
    return person


def test_data_export_holds_every_section(ana, maria):
    answer = ana.client().get(f"/api/v1/people/{maria.pk}/data-export")
    assert answer.status_code == 200
    body = answer.json()
    assert body["person"]["email"] == "maria@cliente.com.br"
    assert body["emails"][0]["subject"] == "Orçamento"
    for section in (
        "custom_fields",
        "tags",
        "companies",
        "consents",
        "consent_history",
        "timeline",
        "activities",
        "events",
        "purchases",
        "form_submissions",
        "deals",
    ):
        assert section in body


def test_export_and_erase_refuse_other_workspaces_and_roles(ana, bruno, vera, carla, maria):
    url = f"/api/v1/people/{maria.pk}"
    assert carla.client().get(f"{url}/data-export").status_code == 404
    assert vera.client().get(f"{url}/data-export").status_code == 403
    assert (
        send(carla.client(), "post", f"{url}/erase", {"confirm": str(maria.pk)}).status_code == 404
    )
    assert (
        send(bruno.client(), "post", f"{url}/erase", {"confirm": str(maria.pk)}).status_code == 403
    )
    assert carla.client().get(f"{url}/access-log").status_code == 404
    refused = send(ana.client(), "post", f"{url}/erase", {"confirm": "nope"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "confirm"
    assert Person.objects.filter(pk=maria.pk).exists()


def test_erase_through_the_api(ana, maria):
    created = send(
        ana.client(),
        "post",
        "/api/v1/privacy/requests",
        {"kind": "erasure", "person_id": maria.pk, "subject_label": "Maria Souza"},
    ).json()
    answer = send(
        ana.client(),
        "post",
        f"/api/v1/people/{maria.pk}/erase",
        {"confirm": str(maria.pk), "request_id": created["id"]},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["subject"].startswith("erased-person-") and body["counts"]["contacts.person"] == 1
    assert not Person.objects.filter(pk=maria.pk).exists()
    assert ana.client().get(f"/api/v1/people/{maria.pk}").status_code == 404
    request = ana.client().get(f"/api/v1/privacy/requests/{created['id']}").json()
    assert request["status"] == "completed" and request["erasure_id"] == body["id"]
    assert request["person_id"] is None and request["subject_label"] == body["subject"]
    erasures = ana.client().get("/api/v1/privacy/erasures").json()
    assert [e["subject"] for e in erasures] == [body["subject"]]


def test_request_register_crud_with_deadline(ana, bruno, carla, maria):
    client = ana.client()
    received = timezone.now() - timedelta(days=20)
    created = send(
        client,
        "post",
        "/api/v1/privacy/requests",
        {"kind": "access", "person_id": maria.pk, "received_at": received.isoformat()},
    )
    assert created.status_code == 201
    item = created.json()
    assert item["overdue"] is True and item["status"] == "received"
    due = DataSubjectRequest.objects.get(pk=item["id"]).due_at
    assert due - received == timedelta(days=15)
    fresh = send(client, "post", "/api/v1/privacy/requests", {"kind": "correction"}).json()
    overdue = client.get("/api/v1/privacy/requests?overdue=true").json()["items"]
    assert [r["id"] for r in overdue] == [item["id"]]
    assert len(client.get("/api/v1/privacy/requests").json()["items"]) == 2
    done = send(client, "patch", f"/api/v1/privacy/requests/{item['id']}", {"status": "completed"})
    assert done.status_code == 200 and done.json()["completed_at"] and not done.json()["overdue"]
    bad = send(client, "post", "/api/v1/privacy/requests", {"kind": "telepathy"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "kind"
    other = send(client, "post", "/api/v1/privacy/requests", {"kind": "access", "person_id": 10**9})
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "person_id"
    # Carla: 404 for each of Ana's ids, and Ana's person cannot be attached to her requests.
    for method in ("get", "patch", "delete"):
        assert (
            send(carla.client(), method, f"/api/v1/privacy/requests/{fresh['id']}").status_code
            == 404
        )
    theirs = send(
        carla.client(),
        "post",
        "/api/v1/privacy/requests",
        {"kind": "access", "person_id": maria.pk},
    )
    assert theirs.status_code == 422
    assert carla.client().get("/api/v1/privacy/requests").json()["items"] == []
    assert bruno.client().get("/api/v1/privacy/requests").status_code == 403
    assert send(client, "delete", f"/api/v1/privacy/requests/{fresh['id']}").status_code == 204


def test_access_log_is_off_by_default_and_records_reads_when_on(ana, bruno, carla, maria):
    bruno.client().get(f"/api/v1/people/{maria.pk}")
    assert not AccessRecord.objects.exists()
    assert (
        send(
            bruno.client(), "patch", "/api/v1/privacy/settings", {"access_log_enabled": True}
        ).status_code
        == 403
    )
    answer = send(ana.client(), "patch", "/api/v1/privacy/settings", {"access_log_enabled": True})
    assert answer.json() == {"bin_retention_days": 30, "access_log_enabled": True}
    bruno.client().get(f"/api/v1/people/{maria.pk}")
    ana.client().get(f"/api/v1/people/{maria.pk}/data-export")
    carla.client().get(f"/api/v1/people/{maria.pk}")  # refused: no record
    log = ana.client().get(f"/api/v1/people/{maria.pk}/access-log").json()
    assert [(r["user_id"], r["action"]) for r in log] == [
        (ana.user.pk, "export"),
        (bruno.user.pk, "api_view"),
    ]
    bad = send(ana.client(), "patch", "/api/v1/privacy/settings", {"bin_retention_days": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "bin_retention_days"
