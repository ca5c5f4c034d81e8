"""The Adoption report through its service, screen, CSV and API: a hand-computed June 2026 in
a UTC workspace (Ana, Bruno, Vera in A; a team of Bruno), and workspace B never seen from A."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from vinculo.activities import services as activities
from vinculo.activities.models import Activity
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person
from vinculo.core.kpis import Grain
from vinculo.core.tenancy import Team, TeamMember
from vinculo.insights.adoption import adoption

JUNE = "period=custom&from=2026-06-01&to=2026-06-30&grain=month"


@pytest.fixture
def june(ana, bruno, carla):
    """June: Ana logs 2 calls, Bruno 1 note, both on a person Ana created (and owns) in June
    with first name and owner filled (2 of 15 fields). May: Ana logs 1 call. Team Campo: Bruno.
    Carla (B) logs 5 calls."""
    for persona in (ana, carla):
        persona.actor.workspace.timezone = "UTC"
        persona.actor.workspace.save(update_fields=["timezone"])
    someone = contacts.create_person(actor=ana.actor, data={"first_name": "Cliente"})
    Person.objects.filter(pk=someone.pk).update(created_at=datetime(2026, 6, 1, 9, tzinfo=UTC))

    def log(persona, kind, when, person):
        content = {"body": "b"} if kind == "note" else {"subject": "s"}
        made = activities.log_activity(
            actor=persona.actor, data={"kind": kind, "person_id": person.pk, **content}
        )
        Activity.objects.filter(pk=made.pk).update(created_at=when)

    log(ana, "call", datetime(2026, 6, 2, 10, tzinfo=UTC), someone)
    log(ana, "call", datetime(2026, 6, 3, 10, tzinfo=UTC), someone)
    log(bruno, "note", datetime(2026, 6, 4, 10, tzinfo=UTC), someone)
    log(ana, "call", datetime(2026, 5, 4, 10, tzinfo=UTC), someone)
    theirs = contacts.create_person(actor=carla.actor, data={"first_name": "Outro"})
    for day in range(1, 6):
        log(carla, "call", datetime(2026, 6, day, 10, tzinfo=UTC), theirs)
    team = Team.objects.create(workspace=ana.workspace, name="Campo")
    TeamMember.objects.create(workspace=ana.workspace, team=team, user=bruno.user)
    return team


def test_the_report_per_member_team_and_total(ana, bruno, vera, june):
    found = adoption(ana.actor, start=date(2026, 6, 1), end=date(2026, 6, 30), grain=Grain.MONTH)
    rows = {r.key: r for r in found.users}
    # Activities logged: Ana 2 (May: 1), Bruno 1, Vera 0; total 3 (May 1); team Campo 1.
    assert rows[ana.user.pk].values["activities_logged"] == (2, 1)
    assert rows[bruno.user.pk].values["activities_logged"] == (1, 0)
    assert rows[vera.user.pk].values["activities_logged"] == (0, 0)
    assert found.total.values["activities_logged"] == (3, 1)
    assert found.teams[0].name == "Campo"
    assert found.teams[0].values["activities_logged"] == (1, 0)
    # Records created: Ana's person (the API-made "Cliente"), in June; 0 in May.
    assert rows[ana.user.pk].values["records_created"] == (1, 0)
    # No task was due: a share of nothing is no value, for everyone.
    assert rows[vera.user.pk].values["tasks_on_time"] == (None, None)
    # Completeness: Ana owns "Cliente" with 2 of 15 fields (first name, owner); it did not
    # exist at the end of May. Bruno owns nothing: no value.
    value, previous = rows[ana.user.pk].values["record_completeness"]
    assert value == pytest.approx(2 / 15) and previous is None
    assert rows[bruno.user.pk].values["record_completeness"] == (None, None)
    # Over time (activities logged, by month): one point for June, the workspace then Campo.
    assert [[p.value for p in points] for *_who, points in found.series] == [[3], [1]]
    assert found.series[1][:3] == ("team", june.pk, "Campo")
    # Or a line per active member instead of per team (by name: Ana, Bruno, Vera).
    by_member = adoption(ana.actor, start=date(2026, 6, 1), end=date(2026, 6, 30),
                         grain=Grain.MONTH, lines="user")  # fmt: skip
    assert [(key, [p.value for p in points]) for _s, key, _n, points in by_member.series] == [
        (None, [3]), (ana.user.pk, [2]), (bruno.user.pk, [1]), (vera.user.pk, [0])
    ]  # fmt: skip


def test_the_screen_in_portuguese_and_its_csv(ana, bruno, june):
    page = ana.web("pt-br").get(f"/insights/adoption/?{JUNE}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<h1>Adoção</h1>" in text
    assert "Atividades registradas" in text and "Campo" in text
    assert 'data-chart="insights-data"' in text
    chart = json.loads(text.split('id="insights-data" type="application/json">')[1].split("<")[0])
    assert chart["kind"] == "line" and chart["series"][0]["values"] == [3]
    # The overview links it; the reports' address shows the same screen.
    assert "/insights/adoption/?" in ana.web().get("/insights/").content.decode()
    assert ana.web().get(f"/insights/reports/adoption/?{JUNE}").status_code == 200
    # The CSV: one line per member/team/total and KPI, then the series.
    response = ana.web().get(f"/insights/reports/adoption/csv?{JUNE}")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))
    assert lines[0] == ["section", "start", "end", "id", "name", "kpi", "value", "previous"]
    mine = [
        r
        for r in lines
        if r[:1] == ["user"] and r[3] == str(ana.user.pk) and r[5] == "activities_logged"
    ]
    assert mine == [["user", "2026-06-01", "2026-06-30", str(ana.user.pk), mine[0][4],
                     "activities_logged", "2", "1"]]  # fmt: skip
    total = [r for r in lines if r[0] == "total" and r[5] == "record_completeness"]
    assert total[0][6] == "0.133333"  # 2 / 15, rounded to 6 places
    assert ["series_total", "2026-06-01", "2026-06-30", "", "Everyone", "activities_logged", "3",
            ""] in lines  # fmt: skip
    # Input the page cannot use is said on it (400), the CSV goes back to the page.
    assert ana.web().get("/insights/adoption/?grain=century").status_code == 400
    assert ana.web().get("/insights/reports/adoption/csv?kpi=nope").status_code == 302


def test_the_api_and_two_workspaces(ana, carla, june):
    got = ana.client().get("/api/v1/reports/adoption?from=2026-06-01&to=2026-06-30&grain=month")
    assert got.status_code == 200
    body = got.json()
    total = next(r for r in body["rows"] if r["section"] == "total")
    logged = next(v for v in total["values"] if v["kpi"] == "activities_logged")
    assert (logged["value"], logged["previous"]) == (3, 1)
    assert [(line["section"], line["id"], line["name"]) for line in body["series"]] == [
        ("total", None, "Everyone"), ("team", june.pk, "Campo"),
    ]  # fmt: skip
    members = ana.client().get("/api/v1/reports/adoption?lines=user").json()["series"]
    assert {line["section"] for line in members[1:]} == {"user"} and len(members) == 4
    assert ana.client().get("/api/v1/reports/adoption?lines=x").status_code == 422
    bad = ana.client().get("/api/v1/reports/adoption?grain=century")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "grain"
    # Workspace B: its own five calls, none of A's members or teams.
    theirs = carla.client().get("/api/v1/reports/adoption?from=2026-06-01&to=2026-06-30").json()
    names = {r["name"] for r in theirs["rows"]}
    assert "Campo" not in names and ana.user.email not in names
    total_b = next(r for r in theirs["rows"] if r["section"] == "total")
    assert next(v for v in total_b["values"] if v["kpi"] == "activities_logged")["value"] == 5
    page = carla.web().get(f"/insights/adoption/?{JUNE}").content.decode()
    assert "Campo" not in page and ana.user.email not in page


@pytest.mark.parametrize("key", ["activities_logged", "records_created", "records_updated",
                                 "tasks_on_time", "record_completeness"])  # fmt: skip
def test_each_kpi_through_its_page_csv_and_api(ana, june, key):
    query = f"{JUNE}&group_by=owner"
    page = ana.web("pt-br").get(f"/insights/kpis/{key}/?{query}&team_id={june.pk}")
    assert page.status_code == 200
    assert ana.web().get(f"/insights/kpis/{key}/csv?{query}").status_code == 200
    got = ana.client().get(f"/api/v1/kpis/{key}?from=2026-06-01&to=2026-06-30&group_by=owner")
    assert got.status_code == 200
    assert got.json()["key"] == key
    catalogue = {k["key"]: k for k in ana.client().get("/api/v1/kpis").json()["items"]}
    assert catalogue[key]["app"] == "adoption" and "owner" in catalogue[key]["dimensions"]
