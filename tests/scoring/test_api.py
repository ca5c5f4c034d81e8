# ruff: noqa: RUF001, RUF003  (the reasons say "3×" with a multiplication sign)
"""The lead scoring API: rules CRUD with field-naming errors, the model, training and recompute
(with their permissions), a person's score, the people sorted by score and the filter language
on it; every endpoint refuses another workspace's ids and never shows its data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api import fields_of, problem, send
from tests.scoring.history import make_history
from vinculo.contacts import services as contacts
from vinculo.events.models import TrackedEvent

API = "/api/v1"
PRICING = {
    "name": "Pricing page",
    "kind": "behaviour",
    "points": 10,
    "event_name": "page_viewed",
    "property_key": "url",
    "property_contains": "pricing",
    "window_days": 30,
    "half_life_days": 7,
    "cap": 50,
}


def _viewed(persona, person, times):
    now = timezone.now()
    TrackedEvent.objects.bulk_create(
        [
            TrackedEvent(workspace=persona.workspace, name="page_viewed", person=person,
                         occurred_at=now - timedelta(minutes=5 + i),
                         properties={"url": "https://ex.com/pricing"})
            for i in range(times)
        ]
    )  # fmt: skip


def test_rules_crud(ana):
    client = ana.client()
    created = send(client, "post", f"{API}/scoring/rules", PRICING)
    assert created.status_code == 201, created.content
    rule = created.json()
    assert rule["points"] == 10 and rule["half_life_days"] == 7
    url = f"{API}/scoring/rules/{rule['id']}"
    assert [r["id"] for r in client.get(f"{API}/scoring/rules").json()] == [rule["id"]]
    changed = send(client, "patch", url, {"points": -3, "is_active": False})
    assert changed.status_code == 200 and changed.json()["points"] == -3
    assert changed.json()["event_name"] == "page_viewed"  # kept
    assert client.get(url).json()["is_active"] is False
    assert client.delete(url).status_code == 204
    problem(client.get(url), 404)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"condition": {"field": "nope", "op": "eq", "value": 1}, "kind": "field"}, "condition"),
        ({"condition": {"field": "email", "op": "gt", "value": 1}, "kind": "field"}, "condition"),
        ({"event_name": "Página vista!"}, "event_name"),
        ({"half_life_days": -2}, "half_life_days"),
        ({"window_days": 0}, "window_days"),
        ({"points": 5000}, "points"),
        ({"kind": "magic"}, "kind"),
        ({"name": "  "}, "name"),
        ({"property_key": "", "property_contains": "x"}, "property_key"),
    ],
)
def test_bad_rules_name_the_field(ana, data, field):
    body = problem(send(ana.client(), "post", f"{API}/scoring/rules", PRICING | data), 422)
    assert any(f == field or f.startswith(field + ".") for f in fields_of(body)), body


def test_a_bad_condition_names_the_node(ana):
    data = PRICING | {"kind": "field", "condition": {"and": [{"field": "nope", "op": "eq"}]}}
    body = problem(send(ana.client(), "post", f"{API}/scoring/rules", data), 422)
    assert fields_of(body) == {"condition.and.0.field"}


def test_permissions(ana, bruno, vera):
    problem(send(bruno.client(), "post", f"{API}/scoring/rules", PRICING), 403)
    problem(send(vera.client(), "post", f"{API}/scoring/recompute"), 403)
    problem(send(bruno.client(), "post", f"{API}/scoring/train"), 403)
    assert send(bruno.client(), "post", f"{API}/scoring/recompute").status_code == 200
    assert vera.client().get(f"{API}/scoring/model").status_code == 200


def test_scores_sorted_filtered_and_per_person(ana):
    client = ana.client()
    joana = contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    rui = contacts.create_person(actor=ana.actor, data={"first_name": "Rui"})
    nobody = contacts.create_person(actor=ana.actor, data={"first_name": "Ninguém"})
    _viewed(ana, joana, 3)
    _viewed(ana, rui, 1)
    send(client, "post", f"{API}/scoring/rules", PRICING | {"half_life_days": None})
    assert send(client, "post", f"{API}/scoring/recompute").json() == {"people": 2}
    score = client.get(f"{API}/people/{joana.pk}/score").json()
    assert score["scored"] is True and score["lead_score"] == 30  # 3 views × 10, no decay
    assert score["lead_probability"] is None
    assert score["reasons"][0]["text"] == "+30: visited pages with “pricing” 3× in the last 30 days"
    empty = client.get(f"{API}/people/{nobody.pk}/score").json()
    assert empty["scored"] is False and empty["reasons"] == []
    listed = client.get(f"{API}/scoring/people?sort=-lead_score").json()["items"]
    assert [(i["person_id"], i["lead_score"]) for i in listed] == [(joana.pk, 30), (rui.pk, 10)]
    ascending = client.get(f"{API}/scoring/people?sort=lead_score").json()["items"]
    assert [i["person_id"] for i in ascending] == [rui.pk, joana.pk]
    flt = '{"field": "first_name", "op": "eq", "value": "Rui"}'
    assert [i["person_id"] for i in client.get(
        f"{API}/scoring/people", {"filter": flt}).json()["items"]] == [rui.pk]  # fmt: skip
    # The people list's filter language reads the stored score.
    high = client.get(
        f"{API}/people", {"filter": '{"field": "lead_score", "op": "gt", "value": 15}'}
    )
    assert [p["id"] for p in high.json()["items"]] == [joana.pk]
    problem(client.get(f"{API}/scoring/people?sort=email"), 422)


def test_train_through_the_api(ana):
    make_history(ana, won=60, lost=60, signal=True)
    body = send(ana.client(), "post", f"{API}/scoring/train").json()
    assert body["status"] in {"ready", "no_signal"} and body["holdout_size"] == 36
    assert body["needs_won"] == 0 and body["auc"] is not None
    model = ana.client().get(f"{API}/scoring/model").json()
    assert model["calibration"] and model["features"]


def test_two_workspaces(ana, carla):
    rule = send(ana.client(), "post", f"{API}/scoring/rules", PRICING).json()
    joana = contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    _viewed(ana, joana, 2)
    send(ana.client(), "post", f"{API}/scoring/recompute")
    other = carla.client()
    assert other.get(f"{API}/scoring/rules").json() == []
    for method in ("get", "patch", "delete"):
        problem(send(other, method, f"{API}/scoring/rules/{rule['id']}",
                     {"points": 1} if method == "patch" else None), 404)  # fmt: skip
    problem(other.get(f"{API}/people/{joana.pk}/score"), 404)
    assert other.get(f"{API}/scoring/people").json()["items"] == []
    assert send(other, "post", f"{API}/scoring/recompute").json() == {"people": 0}
    assert other.get(f"{API}/scoring/model").json()["won"] == 0
    send(other, "post", f"{API}/scoring/train")
    # Carla's training and recompute left Ana's scores alone.
    assert ana.client().get(f"{API}/people/{joana.pk}/score").json()["lead_score"] == 20
