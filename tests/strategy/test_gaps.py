"""Customer-experience gaps: CRUD through the API with every bad field named (the evidence KPI
registered, the segment a valid filter on people, 1 to 7 whys, tactics and goals of the same
workspace), the evidence measured (the KPI over the last 90 days, the people in the segment,
with links), two-workspace isolation, and the screens (list by status, the gap's page, the edit
form adding and removing whys)."""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.core.models import SavedView
from vinculo.strategy.models import (
    Function,
    Gap,
    Goal,
    Objective,
    Plan,
    Strategy,
    Tactic,
    TacticStatus,
)

API = "/api/v1"
JO = {"field": "first_name", "op": "starts_with", "value": "Jo"}
SLOW = {
    "title": "Leads esperam demais pela primeira resposta",
    "observed": "Leads do site reclamam que ninguém respondeu no mesmo dia.",
    "evidence_kpi": "new_people",
    "evidence_segment": JO,
    "evidence_note": "Três reclamações no Reclame Aqui em março.",
    "whys": [
        "Ninguém vê os leads que chegam à noite.",
        "Os leads do site não têm dono.",
        "A distribuição de leads não está configurada.",
    ],
    "root_cause": "Ninguém é responsável pela distribuição de leads.",
    "status": "investigating",
}


def _plan(persona, title: str = "Responder leads em 1 hora") -> tuple[Tactic, Goal]:
    """A tactic and a goal in ``persona``'s workspace (their services belong to the plan)."""
    ws = persona.workspace
    plan = Plan.objects.create(workspace=ws, title="Plano 2027")
    objective = Objective.objects.create(workspace=ws, plan=plan, title="Crescer 20%")
    strategy = Strategy.objects.create(
        workspace=ws, objective=objective, function=Function.SALES, title="Atender rápido"
    )
    tactic = Tactic.objects.create(
        workspace=ws, strategy=strategy, title=title, status=TacticStatus.ACTIVE
    )
    goal = Goal.objects.create(
        workspace=ws, tactic=tactic, title="Tempo de resposta < 1 h", kpi_key="lead_response_time",
        starts_on=date(2027, 1, 1), deadline=date(2027, 6, 30), target=3600,
    )  # fmt: skip
    return tactic, goal


def _people(persona) -> None:
    # Joana and João start with "Jo", Pedro does not: the segment holds 2 of the 3 new people
    for name in ("Joana", "João", "Pedro"):
        contacts.create_person(actor=persona.actor, data={"first_name": name})


def test_gaps_crud_with_evidence_and_links(ana, bruno):
    _people(ana)
    tactic, goal = _plan(ana)
    client = ana.client()
    body = SLOW | {"tactic_ids": [tactic.pk], "goal_ids": [goal.pk], "owner_id": bruno.user.pk}
    created = send(client, "post", f"{API}/gaps", body)
    assert created.status_code == 201, created.content
    gap = created.json()
    assert gap["whys"] == SLOW["whys"] and gap["status_label"] == "Investigating"
    assert [t["title"] for t in gap["tactics"]] == ["Responder leads em 1 hora"]
    assert gap["goals"][0]["status"] == "not_started"
    # the evidence, measured now: 3 people created today, 2 of them in the segment
    assert gap["kpi_evidence"]["value"] == 3 and gap["kpi_evidence"]["shown"] == "3"
    kpi_url = urlsplit(gap["kpi_evidence"]["url"])
    assert kpi_url.path == "/insights/kpis/new_people/"
    days = parse_qs(kpi_url.query)
    span = date.fromisoformat(days["to"][0]) - date.fromisoformat(days["from"][0])
    assert span.days == 89  # 90 days, today included
    assert gap["segment_evidence"]["count"] == 2
    people_url = urlsplit(gap["segment_evidence"]["url"])
    assert people_url.path == "/people/"
    assert json.loads(parse_qs(people_url.query)["filter"][0]) == JO
    url = f"{API}/gaps/{gap['id']}"
    changed = send(client, "patch", url, {"status": "closing", "goal_ids": []})
    assert changed.status_code == 200, changed.content
    assert changed.json()["goals"] == [] and len(changed.json()["tactics"]) == 1  # kept
    assert changed.json()["whys"] == SLOW["whys"]  # kept
    listed = client.get(f"{API}/gaps", {"status": "closing"}).json()["items"]
    assert [g["id"] for g in listed] == [gap["id"]]
    assert client.get(f"{API}/gaps", {"status": "open"}).json()["items"] == []
    assert client.delete(url).status_code == 204
    problem(client.get(url), 404)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": " "}, "title"),
        ({"evidence_kpi": "happiness"}, "evidence_kpi"),
        ({"evidence_segment": {"field": "nope", "op": "eq", "value": 1}}, "evidence_segment"),
        ({"evidence_segment": {"field": "first_name", "op": "gt", "value": 1}},
         "evidence_segment"),
        ({"whys": []}, "whys"),
        ({"whys": [f"porquê {i}" for i in range(8)]}, "whys"),
        ({"whys": ["Ninguém vê os leads.", "  "]}, "whys.1"),
        ({"whys": ["x" * 501]}, "whys.0"),
        ({"status": "solved"}, "status"),
        ({"owner_id": 987_654}, "owner_id"),
        ({"tactic_ids": [987_654]}, "tactic_ids"),
        ({"goal_ids": [987_654]}, "goal_ids"),
        ({"evidence_view_id": 987_654}, "evidence_view_id"),
    ],
)  # fmt: skip
def test_bad_gaps_name_the_field(ana, data, field):
    body = problem(send(ana.client(), "post", f"{API}/gaps", SLOW | data), 422)
    assert any(f == field or f.startswith(field + ".") for f in fields_of(body)), body
    assert not Gap.objects.for_workspace(ana.workspace).exists()  # nothing half-written


def test_a_saved_list_as_evidence(ana, bruno):
    view = SavedView.objects.create(
        workspace=ana.workspace, object_type="person", name="Leads sem dono", owner=ana.user,
        filter={"field": "owner", "op": "is_empty"},
    )  # fmt: skip
    gap = send(ana.client(), "post", f"{API}/gaps", SLOW | {"evidence_view_id": view.pk}).json()
    assert gap["view_evidence"] == {"name": "Leads sem dono", "url": f"/people/?view={view.pk}"}
    # Bruno cannot cite Ana's personal list (he cannot see it)
    bruno_view = SavedView.objects.create(
        workspace=ana.workspace, object_type="person", name="Meus", owner=bruno.user
    )
    body = SLOW | {"evidence_view_id": bruno_view.pk}
    assert fields_of(problem(send(ana.client(), "post", f"{API}/gaps", body), 422)) == {
        "evidence_view_id"
    }


def test_a_viewer_reads_but_does_not_write(ana, vera):
    gap = send(ana.client(), "post", f"{API}/gaps", SLOW).json()
    client = vera.client()
    assert client.get(f"{API}/gaps/{gap['id']}").status_code == 200
    problem(send(client, "post", f"{API}/gaps", SLOW), 403)
    problem(send(client, "patch", f"{API}/gaps/{gap['id']}", {"status": "closed"}), 403)


def test_another_workspace_sees_nothing_of_it(ana, carla):
    tactic, goal = _plan(ana)
    gap = send(ana.client(), "post", f"{API}/gaps", SLOW | {"tactic_ids": [tactic.pk]}).json()
    client = carla.client()
    url = f"{API}/gaps/{gap['id']}"
    problem(client.get(url), 404)
    problem(send(client, "patch", url, {"status": "closed"}), 404)
    problem(client.delete(url), 404)
    assert client.get(f"{API}/gaps").json()["items"] == []
    # nor can she close her own gap with Ana's tactic or goal
    for field, ids in (("tactic_ids", [tactic.pk]), ("goal_ids", [goal.pk])):
        body = problem(send(client, "post", f"{API}/gaps", SLOW | {field: ids}), 422)
        assert fields_of(body) == {field}
    assert Gap.objects.get(pk=gap["id"]).status == "investigating"


def test_the_screens_list_show_and_edit_a_gap(ana):
    _people(ana)
    tactic, _goal = _plan(ana)
    gap = send(ana.client(), "post", f"{API}/gaps", SLOW | {"tactic_ids": [tactic.pk]}).json()
    web = ana.web("pt-br")
    listed = web.get("/strategy/gaps/").content.decode()
    assert SLOW["title"] in listed and "Em investigação" in listed
    assert "Em investigação (1)" in listed  # the status tabs count
    page = web.get(f"/strategy/gaps/{gap['id']}/").content.decode()
    assert "2 pessoas" in page  # the segment's count, linking to the filtered people list
    assert "/people/?filter=" in page
    assert "/insights/kpis/new_people/?period=custom" in page
    whys = [page.index(w) for w in SLOW["whys"]]
    assert whys == sorted(whys) and page.index(SLOW["root_cause"]) > whys[-1]  # a chain
    assert "Responder leads em 1 hora" in page and "Em andamento" in page  # tactic + status
    edit = f"/strategy/gaps/{gap['id']}/edit/"
    form = {
        "title": SLOW["title"], "status": "investigating", "whys": SLOW["whys"],
        "root_cause": SLOW["root_cause"], "evidence_kpi": "new_people",
        "evidence_segment": json.dumps(JO), "tactic_ids": [str(tactic.pk)],
    }  # fmt: skip
    more = web.post(edit, form | {"action": "add_why"})
    assert more.status_code == 200
    assert more.content.decode().count('name="whys"') == 4  # a blank fourth why to fill
    fewer = web.post(edit, form | {"action": "remove_why:0"})
    assert fewer.content.decode().count('name="whys"') == 2
    saved = web.post(edit, form | {"whys": [*SLOW["whys"][1:], "", "Não há dono."]})
    assert saved.status_code == 302
    assert Gap.objects.get(pk=gap["id"]).whys == [*SLOW["whys"][1:], "Não há dono."]
    refused = web.post(edit, form | {"evidence_segment": "{não é json"})
    assert refused.status_code == 422
    assert "O segmento não é um JSON válido" in refused.content.decode()
    assert web.post(f"/strategy/gaps/{gap['id']}/delete/").status_code == 302
    assert not Gap.objects.filter(pk=gap["id"]).exists()
