"""Every operation of the served OpenAPI document, against Ana's workspace with one of everything
(tests/one_of_everything.py):

- Carla (workspace B) asks for each of Ana's records by id, with every method the API has for it:
  she gets 404 as a problem document, and Ana's workspace is exactly as it was; then Ana sends the
  same request and does not get 404 (so the id was real and the body acceptable).
- Every GET takes no more queries with 100 rows of what it shows than with 10
  (tests/core/every_path_rows.py says, per path, which rows those are).

A path parameter, a body or a row kind the test does not know fails with a message saying what to
add, so an operation added to the API is covered the day it is added. The data is made once for
the module (a transaction rolled back at its end); each test runs in a savepoint of its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.conftest import Persona, make_workspace_a, make_workspace_b
from tests.core import every_path_rows as rows
from tests.core.every_path import (
    GOAL,
    LENIENT_BODIES,
    NAMED_INSIDE,
    OPERATIONS,
    PREFIX,
    Operation,
    Unmapped,
    body_for,
    changes_by,
    ids_in,
    missing_ids,
    named_inside,
    names_records,
    url_for,
)
from tests.one_of_everything import seed
from vinculo.activities.models import Activity
from vinculo.core.models import EventDelivery
from vinculo.quality.models import DedupeRun, DuplicateCandidate
from vinculo.sales.models import Deal, LostReason, Stage

PROBLEM = "application/problem+json"


@dataclass
class World:
    ana: Persona
    carla: Persona
    ids: dict[str, Any]  # Ana's, by path parameter name (tests/core/every_path.py)
    carla_ids: dict[str, Any]  # a few of Carla's own


def _created(response) -> int:
    assert response.status_code in (200, 201, 202), response.content
    return response.json()["id"]


def _post(persona: Persona, url: str, body: Any):
    return persona.client().post(url, json.dumps(body), content_type="application/json")


def _extras(people: dict[str, Persona], ids: dict[str, Any]) -> dict[str, Any]:
    """What the shared seed does not make: made through Ana's API."""
    ana = people["ana"]
    ws = ana.workspace
    api = "/api/v1"
    more: dict[str, Any] = {}
    more["view_id"] = _created(
        _post(ana, f"{api}/views", {"object_type": "person", "name": "Clientes de Salvador"})
    )
    more["product_id"] = _created(
        _post(ana, f"{api}/products", {"name": "Pão de queijo", "unit_price": "12.50"})
    )
    more["template_id"] = _created(
        _post(
            ana,
            f"{api}/quality/import-templates",
            {"name": "Clientes", "object_type": "people", "mapping": {"Nome": "first_name"}},
        )
    )
    twins = [
        _created(
            _post(
                ana,
                f"{api}/people",
                {"first_name": "Ivo", "last_name": "Teles", "email": "ivo.teles@exemplo.com.br"},
            )
        )
        for _ in range(2)
    ]
    merge = _post(ana, f"{api}/quality/merges", {"survivor_id": twins[0], "loser_id": twins[1]})
    more["merge_id"] = _created(merge)
    more["twin_id"] = _created(_post(ana, f"{api}/people", {"first_name": "Ivone"}))
    more["erasable_person_id"] = _created(
        _post(
            ana,
            f"{api}/people",
            {
                "first_name": "Quitéria",
                "last_name": "Vasconcelos",
                "email": "quiteria.v@exemplo.com.br",
            },
        )
    )
    # Restoring needs a deleted record of each kind that can be restored.
    for kind, path, body in [
        ("person", "people", {"first_name": "Apagada"}),
        ("company", "companies", {"name": "Apagada Ltda."}),
        ("deal", "deals", {"title": "Apagado", "person_id": ids["person_id"]}),
        (
            "activity",
            "activities",
            {"kind": "note", "body": "Apagada", "person_id": ids["person_id"]},
        ),
    ]:
        gone = _created(_post(ana, f"{api}/{path}", body))
        deleted = ana.client().delete(f"{api}/{path}/{gone}")
        assert deleted.status_code in (200, 204), deleted.content
        more[f"deleted_{kind}_id"] = gone
    team = ids["team_id"]
    bruno, vera = people["bruno"].user.pk, people["vera"].user.pk
    added = _post(ana, f"{api}/teams/{team}/members", {"user_id": bruno})
    assert added.status_code == 201, added.content
    more["team_member_user_id"] = bruno
    more["other_user_id"] = vera
    done = _created(
        _post(ana, f"{api}/tasks", {"subject": "Enviar a proposta", "person_id": ids["person_id"]})
    )
    completed = _post(ana, f"{api}/tasks/{done}/complete", {})
    assert completed.status_code == 200, completed.content
    more["done_task_id"] = done
    run = DedupeRun.objects.for_workspace(ws).order_by("pk").last()
    if run is None:
        more["dedupe_run_id"] = _created(
            _post(ana, f"{api}/quality/duplicates/runs", {"object_type": "person"})
        )
    else:
        more["dedupe_run_id"] = run.pk
    pair = DuplicateCandidate.objects.for_workspace(ws).order_by("pk").first()
    assert pair is not None
    more["pair_id"] = pair.pk  # the seed's is 0, for the screens (a POST-only URL)
    note = Activity.objects.for_workspace(ws).exclude(kind="task").order_by("pk").first()
    assert note is not None
    more["activity_id"] = note.pk
    outbox = EventDelivery.objects.filter(workspace=ws).order_by("pk").first()
    assert outbox is not None
    more["outbox_delivery_id"] = outbox.pk
    deal = Deal.objects.get(pk=ids["deal_id"])
    stages = list(Stage.objects.filter(pipeline=deal.pipeline_id).order_by("position", "pk"))
    more["pipeline_id"] = deal.pipeline_id
    more["stage_id"] = stages[0].pk
    more["stage_ids"] = [s.pk for s in stages]
    more["other_stage_id"] = next(
        s.pk for s in stages if s.pk != deal.stage_id and s.kind == "open"
    )
    reasons = list(LostReason.objects.filter(pipeline=deal.pipeline_id).order_by("position", "pk"))
    assert reasons, "the deal's pipeline has no lost reasons"
    more["reason_id"] = reasons[0].pk
    more["reason_ids"] = [r.pk for r in reasons]
    return more


def _carlas(carla: Persona) -> dict[str, Any]:
    api = "/api/v1"
    person = _created(_post(carla, f"{api}/people", {"first_name": "Sérgio", "last_name": "Brasa"}))
    return {
        "carla_person_id": person,
        "carla_deal_id": _created(
            _post(carla, f"{api}/deals", {"title": "Revisão da frota", "person_id": person})
        ),
        "carla_activity_id": _created(
            _post(
                carla,
                f"{api}/activities",
                {"kind": "note", "body": "Orçamento enviado", "person_id": person},
            )
        ),
        "carla_team_id": _created(_post(carla, f"{api}/teams", {"name": "Oficina"})),
        "carla_goal_id": _created(_post(carla, f"{api}/goals", GOAL)),
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Ana's workspace with one of everything and Carla's: made once, rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            people = make_workspace_a()
            carla = make_workspace_b()
            # few of each, so that a list's default page shows 10 rows, then 50
            seeded = seed(people["ana"], demo=6, tracked=1)
            ids = dict(seeded.ids)
            ids["lifecycle_stage_id"] = seeded.by_url["web:settings:lifecycle_update"]["stage_id"]
            ids["export_id"] = seeded.by_url["quality:export_download"]["job_id"]
            ids["audit_run_id"] = ids["run_id"]
            ids.update(_extras(people, ids))
            ids["ana_user_id"] = people["ana"].user.pk
            yield World(people["ana"], carla, ids, _carlas(carla))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _send(persona: Persona, op: Operation, url: str, body: Any):
    client = persona.client()
    call = getattr(client, op.method)
    if body is None:
        return call(url)
    return call(url, json.dumps(body), content_type="application/json")


def _problem(response, ids: list[str]) -> tuple[int, str]:
    """The status and problem document of ``response``, the ids it names written ``<id>``."""
    text = response.content.decode()
    for value in sorted(ids, key=len, reverse=True):
        text = re.sub(rf"\b{value}\b", "<id>", text)
    return response.status_code, text


WITH_IDS = [op for op in OPERATIONS if names_records(op)]
WITH_BODIES = [op for op in WITH_IDS if op.body_schema is not None]
GETS = [op for op in OPERATIONS if op.method == "get"]


def test_the_operations_are_all_here():
    # the parametrisations below are over these; a schema that lost its paths would pass them
    assert len(OPERATIONS) > 150
    assert len(WITH_IDS) > 100
    assert len(GETS) > 70


@pytest.mark.parametrize("op", WITH_IDS, ids=[op.label for op in WITH_IDS])
def test_carla_gets_404_for_every_id_of_anas(world, db, op):
    try:
        url = url_for(op, world.ids)
        body = body_for(op, world.ids)
    except Unmapped as gap:
        pytest.fail(str(gap))
    response, changed = changes_by(world.ana.workspace, lambda: _send(world.carla, op, url, body))
    assert response.status_code == 404, (url, response.status_code, response.content[:500])
    assert response["Content-Type"] == PROBLEM
    assert not changed, f"Carla's {op.label} changed Ana's {changed}"
    # ...the very answer an id that exists nowhere gets: nothing tells her the record exists.
    nowhere = missing_ids(world.ids)
    elsewhere = _send(world.carla, op, url_for(op, nowhere), body)
    assert _problem(response, ids_in(op, world.ids)) == _problem(elsewhere, ids_in(op, nowhere))
    # The same request from Ana finds the record: the 404 was about whose it is.
    mine = _send(world.ana, op, url, body)
    # (409: found, but in a state the action does not apply to)
    expected = {200} if op.method == "get" else {200, 201, 202, 204, 409}
    assert mine.status_code in expected, (url, mine.status_code, mine.content[:500])


@pytest.mark.parametrize("op", WITH_BODIES, ids=[op.label for op in WITH_BODIES])
def test_a_body_the_schema_refuses_says_nothing_about_the_id(world, db, op):
    # The app's convention: django-ninja checks a body against the operation's schema before the
    # view runs, so a body the schema refuses gets 422 whatever the id, Ana's or none (except
    # where the schema takes anything: LENIENT_BODIES, 404 then). Bodies the schema accepts get
    # 404 from Carla: the test above.
    try:
        url = url_for(op, world.ids)
    except Unmapped as gap:
        pytest.fail(str(gap))
    refused = _send(world.carla, op, url, "not an object")
    expected = 404 if op.label in LENIENT_BODIES else 422
    assert refused.status_code == expected, (url, refused.content[:300])
    assert refused["Content-Type"] == PROBLEM
    nowhere = missing_ids(world.ids)
    elsewhere = _send(world.carla, op, url_for(op, nowhere), "not an object")
    assert _problem(refused, ids_in(op, world.ids)) == _problem(elsewhere, ids_in(op, nowhere))


@pytest.mark.parametrize(
    ("method", "path", "body"),
    NAMED_INSIDE,
    ids=[f"{m.upper()} {p} {json.dumps(b)}" for m, p, b in NAMED_INSIDE],
)
def test_anas_ids_in_carlas_bodies_and_queries_are_ids_of_nothing(world, db, method, path, body):
    nowhere = missing_ids(world.ids)
    named = [str(world.ids[k]) for k in re.findall(r"@(\w+)", json.dumps([path, body]))]
    unnamed = [str(nowhere[k]) for k in re.findall(r"@(\w+)", json.dumps([path, body]))]
    client = world.carla.client()

    def send(ids: dict[str, Any]):
        url = "/api/v1" + named_inside(path, ids, world.carla_ids)
        data = named_inside(body, ids, world.carla_ids)
        if data is None:
            return getattr(client, method)(url)
        return getattr(client, method)(url, json.dumps(data), "application/json")

    mine, changed = changes_by(world.ana.workspace, lambda: send(world.ids))
    assert not changed, f"Carla's request changed Ana's {changed}"
    none = send(nowhere)
    assert _problem(mine, named) == _problem(none, unnamed)
    if mine.status_code == 200:  # a list filtered by an id of nothing: empty
        assert method == "get" and mine.json()["items"] == [], mine.content[:300]
    else:
        assert 400 <= mine.status_code < 500, mine.content[:300]


@pytest.mark.parametrize("op", GETS, ids=[op.label for op in GETS])
def test_a_get_takes_as_many_queries_at_100_rows_as_at_10(world, db, op):
    try:
        url = url_for(op, world.ids)
        grow = rows.grower(op)
    except (Unmapped, rows.Unmapped) as gap:
        pytest.fail(str(gap))
    client = world.ana.client()
    grow(world.ana, world.ids, 10)
    _read(client, url)  # warm: a first request may fill caches
    with CaptureQueriesContext(connection) as few:
        shown = _read(client, url)
    grow(world.ana, world.ids, 90)
    with CaptureQueriesContext(connection) as many:
        answer = _read(client, url)
    if op.path.removeprefix(PREFIX) not in rows.UNSEEN:
        assert len(answer) > len(shown), (
            f"{op.label}: the answer at 100 rows is no longer than at 10: are the rows it shows "
            "the ones tests/core/every_path_rows.py adds, or is its default page full at 10 "
            "already? (else list the path in UNSEEN, with why)"
        )
    few_queries, many_queries = _counted(few), _counted(many)
    extra = _extra_queries(few_queries, many_queries)
    assert len(many_queries) <= len(few_queries), (
        f"{op.label}: {len(few_queries)} queries at 10 rows, {len(many_queries)} at 100; the "
        "extra ones:\n" + "\n".join(extra)
    )


def _counted(context: CaptureQueriesContext) -> list[dict[str, str]]:
    """The queries of a read, less the token's ``last_used_at`` touch: it is written at most once
    a minute per token (workspaces.services.TOKEN_TOUCH_INTERVAL), so whether it falls in the
    measured read depends on the clock, not on the rows."""
    return [
        q
        for q in context.captured_queries
        if not (q["sql"].startswith('UPDATE "workspaces_apitoken"') and "last_used_at" in q["sql"])
    ]


def _read(client, url: str) -> bytes:
    """The body of a GET that must answer 200, streamed ones read to the end (their queries
    run as they stream)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _extra_queries(few: list[dict[str, str]], many: list[dict[str, str]]) -> list[str]:
    seen = [q["sql"] for q in few]
    extra = []
    for query in many:
        if query["sql"] in seen:
            seen.remove(query["sql"])
        else:
            sql = query["sql"]
            extra.append(sql if len(sql) < 400 else f"{sql[:150]} … {sql[-250:]}")
    return extra[:10]
