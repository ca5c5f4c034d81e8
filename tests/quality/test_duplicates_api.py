"""The duplicates and merge API: run, list, decide, preview, merge, undo; Carla and Vera."""

from __future__ import annotations

import pytest

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.worker import run_burst
from vinculo.quality.models import DedupeRun, DuplicateCandidate
from vinculo.quality.services import duplicates as detection

BASE = "/api/v1/quality"


@pytest.fixture
def twins(ana):
    a = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Rafaela", "last_name": "Quintino", "email": "rafa@q.com.br"},
    )
    b = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Rafaela", "last_name": "Quintino", "email": "RAFA@Q.COM.BR",
              "phone": "+5511987654321"},
    )  # fmt: skip
    detection.detect_duplicates(actor=ana.actor, object_type="person")
    return a, b


def test_list_pairs_with_records_and_reasons(ana, twins, django_assert_max_num_queries):
    a, b = twins
    with django_assert_max_num_queries(12):
        response = ana.client().get(f"{BASE}/duplicates/pairs")
    assert response.status_code == 200
    (pair,) = response.json()["items"]
    assert (pair["left_id"], pair["right_id"]) == (a.pk, b.pk)
    assert pair["left"]["name"] == "Rafaela Quintino"
    assert {(r["field"], r["level"]) for r in pair["reasons"]} >= {
        ("email", "same"),
        ("first_name", "same"),
    }
    assert all(r["text"] and r["bits"] for r in pair["reasons"])
    assert "email: same value" in {r["text"] for r in pair["reasons"]}
    clusters = ana.client().get(f"{BASE}/duplicates/clusters").json()
    assert clusters[0]["record_ids"] == [a.pk, b.pk]


def test_decide_merge_preview_and_undo(ana, twins):
    a, b = twins
    pair = DuplicateCandidate.objects.get(workspace=ana.workspace)
    client = ana.client()
    later = send(client, "post", f"{BASE}/duplicates/pairs/{pair.pk}/decision", {"status": "later"})
    assert later.json()["status"] == "later"
    preview = client.get(
        f"{BASE}/merges/preview", {"object_type": "person", "survivor_id": a.pk, "loser_id": b.pk}
    ).json()
    phone = next(c for c in preview if c["name"] == "phone")
    assert phone["pick"] == "loser" and phone["rule"] == "not_empty"
    merged = send(
        client,
        "post",
        f"{BASE}/merges",
        {"object_type": "person", "survivor_id": a.pk, "loser_id": b.pk, "picks": {}},
    )
    assert merged.status_code == 201, merged.content
    body = merged.json()
    assert Person.objects.get(pk=b.pk).deleted_at is not None
    assert Person.objects.get(pk=a.pk).phone == "+5511987654321"
    assert client.get(f"{BASE}/merges").json()["items"][0]["id"] == body["id"]
    undone = send(client, "post", f"{BASE}/merges/{body['id']}/undo")
    assert undone.status_code == 200
    assert undone.json()["undone_at"] is not None
    assert Person.objects.get(pk=b.pk).deleted_at is None
    assert Person.objects.get(pk=a.pk).phone == ""
    problem(send(client, "post", f"{BASE}/merges/{body['id']}/undo"), 409)


def test_bad_input_is_a_problem_naming_the_field(ana, twins):
    a, _b = twins
    client = ana.client()
    body = problem(send(client, "post", f"{BASE}/duplicates/runs", {"object_type": "deal"}), 422)
    assert fields_of(body) == {"object_type"}
    pair = DuplicateCandidate.objects.get(workspace=ana.workspace)
    body = problem(
        send(client, "post", f"{BASE}/duplicates/pairs/{pair.pk}/decision", {"status": "x"}), 422
    )
    assert fields_of(body) == {"status"}
    body = problem(
        send(client, "post", f"{BASE}/merges",
             {"object_type": "person", "survivor_id": a.pk, "loser_id": a.pk}),
        422,
    )  # fmt: skip
    assert fields_of(body) == {"loser_id"}
    body = problem(
        send(client, "patch", f"{BASE}/duplicates/settings", {"auto_merge_precision": 3}), 422
    )
    assert fields_of(body) == {"auto_merge_precision"}


def test_carla_gets_404_and_nothing_of_anas(ana, carla, twins):
    a, b = twins
    pair = DuplicateCandidate.objects.get(workspace=ana.workspace)
    client = carla.client()
    assert client.get(f"{BASE}/duplicates/pairs").json()["items"] == []
    assert client.get(f"{BASE}/duplicates/clusters").json() == []
    problem(client.get(f"{BASE}/duplicates/pairs/{pair.pk}"), 404)
    problem(send(client, "post", f"{BASE}/duplicates/pairs/{pair.pk}/decision",
                 {"status": "not_duplicate"}), 404)  # fmt: skip
    problem(client.get(f"{BASE}/merges/preview", {"survivor_id": a.pk, "loser_id": b.pk}), 404)
    problem(send(client, "post", f"{BASE}/merges", {"survivor_id": a.pk, "loser_id": b.pk}), 404)
    run = DedupeRun.objects.get(workspace=ana.workspace)
    problem(client.get(f"{BASE}/duplicates/runs/{run.pk}"), 404)
    record = send(ana.client(), "post", f"{BASE}/merges", {"survivor_id": a.pk, "loser_id": b.pk})
    problem(client.get(f"{BASE}/merges/{record.json()['id']}"), 404)
    problem(send(client, "post", f"{BASE}/merges/{record.json()['id']}/undo"), 404)
    assert client.get(f"{BASE}/merges").json()["items"] == []
    assert Person.objects.get(pk=b.pk).deleted_at is not None  # Ana's merge stands


def test_vera_reads_but_cannot_write(vera, twins):
    a, b = twins
    pair = DuplicateCandidate.objects.get(workspace=vera.workspace)
    client = vera.client()
    assert client.get(f"{BASE}/duplicates/pairs").status_code == 200
    problem(send(client, "post", f"{BASE}/duplicates/runs", {"object_type": "person"}), 403)
    problem(send(client, "post", f"{BASE}/duplicates/pairs/{pair.pk}/decision",
                 {"status": "later"}), 403)  # fmt: skip
    problem(send(client, "post", f"{BASE}/merges", {"survivor_id": a.pk, "loser_id": b.pk}), 403)
    problem(send(client, "post", f"{BASE}/duplicates/auto-merge", {}), 403)
    problem(
        send(client, "patch", f"{BASE}/duplicates/settings", {"auto_merge_precision": 0.99}), 403
    )


@pytest.mark.django_db(transaction=True)
def test_run_in_the_background_with_automatic_mode(ana):
    for first, last, phone, city in [
        ("Otávio", "Brandão", "+5521987654321", "Niterói"),
        ("Otavio", "Brandao", "(21) 98765-4321", "Niteroi"),
    ]:
        contacts.create_person(
            actor=ana.actor,
            data={"first_name": first, "last_name": last, "email": "otavio@b.com.br",
                  "phone": phone, "city": city},
        )  # fmt: skip
    response = send(
        ana.client(),
        "post",
        f"{BASE}/duplicates/runs",
        {"object_type": "person", "auto_merge": True},
    )
    assert response.status_code == 202
    run_id = response.json()["id"]
    run_burst(mode="db")
    run = ana.client().get(f"{BASE}/duplicates/runs/{run_id}").json()
    assert run["status"] == "done" and run["percent"] == 100
    assert run["pairs_found"] == 1 and run["auto_merged"] == 1
    assert run["started_at"] <= run["finished_at"]
    assert Person.objects.filter(workspace=ana.workspace, deleted_at__isnull=True).count() == 1
